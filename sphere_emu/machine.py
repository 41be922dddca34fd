"""The machine: a board's memories, peripherals and cores on one virtual clock."""

import importlib
from enum import Enum
from pathlib import Path
from typing import Any

from .board import BoardSpec, CoreSpec
from .bus import AddressMap, Mapping, MemoryBlock
from .bus.bus import BusError
from .clock import Clock
from .cpu.core import Core, CoreState
from .devices import Device, DeviceContext, build_devices
from .elf import ElfImage, read_elf
from .engine.native import choose as choose_counter
from .engine.native.latch import choose_latch
from .errors import FirmwareError
from .peripherals import PERIPHERAL_TYPES
from .peripherals.firewall import Firewall
from .peripherals.registers import Peripheral, PeripheralContext, PeripheralRef
from .pins import Pins
from .scheduler import RunResult, Scheduler
from .serial import SerialHub
from .snapshot import SnapshotError


class Stall(Enum):
    LOCKUP = "every started core halted"
    IDLE = "no core can run and no event is due: only host input can change anything"


CORE_CLASSES = {
    "cortex-m4f": "sphere_emu.cpu.cortex_m:CortexM4",
    "cortex-a7": "sphere_emu.cpu.cortex_a:CortexA7",
}


def core_class(type_name: str) -> type[Core]:
    module, cls = CORE_CLASSES[type_name].split(":")
    return getattr(importlib.import_module(module), cls)


