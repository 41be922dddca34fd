"""MT3620 GPIO register blocks: the pads' output latch, output enable, pulls and input.

One block serves a run of consecutive pads: GPIO groups 0-5 (four pads each, DIN at +0x04,
with GLOBAL_CTRL at +0x00 and the GPIO counter at +0x100, ``gpioif.py``), and the GPIO
function of the ISU (DIN +0x0C), ADC (+0x04) and I2S (+0x00 of the +0x100 sub-block)
pins. An ISU's GPIO registers share its page with ISU_GLOBAL_CTRL (+0x00, the ISU block):
the ``offset`` option says where in the register layout the mapping starts (4 for them).
Each latch has SET/RESET aliases that act on 1 bits and read 0 (MediaTek's driver
read-OR-writes them). There is no toggle alias on the MT3620: toggling is a
read-modify-write of DOUT.

The block drives its pads through the pin model (``sphere_emu.pins``): an enabled output
drives the latch bit at core strength; PU/PD drive a pull. DIN reads every pad's level at
the reading core's exact time (outputs read back, as MediaTek's ``get_output`` expects).
A change is stamped with the writing core's instruction time, so an LED's edges in a VCD
fall on the nanosecond the store retired.

With the native library (``engine/native/latch.py``) the block hands its output latch to C
while nobody can see its pads: no pad observed (VCD, ``--trace pins``, a device, EINT, the
GPIO counter, ``wait_for_pin``) or listened to (a wire). Whole-word stores to DOUT and its
SET/RESET aliases, and DOUT reads, then cost about what a RAM access costs. The block takes
the value back into ``regs`` and the pads before anyone can look: any Python access to the
block, any read or drive of one of its pads, the end of each time slice (``settle``), and
for good when a pad gets an observer (``release``). The pads then change at the time of
the settle, not of each store; nobody was there to see the stores' times, and a level read
at any time is the latest store's, as before.
"""


from collections.abc import Callable
from typing import Any

from unicorn import Uc

from ..engine.native.latch import LatchLibrary, MmioRead, MmioWrite, NativeLatch, NativePort
from ..pins import Pin, Strength
from ..units import parse_int
from .gpioif import GpioCounter
from .registers import RO, BusAccess, Field, Peripheral, PeripheralContext, Register

PAD_PU_SW = Field("GPIO_PAD_PU_SW", 31)  # software owns the pulls (MediaTek sets it first)


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"must be true or false, not {value!r}")


