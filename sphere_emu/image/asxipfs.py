"""ASXipFS: the filesystem in application image packages (mt3620-facts §2.5).

It is cramfs with the compression taken out so files can execute in place: the cramfs
superblock (with a CRC-32 of the whole image), 12-byte inodes followed by their names, and
file data stored whole, uncompressed and page-aligned, the inode's offset pointing straight
at it. Layout this module writes (as the SDK's images look):

    0x0000  superblock + root inode, then every directory's entries, breadth first
    0x1000  first file's data, each file padded to whole 4 KiB pages, in the same order

Directories list their entries sorted by name (cramfs SORTED_DIRS).
"""

import stat
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from construct import (
    BitsInteger,
    BitStruct,
    Bytes,
    ByteSwapped,
    Const,
    ConstructError,
    Int8ul,
    Int16ul,
    Int24ul,
    Int32ul,
    Struct,
)

from .errors import ImageError, Reason

MAGIC = 0x28CD3D45
PAGE = 4096
FSID_VERSION_2 = 0x1
SORTED_DIRS = 0x2
SIGNATURE = b"Compressed ROMFS"
VOLUME_NAME = b"Compressed"

DIRECTORY_MODE = stat.S_IFDIR | 0o755
FILE_MODE = stat.S_IFREG | stat.S_ISVTX | 0o644  # 0o101644, as the SDK writes data files
EXECUTABLE_MODE = stat.S_IFREG | stat.S_ISVTX | 0o755  # 0o101755

# Inode bitfields as the C struct lays them out on a little-endian machine:
#   u32 mode:16, uid:16;  u32 size:24, gid:8;  u32 namelen:6, offset:26
# namelen and offset count 4-byte units.
INODE = Struct(
    "mode" / Int16ul,
    "uid" / Int16ul,
    "size" / Int24ul,
    "gid" / Int8ul,
    "location" / ByteSwapped(BitStruct("offset" / BitsInteger(26), "namelen" / BitsInteger(6))),
)
INODE_SIZE = 12
MAX_NAME = 63 * 4

SUPERBLOCK = Struct(
    "magic" / Const(MAGIC, Int32ul),
    "size" / Int32ul,
    "flags" / Int32ul,
    "future" / Int32ul,
    "signature" / Const(SIGNATURE),
    "fsid" / Struct("crc" / Int32ul, "edition" / Int32ul, "blocks" / Int32ul,
                    "files" / Int32ul),
    "name" / Bytes(16),
    "root" / INODE,
)
SUPERBLOCK_SIZE = 64 + INODE_SIZE
CRC_OFFSET = 32
MAX_ENTRIES = 1 << 16  # bounds a reader's work on hostile images


@dataclass(frozen=True)
class FsFile:
    path: str  # absolute, e.g. "/bin/app"
    data: bytes = field(repr=False)
    mode: int = FILE_MODE
    uid: int = 0
    gid: int = 0
    offset: int = 0  # where the data starts in the image (set by the reader)

    @property
    def executable(self) -> bool:
        return bool(self.mode & 0o111)


@dataclass(frozen=True)
class FsDirectory:
    path: str
    mode: int = DIRECTORY_MODE
    uid: int = 0
    gid: int = 0


@dataclass(frozen=True)
class Asxipfs:
    files: dict[str, FsFile]
    directories: dict[str, FsDirectory]
    size: int

    def read(self, path: str) -> bytes | None:
        f = self.files.get(_normal(path))
        return f.data if f else None


def _error(message: str) -> ImageError:
    return ImageError(Reason.MALFORMED, f"malformed: ASXipFS: {message}")


def _normal(path: str) -> str:
    return "/" + "/".join(p for p in path.split("/") if p)


def _check_name(name: str, path: str) -> bytes:
    raw = name.encode()
    if name in (".", "..") or not name or "\0" in name:
        raise _error(f"{path!r}: invalid name {name!r}")
    if len(raw) > MAX_NAME:
        raise _error(f"{path!r}: name longer than {MAX_NAME} bytes")
    return raw


