"""MT3620 PWM controllers (GPIO groups 0-2, group + 0x1000): four channels per group, each
driving one pad of its group with a waveform in virtual time.

A channel runs from the moment a kick (CTRL bit0, or PWM_GLO_CTRL bit0 for channels with
CTRL bit5 set) is written while its clock is enabled (CTRL bit4, 1 = running, per MediaTek's
HDL and Codethink), until its clock is disabled. It outputs state S0: ``on`` ticks high
then ``off`` ticks low of the tick clock PWM_GLO_CTRL bits 2:1 select (0: 32.768 kHz,
1: 2 MHz, 2: 26 MHz); CTRL bit2 (polarity) inverts it. The waveform is handed to the pin
model as parameters, so a running channel costs no event per edge unless something watches
the pin (a VCD, an LED's trace, an EINT). While it runs, the channel owns its pad (the pad
mux gives the pin to the function); stopped, the pad goes back to the GPIO block.

``dp_sel`` (PWM_GLO_CTRL bits 15:8, two bits per pad) names the channel that drives each
pad; the reset value 0xE400 is the identity. Not modelled: S1 and replay mode (S0 repeats),
open-drain output, the global reset bit (stored).
"""

from typing import Any

from ..pins import Pin, Strength, Waveform
from ..snapshot import to_plain
from ..units import parse_int
from .registers import BusAccess, Peripheral, PeripheralContext, Register

KICK, POLARITY, CLOCK_EN, GLOBAL_KICK_EN = 1 << 0, 1 << 2, 1 << 4, 1 << 5
GLOBAL_KICK = 1 << 0
TICK_CLOCKS_HZ = (32_768, 2_000_000, 26_000_000, 26_000_000)
GLO_CTRL_RESET = 0xE400
CTRL_RESET = 0x04  # MediaTek's "restore default" value (Codethink's is 0x0C: conflict K7)
CHANNELS = 4


class Mt3620Pwm(Peripheral):
    TYPE = "mt3620-pwm"
    SIZE = 0x1000
    OPTIONS = {"first_pin": parse_int}

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.first_pin: int = ctx.options.get("first_pin", 0)
        self.pads: list[Pin] = [ctx.pins.pins[self.first_pin + i] for i in range(CHANNELS)]
        self.running: list[Waveform | None] = [None] * CHANNELS
        self._who = ""
        super().__init__(name, ctx)

    def registers(self) -> list[Register]:
        return [
            Register("PWM_GLO_CTRL", 0x000, reset=GLO_CTRL_RESET, writable=0xFF0F,
                     write=self._write_global),
            Register("PWM{}_CTRL", 0x100, count=CHANNELS, stride=0x10, reset=CTRL_RESET,
                     write=self._write_ctrl),
            Register("PWM{}_PARAM_S0", 0x104, count=CHANNELS, stride=0x10),
            Register("PWM{}_PARAM_S1", 0x108, count=CHANNELS, stride=0x10),
        ]

    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None:
        self._who = access.initiator
        super().write(offset, size, value, access)

    def _now(self) -> int:
        return self.ctx.pins.time_of(self._who)

    def _write_global(self, value: int) -> None:
        self.regs["PWM_GLO_CTRL"] = value & 0xFF0E  # the kick is not stored
        if value & GLOBAL_KICK:
            for n in range(CHANNELS):
                if self.regs[f"PWM{n}_CTRL"] & GLOBAL_KICK_EN:
                    self._kick(n)
        self._drive_pads()

    def _write_ctrl(self, n: int, value: int) -> None:
        self.regs[f"PWM{n}_CTRL"] = value & ~KICK
        if not value & CLOCK_EN:
            self.running[n] = None
        elif value & KICK:
            self._kick(n)
        self._drive_pads()

    def _kick(self, n: int) -> None:
        ctrl = self.regs[f"PWM{n}_CTRL"]
        if not ctrl & CLOCK_EN:
            return
        param = self.regs[f"PWM{n}_PARAM_S0"]
        on, off = param & 0xFFFF, param >> 16
        hz = TICK_CLOCKS_HZ[(self.regs["PWM_GLO_CTRL"] >> 1) & 3]
        high, low = (off, on) if ctrl & POLARITY else (on, off)
        self.running[n] = Waveform(self._now(), hz, high, low, first_high=not ctrl & POLARITY)

    def _drive_pads(self) -> None:
        now = self._now()
        dp_sel = self.regs["PWM_GLO_CTRL"] >> 8
        for pad_index, pad in enumerate(self.pads):
            channel = (dp_sel >> (2 * pad_index)) & 3
            pad.drive(self.name, Strength.FUNCTION, self.running[channel], now)

    def reset(self) -> None:
        super().reset()
        if getattr(self, "pads", None):
            self.running = [None] * CHANNELS
            self._drive_pads()

    # -- snapshots (the pads' drives are the pins' own state) ----------------------------
    def snapshot(self) -> dict[str, Any]:
        return {**super().snapshot(), "running": to_plain(self.running)}

    def restore(self, state: dict[str, Any]) -> None:
        state = dict(state)
        self.running = [None if w is None else Waveform(**w) for w in state.pop("running")]
        super().restore(state)