class Mt3620Gpio(Peripheral):
    TYPE = "mt3620-gpio"
    IRQS = ("counter",)
    SIZE = 0x1000
    OPTIONS = {"first_pin": parse_int, "pins": parse_int, "din": parse_int,
               "counter": parse_bool, "offset": parse_int}

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        options = ctx.options
        self.first_pin: int = options.get("first_pin", 0)
        self.count: int = options.get("pins", 4)
        self.din_offset: int = options.get("din", 0x04)
        self.has_counter: bool = options.get("counter", False)
        self.offset: int = options.get("offset", 0)  # register offset at the mapping's base
        self.mask = (1 << self.count) - 1
        self.pads: list[Pin] = [ctx.pins.pins[self.first_pin + i] for i in range(self.count)]
        self._who = ""  # the initiator of the access being served
        self._applied = (0, 0, 0, 0)  # DOUT, OE, PU, PD as the pads last saw them
        self.counter = GpioCounter(self, self.pads[0]) if self.has_counter else None
        self.native_latch: NativeLatch | None = None  # the latch served in C, if any
        self.handed_over = False  # C serves the latch now (mirrors the C flag, cheaper)
        self._settled = 0  # C's store count when last settled
        super().__init__(name, ctx)

    # -- registers -------------------------------------------------------------------
    def registers(self) -> list[Register]:
        m = self.mask
        regs = [Register("DIN", self.din_offset, access=RO, read=self._read_din)]
        if self.has_counter:
            regs.append(Register("GLOBAL_CTRL", 0x00, writable=0xF))
        elif self.din_offset and not self.offset:  # the ADC block's ADC_GLOBAL_CTRL
            regs.append(Register("GLOBAL_CTRL", 0x00, reset=0x1, writable=0x1))
        regs += self._latch("DOUT", 0x10, m)
        regs += self._latch("OE", 0x20, m)
        regs += self._latch("PU", 0x30, m | PAD_PU_SW.mask)
        regs += self._latch("PD", 0x40, m | PAD_PU_SW.mask)
        regs += self._latch("SR", 0x50, m, drives=False)
        regs += self._latch("IES", 0x60, m, drives=False)
        regs += [Register("PADDRV", 0x70), Register("RDSEL", 0x80), Register("TDSEL", 0x90)]
        regs += self._latch("EA", 0xA0, m, drives=False)
        regs += self._latch("RSEL", 0xB0, m, drives=False)
        if self.counter is not None:
            regs += self.counter.registers()
        return regs

    def _latch(self, name: str, offset: int, writable: int, drives: bool = True
               ) -> list[Register]:
        """A latch and its SET/RESET aliases (write 1s; read 0)."""
        def store(value: int) -> None:
            self.regs[name] = value & writable
            if drives:
                self._drive_pads()

        return [
            Register(name, offset, writable=writable, write=store),
            Register(f"{name}_SET", offset + 4, read=lambda: 0,
                     write=lambda v: store(self.regs[name] | v)),
            Register(f"{name}_RESET", offset + 8, read=lambda: 0,
                     write=lambda v: store(self.regs[name] & ~v)),
        ]

    # -- bus side: remember who writes, for the timestamp ------------------------------
    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None:
        self.settle()
        self._who = access.initiator
        super().write(offset + self.offset, size, value, access)
        self._hand_over()

    def read(self, offset: int, size: int, access: BusAccess) -> int:
        self.settle()
        self._who = access.initiator
        return super().read(offset + self.offset, size, access)

    def peek(self, offset: int) -> int:
        self.settle()
        return super().peek(offset + self.offset)

    def access_time(self) -> int:
        return self.ctx.pins.time_of(self._who)

    # -- the pads --------------------------------------------------------------------
    def _read_din(self) -> int:
        now = self.access_time()
        value = 0
        for i, pad in enumerate(self.pads):
            value |= pad.level_at(now) << i
        return value

    def _drive_pads(self) -> None:
        """Hand the pads what changed since the last call (only those: a store that changes
        one output bit touches one pin)."""
        dout, oe = self.regs["DOUT"], self.regs["OE"]
        pu, pd = self.regs["PU"], self.regs["PD"]
        old_dout, old_oe, old_pu, old_pd = self._applied
        outputs = ((old_dout ^ dout) & oe | (old_oe ^ oe)) & self.mask
        pulls = ((old_pu ^ pu) | (old_pd ^ pd)) & self.mask
        if not outputs | pulls:
            return
        self._applied = (dout, oe, pu, pd)
        now = self.access_time()
        for i, pad in enumerate(self.pads):
            bit = 1 << i
            if outputs & bit:
                pad.drive(self.name, Strength.CORE, (dout >> i) & 1 if oe & bit else None, now)
            if pulls & bit:
                pad.drive(f"{self.name}.pull", Strength.PULL,
                          1 if pu & bit else (0 if pd & bit else None), now)

    # -- the latch served in C (engine/native/latch.py) ----------------------------------
    def use_native_latch(self, library: LatchLibrary) -> None:
        """Serve the output latch in C while no pad is watched (before cores map the block)."""
        self.native_latch = NativeLatch(library, self.mask)

    def native_mmio(self, uc: Uc, base: int, size: int, block: tuple[int, int],
                    mapping_delta: int, read: MmioRead, write: MmioWrite, initiator: str,
                    allowed: Callable[[], bool]) -> NativePort | None:
        """The bus maps one of its MMIO runs here: the C callbacks serve it if we can."""
        if self.native_latch is None:
            return None
        return self.native_latch.map(uc, base, size, block, mapping_delta + self.offset, read,
                                     write, initiator, allowed)

    def settle(self) -> None:
        """Apply what C stored to DOUT and the pads, stamped with the last writer's time.
        Only stores since the last settle count: inside a Python access (which settled
        first) DOUT is Python's until ``_hand_over`` gives C the new value."""
        latch = self.native_latch
        if not self.handed_over or latch is None or latch.stores == self._settled:
            return
        self._settled = latch.stores
        dout, writer = latch.latched()
        if dout != self.regs["DOUT"]:
            self.regs["DOUT"] = dout
            self._who = writer
            self._drive_pads()

    def release(self) -> None:
        """Settle and take the latch back from C (a pad got an observer, a reset)."""
        latch = self.native_latch
        if self.handed_over and latch is not None:
            self.settle()
            latch.take_back()
            self.handed_over = False
            for pad in self.pads:
                pad.latch = None

    def _hand_over(self) -> None:
        """After a Python access: C serves the latch from now on if no pad is watched."""
        latch = self.native_latch
        if latch is None:
            return
        if any(pad.observed or pad.drive_listeners for pad in self.pads):
            self.release()
            return
        for pad in self.pads:
            pad.latch = self
        latch.hand_over(self.regs["DOUT"])
        self.handed_over = True
        self._settled = latch.stores

    @property
    def native_stores(self) -> int:
        """Latch stores C has served (0 without the library): the fast path, counted."""
        return self.native_latch.stores if self.native_latch is not None else 0

    def reset(self) -> None:
        self.release()
        super().reset()
        if getattr(self, "pads", None):
            self._drive_pads()
        if self.counter is not None:
            self.counter.reset()

    def update(self) -> None:
        if self.counter is not None:
            self.irqs["counter"].set(self.counter.interrupt)

    # -- snapshots -----------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        counter = self.counter.snapshot() if self.counter is not None else None
        self.settle()
        return {**super().snapshot(), "applied": self._applied, "counter": counter,
                "latched": self.handed_over}

    def restore(self, state: dict[str, Any]) -> None:
        self.release()
        state = dict(state)
        self._applied = tuple(state.pop("applied"))
        counter = state.pop("counter")
        latched = state.pop("latched", False)
        if self.counter is not None:
            self.counter.restore(counter)
        super().restore(state)
        if latched:  # as it was: C served the latch (the same times of settling follow)
            self._hand_over()