@dataclass
class _Node:
    path: str
    file: FsFile | None = None  # None for a directory
    children: dict[str, "_Node"] = field(default_factory=dict)
    entry_at: int = 0  # where this node's inode is
    first_child_at: int = 0
    children_size: int = 0


def _tree(files: Iterable[FsFile]) -> _Node:
    root = _Node("/")
    for f in files:
        parts = [p for p in f.path.split("/") if p]
        if not parts:
            raise _error(f"{f.path!r}: not a file path")
        node = root
        for i, part in enumerate(parts):
            _check_name(part, f.path)
            child = node.children.get(part)
            last = i == len(parts) - 1
            if child is None:
                child = node.children[part] = _Node("/" + "/".join(parts[:i + 1]),
                                                    file=f if last else None)
            elif last or child.file is not None:
                raise _error(f"{f.path!r}: conflicts with another entry")
            node = child
    return root


def build_asxipfs(files: Iterable[FsFile]) -> bytes:
    """An ASXipFS image holding ``files`` (directories are implied by their paths)."""
    root = _tree(files)
    root.entry_at = SUPERBLOCK_SIZE - INODE_SIZE
    # Breadth first: place every directory's entries, then every file's data.
    order = [root]
    pos = SUPERBLOCK_SIZE
    for node in order:  # grows while iterated: a queue
        node.first_child_at = pos if node.children else 0
        for name in sorted(node.children, key=str.encode):
            child = node.children[name]
            child.entry_at = pos
            pos += INODE_SIZE + _padded(len(name.encode()))
            order.append(child)
        node.children_size = pos - node.first_child_at if node.children else 0
    data_at = _pages(pos)
    placed: list[tuple[_Node, int]] = []
    for node in order:
        if node.file is not None and node.file.data:
            placed.append((node, data_at))
            data_at += _pages(len(node.file.data))
    size = max(data_at, _pages(pos))
    image = bytearray(size)
    data_offsets = {id(node): at for node, at in placed}
    for node in order[1:]:  # the root's inode is part of the superblock
        f = node.file
        if f is not None and f.data:
            image[data_offsets[id(node)]:data_offsets[id(node)] + len(f.data)] = f.data
        name = node.path.rsplit("/", 1)[1].encode()
        entry = INODE.build(_inode(node, data_offsets.get(id(node), 0), len(name)))
        image[node.entry_at:node.entry_at + INODE_SIZE] = entry
        image[node.entry_at + INODE_SIZE:node.entry_at + INODE_SIZE + len(name)] = name
    image[:SUPERBLOCK_SIZE] = SUPERBLOCK.build({
        "size": size, "flags": FSID_VERSION_2 | SORTED_DIRS, "future": 0,
        "fsid": {"crc": 0, "edition": 0, "blocks": 0, "files": len(order)},
        "name": VOLUME_NAME.ljust(16, b"\0"), "root": _inode(root, 0, 0)})
    image[CRC_OFFSET:CRC_OFFSET + 4] = zlib.crc32(image).to_bytes(4, "little")
    return bytes(image)


