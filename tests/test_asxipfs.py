"""ASXipFS: what the builder lays out, and what the reader refuses."""

import struct
import zlib

import pytest

from sphere_emu.image.asxipfs import (
    CRC_OFFSET,
    EXECUTABLE_MODE,
    FILE_MODE,
    INODE,
    PAGE,
    SUPERBLOCK,
    SUPERBLOCK_SIZE,
    FsFile,
    build_asxipfs,
    crc,
    read_asxipfs,
)
from sphere_emu.image.errors import ImageError

APP_FILES = [FsFile("/app_manifest.json", b'{"Name": "x"}'),
             FsFile("/bin/app", b"\x7fELF" + bytes(5000), EXECUTABLE_MODE)]


def test_round_trip_keeps_files_modes_and_directories():
    files = [*APP_FILES, FsFile("/etc/deep/nested/data.bin", bytes(range(256)) * 20),
             FsFile("/empty", b""), FsFile("/etc/other", b"x")]
    fs = read_asxipfs(build_asxipfs(files))
    assert {p: (f.data, f.mode) for p, f in fs.files.items()} == \
        {f.path: (f.data, f.mode) for f in files}
    assert set(fs.directories) == {"/", "/bin", "/etc", "/etc/deep", "/etc/deep/nested"}


def test_layout_matches_the_sdks_application_images():
    image = build_asxipfs(APP_FILES)
    sb = SUPERBLOCK.parse(image)
    assert sb.size == len(image) == 4 * PAGE  # inodes, manifest, two pages of ELF
    assert sb.flags == 3 and sb.fsid.files == 4  # root, app_manifest.json, bin, bin/app
    assert sb.name.rstrip(b"\0") == b"Compressed"
    fs = read_asxipfs(image)
    # Files are whole, uncompressed, page-aligned: executable in place.
    assert fs.files["/app_manifest.json"].offset == 0x1000
    assert fs.files["/bin/app"].offset == 0x2000
    assert image[0x2000:0x2000 + 5004] == APP_FILES[1].data
    assert fs.files["/bin/app"].mode == 0o101755 and fs.files["/app_manifest.json"].mode == \
        0o101644 == FILE_MODE


def test_inode_bitfields_match_the_c_struct():
    raw = INODE.build({"mode": 0x41ED, "uid": 0, "size": 0x123456, "gid": 7,
                       "location": {"offset": 0x10, "namelen": 2}})
    w0, w1, w2 = struct.unpack("<3I", raw)
    assert (w0 & 0xFFFF, w0 >> 16) == (0x41ED, 0)
    assert (w1 & 0xFFFFFF, w1 >> 24) == (0x123456, 7)
    assert (w2 & 0x3F, w2 >> 6) == (2, 0x10)


def test_crc_covers_the_whole_image_with_the_field_zeroed():
    image = build_asxipfs(APP_FILES)
    stored = struct.unpack_from("<I", image, CRC_OFFSET)[0]
    assert stored == crc(image) == zlib.crc32(image[:CRC_OFFSET] + bytes(4) +
                                              image[CRC_OFFSET + 4:])


def _recrc(image: bytearray) -> bytes:
    image[CRC_OFFSET:CRC_OFFSET + 4] = crc(bytes(image)).to_bytes(4, "little")
    return bytes(image)


def test_a_corrupted_image_fails_its_crc():
    image = bytearray(build_asxipfs(APP_FILES))
    image[0x2100] ^= 1
    with pytest.raises(ImageError, match="CRC mismatch"):
        read_asxipfs(bytes(image))


def test_hostile_images_are_refused_with_the_reason():
    image = bytearray(build_asxipfs(APP_FILES))
    first_entry = SUPERBLOCK_SIZE  # /app_manifest.json's inode
    cases = {}
    bad = bytearray(image)  # file data pointing past the end
    bad[first_entry + 8:first_entry + 12] = struct.pack("<I", (0x100000 // 4) << 6 | 5)
    cases["data outside the image|not page-aligned"] = bad
    bad = bytearray(image)  # a device node
    bad[first_entry:first_entry + 2] = struct.pack("<H", 0o020644)
    cases["unsupported file type"] = bad
    bad = bytearray(image)  # root directory entries running past the end
    root = SUPERBLOCK_SIZE - 12
    bad[root + 4:root + 8] = struct.pack("<I", 0xFFFFFF)
    cases["directory entries outside the image"] = bad
    bad = bytearray(image)  # /bin listing the root's entries again: a loop
    bin_entry = SUPERBLOCK_SIZE + 12 + 20
    bad[bin_entry + 4:bin_entry + 12] = struct.pack("<II", 48, (SUPERBLOCK_SIZE // 4) << 6 | 1)
    cases["a loop"] = bad
    bad = bytearray(image)
    bad[0:4] = b"XXXX"
    cases["no valid superblock"] = bad
    for message, data in cases.items():
        with pytest.raises(ImageError, match=message):
            read_asxipfs(_recrc(data) if not message.startswith("no valid") else bytes(data))


def test_names_and_paths_are_checked_when_building():
    with pytest.raises(ImageError, match="invalid name"):
        build_asxipfs([FsFile("/a/../b", b"")])
    with pytest.raises(ImageError, match="conflicts"):
        build_asxipfs([FsFile("/a", b"1"), FsFile("/a/b", b"2")])
    with pytest.raises(ImageError, match="longer than"):
        build_asxipfs([FsFile("/" + "n" * 253, b"")])
