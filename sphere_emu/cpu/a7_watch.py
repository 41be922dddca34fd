"""What the A7 model does at the instructions it watches (``a7_sites.py`` finds them).

A mixin of ``CortexA7``. Each watched address has a code hook of its own, installed when
its page is first fetched through the TLB, so an ordinary run has no per-instruction or
per-block hook; a hook runs before its instruction and decodes it again with the live CPSR:

* timer CTL/CVAL writes are stored (Unicorn drops them), timer CTL reads get ISTATUS as of
  the exact time of the read;
* an unmasking instruction (CPSIE, MSR CPSR_c, exception return) met while an interrupt
  is signalled but masked ends the run before it and runs it alone, so the interrupt is
  taken before the next instruction;
* CPACR behaves as in the state of its world: Unicorn runs both worlds in its Non-secure
  state, where NSACR.cp10/cp11 = 0 masks CPACR.cp10/cp11, so Secure accesses run with
  NSACR's cp10/cp11 bits lent to them (and a Secure NSACR read gets the true value back);
* VFP access follows CPACR.cp10 and, in the Normal World, NSACR.cp10, which Unicorn does
  not check: while access is denied the model keeps FPEXC.EN clear in Unicorn (every VFP
  instruction except the ID/FPEXC transfers is then undefined natively) and makes the
  VMRS/VMSR of FPSID, FPEXC and MVFR0/1 undefined itself. CPACR's "PL1 only" setting
  counts as full access (User-mode denial is not modelled).
"""

from unicorn import UC_HOOK_CODE
from unicorn import arm_const as uc_arm

from ..engine import NS_PER_S, Engine
from . import a7_sites as sites
from .a7_world import CPSR_T, MODE_MASK, MODE_USR, NS_BANK, NSACR, Stop, World
from .generic_timer import (
    CTL_ISTATUS,
    PHYSICAL,
    VIRTUAL,
    GenericTimers,
    condition_passed,
    decode_timer_write,
    it_condition,
    read_comparator,
)

CPACR = (0, 1, 0, 2)
CPACR_CP10 = 3 << 20
NSACR_CP10_CP11 = 3 << 10
FPEXC_EN = 1 << 30
INTR_UDEF = 1
_UNMASK_ONLY = {sites.UNMASK}
_FP_ID_ONLY = {sites.FP_ID}


