"""What the debugger may do to one core: registers by GDB number, memory, break/watchpoints.

Everything goes through the ``Core`` debugger interface and the core's ``address_map``; the
guest never sees a patched instruction or a changed byte it did not write. Errors are
``TargetError`` with the errno GDB shows (``E0e`` bad address, ``E16`` bad argument).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from ..bus.bus import BusError
from ..cpu.core import Core, CoreState
from ..elf import ElfImage
from .stops import SIGINT, SIGTRAP, WATCH_KINDS, StopEvent, signal_for_halt
from .tdesc import RegDef, RegisterLayout, layout_for

EFAULT = 0x0E
EINVAL = 0x16
ADDRESS_LIMIT = 1 << 32

BREAK_KINDS = {2, 3, 4}  # 16-bit Thumb, 32-bit Thumb-2, 32-bit ARM
MAX_WATCH_LENGTH = 0x1000  # wider than any data GDB watches with one hardware slot


class TargetError(Exception):
    def __init__(self, errno: int, message: str = "") -> None:
        super().__init__(message or f"error {errno}")
        self.errno = errno


@dataclass(frozen=True)
class Watchpoint:
    address: int
    length: int
    kind: str  # "watch" | "rwatch" | "awatch"

    def covers(self, address: int) -> bool:
        return self.address <= address < self.address + self.length


@dataclass
class Target:
    core: Core
    image: ElfImage | None = None  # reloaded by ``monitor reset``
    # The machine's firewall ownership table as text (``monitor firewall``), if it has one.
    firewall_table: Callable[[], str] | None = None
    layout: RegisterLayout = field(init=False)
    _breaks: dict[int, set[str]] = field(default_factory=dict, init=False)  # addr -> {sw, hw}
    _watches: list[Watchpoint] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.layout = layout_for(self.core.register_names())

    @property
    def name(self) -> str:
        return self.core.name

    # -- registers -----------------------------------------------------------------------
    def read_register(self, number: int) -> bytes:
        reg = self._reg(number)
        part_bits = reg.bitsize // len(reg.parts)
        mask = (1 << part_bits) - 1
        value = 0
        for i, part in enumerate(reg.parts):
            value |= (self.core.read_register(part) & mask) << (i * part_bits)
        return value.to_bytes(reg.size, "little")

    def write_register(self, number: int, data: bytes) -> None:
        reg = self._reg(number)
        if len(data) != reg.size:
            raise TargetError(EINVAL, f"{reg.name} is {reg.size} bytes")
        value = int.from_bytes(data, "little")
        part_bits = reg.bitsize // len(reg.parts)
        for i, part in enumerate(reg.parts):
            self.core.write_register(part, (value >> (i * part_bits)) & ((1 << part_bits) - 1))

    def read_registers(self) -> bytes:
        return b"".join(self.read_register(n) for n in range(len(self.layout.regs)))

    def write_registers(self, data: bytes) -> None:
        if len(data) != self.layout.g_size:
            raise TargetError(EINVAL, f"expected {self.layout.g_size} bytes of registers")
        offset = 0
        for number, reg in enumerate(self.layout.regs):
            self.write_register(number, data[offset:offset + reg.size])
            offset += reg.size

    def _reg(self, number: int) -> RegDef:
        if not 0 <= number < len(self.layout.regs):
            raise TargetError(EINVAL, f"no register {number}")
        return self.layout.regs[number]

    @property
    def pc(self) -> int:
        return self.core.read_register("pc")

    # -- memory --------------------------------------------------------------------------
    def read_memory(self, address: int, length: int) -> bytes:
        """The readable prefix of [address, address+length); an error if none is readable."""
        amap = self.core.address_map
        length = max(0, min(length, ADDRESS_LIMIT - address))
        out = bytearray()
        while length > 0:
            mapping = amap.find(address)
            if mapping is None:
                break
            chunk = min(length, mapping.end - address)
            try:
                out += amap.read_memory(address, chunk)
            except BusError:
                break
            address += chunk
            length -= chunk
        if not out and length > 0:
            raise TargetError(EFAULT, f"cannot read {address:#x}")
        return bytes(out)

    def write_memory(self, address: int, data: bytes) -> None:
        if address + len(data) > ADDRESS_LIMIT:
            raise TargetError(EFAULT, "write past the end of the address space")
        try:
            self.core.address_map.write_memory(address, data)
        except BusError as err:
            raise TargetError(EFAULT, str(err)) from None

    # -- breakpoints and watchpoints -----------------------------------------------------
    def insert_breakpoint(self, kind: str, address: int, size: int) -> None:
        """``kind`` is "sw" (Z0) or "hw" (Z1); both are the core's address hooks."""
        if size not in BREAK_KINDS or address >= ADDRESS_LIMIT:
            raise TargetError(EINVAL, "bad breakpoint")
        kinds = self._breaks.get(address)
        if kinds is None:
            self.core.add_breakpoint(address)
            kinds = self._breaks[address] = set()
        kinds.add(kind)

    def remove_breakpoint(self, kind: str, address: int, size: int) -> None:
        if size not in BREAK_KINDS:
            raise TargetError(EINVAL, "bad breakpoint")
        kinds = self._breaks.get(address)
        if kinds is None:
            return
        kinds.discard(kind)
        if not kinds:
            del self._breaks[address]
            self.core.remove_breakpoint(address)

    def insert_watchpoint(self, kind: str, address: int, length: int) -> None:
        if not 0 < length <= MAX_WATCH_LENGTH or address + length > ADDRESS_LIMIT:
            raise TargetError(EINVAL, "bad watchpoint")
        wp = Watchpoint(address, length, kind)
        if wp in self._watches:
            return
        try:
            self.core.add_watchpoint(address, length, kind)
        except ValueError as err:
            raise TargetError(EINVAL, str(err)) from None
        self._watches.append(wp)

    def remove_watchpoint(self, kind: str, address: int, length: int) -> None:
        wp = Watchpoint(address, length, kind)
        if wp in self._watches:
            self._watches.remove(wp)
            self.core.remove_watchpoint(address, length, kind)

    def clear_debug_state(self) -> None:
        """Remove everything this debugger inserted (on detach or a dropped connection)."""
        for address in list(self._breaks):
            del self._breaks[address]
            self.core.remove_breakpoint(address)
        for wp in self._watches:
            self.core.remove_watchpoint(wp.address, wp.length, wp.kind)
        self._watches.clear()

    # -- run control ---------------------------------------------------------------------
    def take_stop(self) -> StopEvent | None:
        """The core's pending debug stop as a stop reply, clearing it; None if it has none."""
        stop = self.core.debug_stop
        if stop is None:
            return None
        self.core.debug_stop = None
        if stop.reason == "breakpoint":
            address = self.pc if stop.address is None else stop.address
            kinds = self._breaks.get(address, set())
            reason = "swbreak" if "sw" in kinds else "hwbreak" if "hw" in kinds else ""
            return StopEvent(SIGTRAP, reason)
        if stop.reason == "watchpoint":
            kind = stop.kind if stop.kind in WATCH_KINDS else "awatch"
            return StopEvent(SIGTRAP, kind, self._watched_address(stop.address, kind))
        if stop.reason == "interrupt":
            return StopEvent(SIGINT)
        return StopEvent(stop.signal)

    def _watched_address(self, address: int | None, kind: str) -> int | None:
        # Report the start of the watchpoint that fired: GDB matches it against its own list.
        if address is None:
            return self._watches[0].address if self._watches else None
        for wp in self._watches:
            if wp.kind == kind and wp.covers(address):
                return wp.address
        for wp in self._watches:
            if wp.covers(address):
                return wp.address
        return address

    def halt_stop(self) -> StopEvent | None:
        """A stop reply for a locked-up core; None if the core is not halted."""
        if self.core.state is not CoreState.HALTED:
            return None
        return StopEvent(signal_for_halt(self.core.halt_reason or ""))

    def step(self) -> StopEvent:
        """Retire one instruction and say how that went."""
        core = self.core
        core.debug_stop = None
        core.debug_hold = False
        halted = self.halt_stop()
        if halted is not None:
            return halted
        if core.state is not CoreState.HELD:
            core.step()
        return self.take_stop() or self.halt_stop() or StopEvent(SIGTRAP)

    def reset(self) -> None:
        """Reset the core and start the loaded program again, as the RT-app loader does."""
        core = self.core
        core.reset()
        if self.image is not None:
            for seg in self.image.segments:
                core.address_map.write_memory(seg.address, seg.data)
            core.start_at(self.image.entry)
        core.debug_stop = None