class Machine:
    def __init__(self, board: BoardSpec, *, quantum_ns: int = Scheduler.DEFAULT_QUANTUM_NS,
                 fast_forward: bool = True, native_counter: bool | Path = True,
                 fast: bool = False, native_gpio: bool | Path = True):
        """``fast``: the IO cores count instructions per block with the native library
        (``--fast``, docs/performance.md) found by ``native_counter`` (True: the one built
        at install, a Path: that file, False: none); without a library the run stays exact.
        ``counter_choice`` says whether the library is there, ``fast`` whether it is used.
        ``native_gpio`` (same values): GPIO output latches served in C while no pad is
        watched (``peripherals/gpio.py``: same results, faster); ``self.native_gpio``
        says whether they are."""
        self.board = board
        self.clock = Clock()
        self.serial = SerialHub(self.clock)
        self.pins = Pins(self.clock, board.pins.count)
        for alias, number in board.pins.aliases.items():
            self.pins.add_alias(alias, f"GPIO{number}")
        self.memories = {name: MemoryBlock(name, spec.size, readonly=spec.readonly)
                         for name, spec in board.memories.items()}
        self.peripherals: dict[str, Peripheral] = {}
        for name, spec in board.peripherals.items():
            ctx = PeripheralContext(clock=self.clock, options=dict(spec.options),
                                    memory=_SystemMemory(self), serial=self.serial,
                                    pins=self.pins)
            self.peripherals[name] = PERIPHERAL_TYPES[spec.type](name, ctx)
        for name, spec in board.peripherals.items():
            for option, value in spec.options.items():
                if isinstance(value, PeripheralRef):
                    self.peripherals[name].link(option, self.peripherals[value])
        latch_library = choose_latch(native_gpio)
        self.native_gpio = latch_library is not None
        latched = [p for p in self.peripherals.values() if hasattr(p, "use_native_latch")]
        if latch_library is not None:
            for block in latched:  # before the cores map them
                block.use_native_latch(latch_library)
        self.cores: dict[str, Core] = {}
        for cspec in board.cores.values():
            self.cores[cspec.name] = self._build_core(cspec)
            self.cores[cspec.name].set_fast_forward(fast_forward)  # exact busy-wait skipping
        library, self.counter_choice = choose_counter(native_counter)
        self.fast = fast and library is not None
        if self.fast:
            for core in self.cores.values():
                core.use_native_counter(library)
        for cspec in board.cores.values():
            if cspec.reset_by is not None:
                block, line = cspec.reset_by
                reset_line = self.peripherals[block].resets[line]
                reset_line.connect(_CoreReset(self.cores[cspec.name], self.memories))
                self.cores[cspec.name].lockup_listeners.append(reset_line.lockup)
        self._give_private_blocks_core_time(board)
        self.pins.core_time = {name: core.local_time_ns for name, core in self.cores.items()}
        self.devices: dict[str, Device] = build_devices(
            board.devices, DeviceContext(pins=self.pins, clock=self.clock))
        for device in self.devices.values():
            attach = getattr(device, "attach", None)
            if attach is not None:  # a device on a bus block or an ADC channel
                attach(self.peripherals, self.devices)
        self._put_firewalls_in_paths()
        self.scheduler = Scheduler(self.clock, list(self.cores.values()), quantum_ns)
        if latch_library is not None:  # first: later hooks may read pins
            self.scheduler.slice_hooks.append(
                lambda: [block.settle() for block in latched if block.handed_over])

    def _give_private_blocks_core_time(self, board: BoardSpec) -> None:
        """A block only one core can reach reads time as that core sees it; shared blocks
        keep the slice-granular clock, so two cores never see one block's time go back."""
        users: dict[str, set[str]] = {}
        for cspec in board.cores.values():
            for entry in cspec.map:
                if entry.kind == "peripheral":
                    users.setdefault(entry.target, set()).add(cspec.name)
        for name, cores in users.items():
            use_core_time = getattr(self.peripherals[name], "use_core_time", None)
            if use_core_time is not None:  # a shared block timing what a core started
                seers = [self.cores[c] for c in sorted(cores)]
                use_core_time(lambda seers=seers: max(c.local_time_ns() for c in seers))
            if len(cores) == 1:
                core = self.cores[next(iter(cores))]
                self.peripherals[name].now_ns = core.local_time_ns
                block = self.peripherals[name]
                attach_core = getattr(block, "attach_core", None)
                if attach_core is not None:  # DMA reaches its core's view; WDT names it
                    attach_core(core)
                if "core" in getattr(block, "resets", {}):  # a watchdog resets its core
                    block.resets["core"].connect(_CoreRestart(core))

    def _put_firewalls_in_paths(self) -> None:
        """Every firewall sits in every non-secure view of the bus; an IO core's windows
        onto memory another core owns are shared ranges it controls."""
        firewalls = [p for p in self.peripherals.values() if isinstance(p, Firewall)]
        if not firewalls:
            return
        owners: dict[str, int] = {}  # memory -> how many cores' non-secure views show it
        for core in self.cores.values():
            seen = {m.memory.name for amap in core.bus_maps if not amap.access.secure
                    for m in amap.mappings if m.memory}
            for memory in seen:
                owners[memory] = owners.get(memory, 0) + 1
        for core in self.cores.values():
            m4 = self.board.cores[core.name].type != "cortex-a7"
            for amap in core.bus_maps:
                if amap.access.secure:
                    continue
                windows = [m for m in amap.mappings if m4 and m.kind == "ram" and m.memory
                           and owners[m.memory.name] > 1]
                for firewall in firewalls:
                    firewall.guard(core.name, amap, core.local_time_ns, windows)

    def _build_core(self, spec: CoreSpec) -> Core:
        mappings = []
        for e in spec.map:
            mapping = Mapping(base=e.base, size=e.size, name=e.name, secure_only=e.secure_only,
                              kind={"memory": "ram", "peripheral": "peripheral",
                                    "unimplemented": "unimplemented"}[e.kind], irqs=dict(e.irqs))
            if e.kind == "memory":
                mapping.memory = self.memories[e.target]
                mapping.offset = e.offset
                if mapping.memory.readonly:
                    mapping.kind = "rom"
            elif e.kind == "peripheral":
                mapping.peripheral = self.peripherals[e.target]
            mappings.append(mapping)
        core = core_class(spec.type)(spec, self.clock, mappings)
        for m in mappings:
            for out, irq in m.irqs.items():
                m.peripheral.irqs[out].connect(core.interrupt_controller, irq)
        return core

    # -- loading -----------------------------------------------------------------------
    def load_elf(self, core_name: str, path: str | Path | ElfImage) -> ElfImage:
        """Copy an ELF's segments into ``core_name``'s view of memory and start it there."""
        image = path if isinstance(path, ElfImage) else read_elf(path)
        core = self.cores[core_name]
        for seg in image.segments:
            try:
                core.address_map.write_memory(seg.address, seg.data)
            except BusError:
                raise FirmwareError(
                    f"{image.path}: segment at {seg.address:#010x}+{len(seg.data):#x} is not in "
                    f"{core_name}'s memory") from None
        core.start_at(image.entry)
        return image

    @property
    def system_memory(self) -> "_SystemMemory":
        """Bus-master access to the A7's physical view (how Pluton reaches guest memory)."""
        return _SystemMemory(self)

    # -- reset ---------------------------------------------------------------------------
    def reset(self, core: str | None = None) -> None:
        """Reset one core (held until something starts it), or the whole machine: every
        core held, every block back to its power-on registers. Memories keep their
        contents, as RAM does across a reset, and virtual time goes on."""
        if core is not None:
            _CoreReset(self.cores[core], self.memories).hold()
            return
        for c in self.cores.values():
            _CoreReset(c, self.memories).hold()
        for peripheral in self.peripherals.values():
            peripheral.reset()
            peripheral.update()

    # -- snapshots ---------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The whole machine's state as plain data, between time slices (``snapshot.py``).
        Raises SnapshotError for state it cannot express (host input scheduled by the
        host, a core stopped inside a slice)."""
        if any(getattr(getattr(c, "engine", None), "in_slice", False)
               for c in self.cores.values()):
            raise SnapshotError("a snapshot is taken between time slices, not inside one")
        names = {id(obj): name for name, obj in self._named().items()}
        return {
            "board": self.board.name,
            "clock": self.clock.snapshot(lambda obj: names.get(id(obj))),
            "memories": {name: m.read(0, m.size) for name, m in self.memories.items()},
            "windows": self._windows(),
            "pins": self.pins.snapshot(),
            "serial": self.serial.snapshot(),
            "peripherals": {name: p.snapshot() for name, p in self.peripherals.items()},
            "devices": {name: d.snapshot() for name, d in self.devices.items()},
            "cores": {name: c.snapshot() for name, c in self.cores.items()},
        }

    def restore(self, snap: dict[str, Any]) -> None:
        """Continue from ``snap``, taken from a machine built from the same board and
        images (this one, or a fresh one): the run goes on as the original did."""
        if snap["board"] != self.board.name or set(snap["cores"]) != set(self.cores):
            raise SnapshotError(f"the snapshot is of board {snap['board']!r}, not of "
                                f"{self.board.name!r}")
        named = self._named()
        self.clock.restore(snap["clock"], named.__getitem__)
        for name, data in snap["memories"].items():
            self.memories[name].write(0, data)
        self._restore_windows(snap["windows"])
        self.pins.restore(snap["pins"])
        self.serial.restore(snap["serial"])
        for name, state in snap["peripherals"].items():
            self.peripherals[name].restore(state)
        for name, state in snap["devices"].items():
            self.devices[name].restore(state)
        for name, state in snap["cores"].items():  # last: wiring above may poke their NVICs
            self.cores[name].restore(state)
        self.scheduler.stop_requested = False

    def _named(self) -> dict[str, object]:
        """Every object a clock event may belong to, by a name stable across machines."""
        named: dict[str, object] = {f"peripheral:{n}": p for n, p in self.peripherals.items()}
        for name, core in self.cores.items():
            named[f"core:{name}"] = core
            named.update({f"core:{name}.{part}": obj
                          for part, obj in core.event_owners().items()})
        named.update({f"pin:{pin.number}": pin for pin in self.pins.pins})
        named.update({f"device:{n}": d for n, d in self.devices.items()})
        return named

    def _windows(self) -> list[tuple[str, int, int, str | None, int]]:
        """Memory windows pointed elsewhere (an IO core's XIP window onto flash)."""
        out = []
        for name, core in self.cores.items():
            for index, amap in enumerate(core.bus_maps):
                for m in amap.mappings:
                    if m.home is not None and m.memory is not None:
                        home = (m.memory, m.offset, m.kind) == m.home
                        out.append((name, index, m.base, None if home else m.memory.name,
                                    m.offset))
        return out

    def _restore_windows(self, windows: list[tuple[str, int, int, str | None, int]]) -> None:
        for core, index, base, memory, offset in windows:
            amap = self.cores[core].bus_maps[index]
            window = amap.find(base)
            if window is not None:
                amap.retarget(window, None if memory is None else self.memories[memory],
                              offset)

    # -- running -----------------------------------------------------------------------
    def stalled(self) -> Stall | None:
        """Why the machine can make no more progress on its own, or None while it can.
        The one place that decides it (the runner and the testing API ask here)."""
        cores = self.cores.values()
        started = [c for c in cores if c.state is not CoreState.HELD]
        if started and all(c.state is CoreState.HALTED for c in started):
            return Stall.LOCKUP
        if not any(c.runnable for c in cores) and self.clock.next_event_ns() is None:
            return Stall.IDLE
        return None

    # -- running -----------------------------------------------------------------------
    def run_for(self, duration_ns: int) -> RunResult:
        return self.scheduler.run_until(self.clock.now_ns + duration_ns)

    def run_until(self, deadline_ns: int) -> RunResult:
        return self.scheduler.run_until(deadline_ns)


class _CoreReset:
    """Lets a block's reset line hold a core in reset or start it at a vector table."""

    def __init__(self, core: Core, memories: dict[str, MemoryBlock]) -> None:
        self._core = core
        self._memories = memories

    def hold(self) -> None:
        self._core.reset()
        self._core.state = CoreState.HELD
        self._core.debug_hold = False

    def release(self, entry: int, debug_halt: bool = False) -> None:
        core = self._core
        core.reset()
        core.start_at(entry)
        core.debug_hold = debug_halt and core.state is CoreState.RUNNING

    def map_window(self, base: int, memory: str | None, offset: int) -> None:
        amap = self._core.address_map
        window = amap.find(base)
        if window is None or window.memory is None:
            raise ValueError(f"{self._core.name}: no memory window at {base:#x}")
        amap.retarget(window, None if memory is None else self._memories[memory], offset)


class _CoreRestart:
    """A block's reset line that restarts its own core (a watchdog): the core resets and
    starts again from the vector table it booted from, memory kept."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def hold(self) -> None:
        self._core.reset()
        self._core.state = CoreState.HELD

    def release(self, entry: int, debug_halt: bool = False) -> None:
        core = self._core
        engine = getattr(core, "engine", None)
        if engine is not None and engine.emulating:
            core.request_reset()  # written by the core itself: after this instruction
        else:
            core.reset()


class _SystemMemory:
    """Bus-master access for peripherals (DMA, Pluton): the A7's physical view if present."""

    def __init__(self, machine: Machine) -> None:
        self._machine = machine

    def _map(self) -> AddressMap:
        # Looked up on each access: peripherals get this before the cores are built.
        machine = self._machine
        a7 = [name for name, spec in machine.board.cores.items() if spec.type == "cortex-a7"]
        core = machine.cores[a7[0]] if a7 else next(iter(machine.cores.values()))
        return core.physical_map

    def read(self, address: int, size: int) -> bytes:
        return self._map().read_memory(address, size)

    def write(self, address: int, data: bytes) -> None:
        self._map().write_memory(address, data)