class WatchedInstructions:
    world: World
    secure: World
    normal: World
    engine: Engine
    timers: GenericTimers
    frequency_hz: int
    _in_emu: bool
    _run_begin: int
    _run_budget: int
    _stop: Stop | None

    # provided by CortexA7
    def _sample_timers(self) -> None: ...
    def _deliverable(self) -> bool: ...
    def _signalled(self) -> bool: ...

    # -- installing the hooks ------------------------------------------------------------
    def _hook_sites(self, world: World, va: int, pa: int) -> None:
        """Hook the watched instructions of a code page the first time it is fetched."""
        page = world.physical_page(pa)
        if page is None:
            return
        base = va & ~0xFFF
        key, digest = (base, pa & ~0xFFF), hash(page)
        if world.scanned_code.get(key) == digest:
            return
        world.scanned_code[key] = digest
        for offset, kinds in sites.scan(page).items():
            site = base + offset
            if site in world.sites:
                world.sites[site].update(kinds)  # the kinds of every code seen at this VA
                continue
            world.sites[site] = kinds
            world.uc.hook_add(UC_HOOK_CODE, lambda _uc, address, _size, _d, w=world, k=kinds:
                              self._on_site(w, address, k), begin=site, end=site)

    def _on_site(self, world: World, address: int, kinds: set[str]) -> None:
        # The common cases cheaply first: nothing waits behind a mask, VFP access granted.
        if kinds == _UNMASK_ONLY and not (self._signalled() and not self._deliverable()):
            return
        if kinds == _FP_ID_ONLY and not world.vfp_denied:
            return
        cpsr = world.cpsr()
        thumb = bool(cpsr & CPSR_T)
        code = world.read_code(address)
        kind = sites.decode(code, thumb) if code is not None else None
        if kind is None:
            return  # remapped, or the other instruction set: not a watched instruction here
        if kind == sites.UNMASK:
            self._on_unmask(world)
            return
        word = _as_word(code, thumb)
        if not condition_passed(it_condition(cpsr) if thumb else word >> 28, cpsr):
            return
        if kind == sites.TIMER_WRITE:
            self._on_timer_write(world, address, code, thumb)
        elif kind == sites.TIMER_READ:
            self._refresh_timers(world, address)
        elif cpsr & MODE_MASK == MODE_USR:
            return  # CP15 system registers and FP ID transfers from PL0: undefined natively
        elif kind == sites.CPACR:
            self._on_cpacr(world, word)
        elif kind == sites.NSACR_READ:
            if world.secure:
                world.set_cp15(NSACR, self.normal.cp15(NSACR))  # the true value
        elif kind == sites.FP_ID and world.vfp_denied:
            self._stop = Stop("intr", intno=INTR_UDEF)
            world.uc.emu_stop()

    # -- interrupts ------------------------------------------------------------------------
    def _on_unmask(self, world: World) -> None:
        """Run the unmasking instruction alone, then take what it unmasked."""
        if self._run_budget > 1 and self._signalled() and not self._deliverable():
            self._stop = Stop("replay")
            world.uc.emu_stop()

    # -- the generic timer ------------------------------------------------------------------
    def _on_timer_write(self, world: World, address: int, code: bytes, thumb: bool) -> None:
        write = decode_timer_write(code, thumb)
        if write is None:
            return
        if world.cpsr() & MODE_MASK == MODE_USR:
            kctl = world.cp15((0, 14, 1, 0))
            if not kctl & (1 << (8 if write.virtual else 9)):
                return  # PL0 access not enabled: the instruction is undefined natively
        comp = VIRTUAL if write.virtual else PHYSICAL
        ctl, cval = read_comparator(world.uc, comp)
        if write.register == "ctl":
            ctl = (ctl & CTL_ISTATUS) | (world.gpr(write.rt) & 3)
            world.set_cp15(comp.ctl, ctl)
        else:
            cval = world.gpr(write.rt) | world.gpr(write.rt2) << 32
            world.uc.cpr_write(15, comp.cval_opc1, 0, 14, 0, NS_BANK, True, cval)
        self._refresh_timers(world, address, deadline_moved=True)

    def _refresh_timers(self, world: World, address: int, deadline_moved: bool = False
                        ) -> None:
        """Bring the timers (and ISTATUS) to the exact time of the instruction at ``address``;
        stop before it if that made an interrupt takeable or moved a deadline into this run
        (the instruction runs again first thing next run: it is idempotent)."""
        self._in_emu = False  # not inside an MMIO access: no cut request, stop here instead
        try:
            self._sample_timers()
        finally:
            self._in_emu = True
        early = False
        if deadline_moved:
            deadline = self.timers.next_deadline_ns()
            engine = self.engine
            run_end = engine.slice_start_ns + (engine.used + self._run_budget) \
                * NS_PER_S // self.frequency_hz
            early = deadline is not None and deadline < run_end
        if address != self._run_begin and (self._deliverable() or early):
            world.uc.emu_stop()

    # -- CPACR, NSACR and VFP access -------------------------------------------------------
    def _on_cpacr(self, world: World, word: int) -> None:
        if world.secure:  # lend NSACR.cp10/cp11 so the access works as in Secure state
            world.set_cp15(NSACR, self.normal.cp15(NSACR) | NSACR_CP10_CP11)
        if word & (1 << 20):
            return  # a read
        value = world.gpr((word >> 12) & 0xF)
        self.set_vfp_access(world, bool(value & CPACR_CP10))

    def refresh_normal_vfp_access(self) -> None:
        """After an NSACR write: the Normal World's access from its CPACR and NSACR."""
        normal = self.normal
        self.set_vfp_access(normal, bool(normal.cp15(CPACR) & CPACR_CP10))

    def set_vfp_access(self, world: World, cpacr_allows: bool) -> None:
        nsacr_allows = world.secure or bool(self.normal.cp15(NSACR) & (1 << 10))
        denied = not (cpacr_allows and nsacr_allows)
        if denied == world.vfp_denied:
            return
        uc = world.uc
        if denied:
            world.fpexc = uc.reg_read(uc_arm.UC_ARM_REG_FPEXC)
            uc.reg_write(uc_arm.UC_ARM_REG_FPEXC, world.fpexc & ~FPEXC_EN)
        else:
            uc.reg_write(uc_arm.UC_ARM_REG_FPEXC, world.fpexc)
        world.vfp_denied = denied


def _as_word(code: bytes, thumb: bool) -> int:
    """The instruction as an ARM-layout word (a 32-bit Thumb one with cond = 0xE)."""
    if thumb:
        hw1 = int.from_bytes(code[:2], "little")
        return 0xE0000000 | (hw1 & 0x0FFF) << 16 | int.from_bytes(code[2:4], "little")
    return int.from_bytes(code[:4], "little")