def _inode(node: _Node, data_offset: int, name_len: int) -> dict:
    location = {"namelen": _padded(name_len) // 4}
    f = node.file
    if f is None:
        return {"mode": DIRECTORY_MODE, "uid": 0, "gid": 0, "size": node.children_size,
                "location": {**location, "offset": node.first_child_at // 4}}
    if len(f.data) >= 1 << 24:
        raise _error(f"{f.path!r}: {len(f.data)} bytes is too large (16 MiB limit)")
    if not stat.S_ISREG(f.mode):
        raise _error(f"{f.path!r}: mode {f.mode:#o} is not a regular file")
    return {"mode": f.mode, "uid": f.uid, "gid": f.gid, "size": len(f.data),
            "location": {**location, "offset": data_offset // 4}}


def _padded(n: int) -> int:
    return -(-n // 4) * 4


def _pages(n: int) -> int:
    return -(-n // PAGE) * PAGE


def crc(image: bytes) -> int:
    """The fsid CRC: CRC-32 of the whole image with the CRC field zeroed."""
    return zlib.crc32(image[:CRC_OFFSET] + bytes(4) + image[CRC_OFFSET + 4:])


def read_asxipfs(data: bytes) -> Asxipfs:
    """Parse an ASXipFS image; refuses anything a loader could not safely map."""
    try:
        sb = SUPERBLOCK.parse(data)
    except ConstructError:
        raise _error("no valid superblock (magic 0x28cd3d45, 'Compressed ROMFS')") from None
    if not SUPERBLOCK_SIZE <= sb.size <= len(data):
        raise _error(f"size {sb.size} does not fit the {len(data)}-byte payload")
    if sb.flags & ~(FSID_VERSION_2 | SORTED_DIRS) or not sb.flags & FSID_VERSION_2:
        raise _error(f"unsupported flags {sb.flags:#x}")
    image = bytes(data[:sb.size])
    if crc(image) != sb.fsid.crc:
        raise _error(f"CRC mismatch (stored {sb.fsid.crc:#010x}, computed {crc(image):#010x})")
    if not stat.S_ISDIR(sb.root.mode):
        raise _error("the root is not a directory")
    files: dict[str, FsFile] = {}
    dirs: dict[str, FsDirectory] = {"/": FsDirectory("/", sb.root.mode, sb.root.uid, sb.root.gid)}
    pending = [("/", sb.root)]
    seen_regions: set[int] = set()
    count = 1
    while pending:
        path, inode = pending.pop()
        start, size = inode.location.offset * 4, inode.size
        if size == 0:
            continue
        if start < SUPERBLOCK_SIZE or start + size > sb.size:
            raise _error(f"{path}: directory entries outside the image")
        if start in seen_regions:
            raise _error(f"{path}: directory entries shared with another directory (a loop)")
        seen_regions.add(start)
        pos, end = start, start + size
        names: set[str] = set()
        while pos < end:
            count += 1
            if count > MAX_ENTRIES:
                raise _error(f"more than {MAX_ENTRIES} entries")
            if pos + INODE_SIZE > end:
                raise _error(f"{path}: truncated directory entry")
            child = INODE.parse(image[pos:pos + INODE_SIZE])
            name_len = child.location.namelen * 4
            if name_len == 0 or pos + INODE_SIZE + name_len > end:
                raise _error(f"{path}: directory entry with a bad name length")
            raw_name = image[pos + INODE_SIZE:pos + INODE_SIZE + name_len].rstrip(b"\0")
            try:
                name = raw_name.decode()
            except UnicodeDecodeError:
                raise _error(f"{path}: a name that is not UTF-8") from None
            if not name or "/" in name or name in (".", "..") or "\0" in name:
                raise _error(f"{path}: invalid name {name!r}")
            if name in names:
                raise _error(f"{path}: {name!r} appears twice")
            names.add(name)
            child_path = path.rstrip("/") + "/" + name
            if stat.S_ISDIR(child.mode):
                dirs[child_path] = FsDirectory(child_path, child.mode, child.uid, child.gid)
                pending.append((child_path, child))
            elif stat.S_ISREG(child.mode):
                files[child_path] = _file(image, child_path, child, sb.size)
            else:
                raise _error(f"{child_path}: unsupported file type (mode {child.mode:#o})")
            pos += INODE_SIZE + name_len
    if count != sb.fsid.files:
        raise _error(f"{count} entries, the superblock says {sb.fsid.files}")
    return Asxipfs(files, dirs, sb.size)


def _file(image: bytes, path: str, inode, fs_size: int) -> FsFile:  # noqa: ANN001
    offset = inode.location.offset * 4
    if inode.size:
        if offset % PAGE:
            raise _error(f"{path}: data at {offset:#x} is not page-aligned (cannot execute "
                         f"in place)")
        if offset < SUPERBLOCK_SIZE or offset + inode.size > fs_size:
            raise _error(f"{path}: data outside the image")
    return FsFile(path, image[offset:offset + inode.size], inode.mode, inode.uid, inode.gid,
                  offset)
