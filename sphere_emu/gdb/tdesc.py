"""Target descriptions: which registers GDB sees, in which order, built from a core's names.

GDB numbers the registers in the order the description lists them, and ``g``/``G`` carry
them in that order. Each GDB register is backed by one or more of the core's registers:
an M4F has no 64-bit ``d`` registers of its own, so ``d5`` is ``s10`` (low word) and ``s11``
(high word), and GDB shows ``s0``-``s31`` as pseudo registers over the ``d`` registers.

Only features GDB's ARM support knows are used for architectural state
(``org.gnu.gdb.arm.m-profile``, ``.core``, ``.vfp``, ``.m-system``, ``.neon``); the M-profile
special registers that have no standard feature go in one of our own, which GDB shows as
plain registers (``info registers primask``, ``$basepri``).
"""

from dataclasses import dataclass
from functools import cached_property
from xml.sax.saxutils import quoteattr

CORE_REGS = tuple(f"r{i}" for i in range(13)) + ("sp", "lr", "pc")
M_SPECIAL = ("primask", "basepri", "faultmask", "control")
EXTRA_FEATURE = "org.sphere-emu.arm.m-special"


@dataclass(frozen=True)
class RegDef:
    name: str
    bitsize: int
    parts: tuple[str, ...]  # the core's registers, least significant first
    type: str = "int"
    group: str | None = None

    @property
    def size(self) -> int:
        return self.bitsize // 8


@dataclass(frozen=True)
class Feature:
    name: str
    regs: tuple[RegDef, ...]


@dataclass(frozen=True)
class RegisterLayout:
    architecture: str
    features: tuple[Feature, ...]

    @cached_property
    def regs(self) -> tuple[RegDef, ...]:
        return tuple(r for f in self.features for r in f.regs)

    @cached_property
    def by_name(self) -> dict[str, int]:
        return {r.name: n for n, r in enumerate(self.regs)}

    @cached_property
    def g_size(self) -> int:
        return sum(r.size for r in self.regs)

    @cached_property
    def xml(self) -> bytes:
        lines = ['<?xml version="1.0"?>', '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
                 '<target version="1.0">', f"  <architecture>{self.architecture}</architecture>"]
        number = 0
        for feature in self.features:
            lines.append(f"  <feature name={quoteattr(feature.name)}>")
            for r in feature.regs:
                attrs = (f'name={quoteattr(r.name)} bitsize="{r.bitsize}" regnum="{number}" '
                         f"type={quoteattr(r.type)}")
                if r.group:
                    attrs += f" group={quoteattr(r.group)}"
                lines.append(f"    <reg {attrs}/>")
                number += 1
            lines.append("  </feature>")
        lines.append("</target>")
        return ("\n".join(lines) + "\n").encode()


class UnsupportedCore(ValueError):
    """The core's register names fit no description this server knows."""


def _reg(name: str, bitsize: int = 32, type: str = "int", group: str | None = None) -> RegDef:
    return RegDef(name, bitsize, (name,), type, group)


def _core_feature(name: str, status: str) -> Feature:
    regs = [_reg(n) for n in CORE_REGS[:13]]
    regs += [_reg("sp", type="data_ptr"), _reg("lr"), _reg("pc", type="code_ptr"), _reg(status)]
    return Feature(name, tuple(regs))


def _vfp_feature(have: set[str], count: int) -> Feature | None:
    """``d0``..``d{count-1}`` (native, or pairs of ``s`` registers) and ``fpscr``."""
    if "fpscr" not in have:
        return None
    regs = []
    for i in range(count):
        if f"d{i}" in have:
            parts: tuple[str, ...] = (f"d{i}",)
        elif {f"s{2 * i}", f"s{2 * i + 1}"} <= have:
            parts = (f"s{2 * i}", f"s{2 * i + 1}")
        elif i >= 16:
            break  # d16-d31 are optional (VFPv3-D16 / FPv4-SP stop at d15)
        else:
            return None
        regs.append(RegDef(f"d{i}", 64, parts, "ieee_double"))
    regs.append(_reg("fpscr", group="float"))
    return Feature("org.gnu.gdb.arm.vfp", tuple(regs))


def layout_for(names: list[str]) -> RegisterLayout:
    """The description for a core offering ``names`` (``Core.register_names()``)."""
    have = set(names)
    missing = [n for n in CORE_REGS if n not in have]
    if missing:
        raise UnsupportedCore(f"core has no {', '.join(missing)}")
    if "xpsr" in have:
        features = [_core_feature("org.gnu.gdb.arm.m-profile", "xpsr")]
        vfp = _vfp_feature(have, 16)
        if vfp is not None:
            features.append(vfp)
        if {"msp", "psp"} <= have:
            features.append(Feature("org.gnu.gdb.arm.m-system", (
                _reg("msp", type="data_ptr", group="system"),
                _reg("psp", type="data_ptr", group="system"))))
        special = tuple(_reg(n, group="system") for n in M_SPECIAL if n in have)
        if special:
            features.append(Feature(EXTRA_FEATURE, special))
        return RegisterLayout("armv7e-m", tuple(features))
    if "cpsr" in have:
        features = [_core_feature("org.gnu.gdb.arm.core", "cpsr")]
        vfp = _vfp_feature(have, 32)
        if vfp is not None:
            features.append(vfp)
            if len(vfp.regs) == 33:  # 32 d registers + fpscr: GDB adds q0-q15 over them
                features.append(Feature("org.gnu.gdb.arm.neon", ()))
        return RegisterLayout("arm", tuple(features))
    raise UnsupportedCore("core has neither xpsr (M-profile) nor cpsr (A-profile)")
