"""What the A7 model does at the instructions it watches (``a7_sites.py`` finds them).

A mixin of ``CortexA7``. Any code hook, even on one address never executed, halves
Unicorn's counted speed everywhere (its count then goes through the general hook helper),
so the model catches the watched instructions in two ways that cost nothing elsewhere:

* the timer, CPACR, NSACR and FP-ID sites through **block hooks** bounded to the addresses
  where a translation block that runs into a site can start (``a7_sites.reach``). A block
  hook runs before its block: a site at the block's start is handled there; one further in
  ends the run before the block, and the next run is counted to stop right before the site,
  where the next block (and the hook) starts. Where a Thumb IT block comes first (Unicorn's
  count skips instructions whose condition fails) the site gets a code hook for one run
  instead, dropped with the translations made meanwhile before the run after;
* the unmasking sites through code hooks on those addresses, present only while an
  interrupt is signalled (it can only wait behind a mask then); Unicorn binds hooks when it
  translates, so arming and disarming drop the translations, and a signal that rises
  inside a run ends it so the hooks are in place.

A hook decodes its instruction again with the live CPSR:

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

from bisect import bisect_left

from unicorn import UC_HOOK_BLOCK, UC_HOOK_CODE
from unicorn import arm_const as uc_arm

from ..engine import NS_PER_S, Engine
from . import a7_mmu as mmu
from . import a7_sites as sites
from .a7_world import CPSR_IT, CPSR_T, MODE_MASK, MODE_USR, NS_BANK, NSACR, Stop, World
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
    _run_serial: int
    _stop: Stop | None
    _approach: tuple[World, int, int] | None
    _site_ahead: int

    # provided by CortexA7
    def _sample_timers(self) -> None: ...
    def _deliverable(self) -> bool: ...
    def _signalled(self) -> bool: ...

    # -- installing the hooks ------------------------------------------------------------
    def _hook_sites(self, world: World, va: int, pa: int, privileged: bool) -> None:
        """Note the watched instructions of a code page the first time it is fetched (at
        this privilege level) and hook them."""
        page = world.physical_page(pa)
        if page is None:
            return
        base = va & ~0xFFF
        key, digest = (base, pa & ~0xFFF, privileged), hash(page)
        if world.scanned_code.get(key) == digest:
            return
        world.scanned_code[key] = digest
        ranges: list[tuple[int, int]] = []
        for offset, found in sites.scan(page, privileged).items():
            site = base + offset
            world.sites.setdefault(site, set()).update(found)
            for kind, thumb in found:
                if kind == sites.UNMASK:
                    if site not in world.unmask_sites:
                        world.unmask_sites.add(site)
                        if world.unmask_hooks is not None:  # armed: hooked before translation
                            world.unmask_hooks.append(self._hook_unmask_site(world, site))
                    continue
                if site not in world.precise_modes:
                    world.precise_modes[site] = set()
                    world.precise_sites.insert(bisect_left(world.precise_sites, site), site)
                world.precise_modes[site].add(thumb)
                # From this code's branches: other code at this VA (another process's page)
                # may reach the same site from further back.
                ranges.append((base + sites.reach(page, offset, thumb), site))
        for begin, end in _merged(ranges):
            if (begin, end) not in world.block_ranges:
                world.block_ranges.add((begin, end))
                world.uc.hook_add(UC_HOOK_BLOCK, lambda _uc, address, size, _d, w=world:
                                  self._on_block(w, address, size), begin=begin, end=end)

    def _hook_unmask_site(self, world: World, site: int) -> int:
        return world.uc.hook_add(UC_HOOK_CODE, lambda _uc, address, _size, _d, w=world:
                                 self._on_unmask_site(w, address), begin=site, end=site)

    def _arm_unmask_hooks(self, world: World) -> None:
        """Hooks on the world's unmask sites while an interrupt is signalled; Unicorn binds
        hooks at translation, so each change drops the world's translations."""
        wanted = self._signalled()
        if wanted == (world.unmask_hooks is not None):
            return
        hooks = world.unmask_hooks
        if wanted:
            hooks = world.unmask_hooks = [self._hook_unmask_site(world, site)
                                          for site in sorted(world.unmask_sites)]
        else:
            for hook in hooks or ():
                world.uc.hook_del(hook)
            world.unmask_hooks = None
        if hooks:
            world.uc.ctl_flush_tb()

    # -- the block hooks -----------------------------------------------------------------
    def _on_block(self, world: World, address: int, size: int) -> None:
        """Before a block that may run into a timer/CPACR/FP-ID site."""
        started = world.counter.started()
        seen = (self._run_serial, address, started)
        if seen == world.block_seen:
            return  # another of the world's block hooks covers this block too
        world.block_seen = seen
        thumb = bool(world.cpsr() & CPSR_T)
        found = world.precise_sites
        for i in range(bisect_left(found, address), len(found)):
            site = found[i]
            if site >= address + size:
                return
            if thumb not in world.precise_modes[site]:
                continue
            if site == address:
                self._site_ahead = 1  # the count hook has not counted the site yet
                try:
                    if self._on_site(world, site):
                        return  # the run ends before the site
                finally:
                    self._site_ahead = 0
                continue  # a further site in this block is approached (this one is redone
                # first thing next run: every site's action is idempotent)
            steps = self._steps(world, address, site, thumb)
            if steps is None:
                continue  # not an instruction boundary from here
            if steps == sites.IN_IT_BLOCK:
                self._hook_exactly(world, site, address, size)
                return
            if steps < self._run_budget - started:
                # End the run before the block; the next one stops right before the site.
                self._approach = (world, address, steps)
                if self._stop is None:
                    self._stop = Stop("approach")
                world.uc.emu_stop()
            return

    def _steps(self, world: World, address: int, site: int, thumb: bool) -> int | None:
        if not thumb:
            return (site - address) // 4
        if world.cpsr() & CPSR_IT:
            return sites.IN_IT_BLOCK
        pa = mmu.translate(world.mmu_registers(), address, mmu.Access(),
                           world.read_physical_word)
        page = world.physical_page(pa) if isinstance(pa, int) else None
        if page is None:
            return None
        offset = address & 0xFFF
        return sites.thumb_steps(page, offset, offset + site - address)

    def _hook_exactly(self, world: World, site: int, block: int, size: int) -> None:
        """A code hook on ``site`` for the next run (the block is translated again with it);
        ``_before_run`` drops it and the translations made meanwhile the run after."""
        if any(hooked == site for hooked, _hook in world.exact_hooks):
            return  # hooked already: this block's translation calls it
        world.exact_hooks.append((site, world.uc.hook_add(
            UC_HOOK_CODE, lambda _uc, address, _size, _d, w=world:
            self._on_exact_site(w, address), begin=site, end=site)))
        world.exact_run = self._run_serial + 1
        world.stale_blocks.append((block, block + size))
        self._approach = None
        if self._stop is None:
            self._stop = Stop("approach")
        world.uc.emu_stop()

    def _before_run(self, world: World) -> None:
        """Hooks as the next run needs them (``_run_serial`` is already the next run's)."""
        if world.exact_hooks and self._run_serial > world.exact_run:
            for _site, hook in world.exact_hooks:
                world.uc.hook_del(hook)
            world.exact_hooks = []
            world.uc.ctl_flush_tb()
        if world.stale_blocks:  # translated without the new code hook
            world.stale_blocks = []
            world.uc.ctl_flush_tb()
        self._arm_unmask_hooks(world)

    def _on_exact_site(self, world: World, address: int) -> None:
        """A code hook's site: Unicorn's count has begun the instruction already."""
        if self._on_site(world, address, begun=True) and self._stop is None:
            self._stop = Stop("before")

    # -- at a site -----------------------------------------------------------------------
    def _on_unmask_site(self, world: World, address: int) -> None:
        if not (self._signalled() and not self._deliverable()):
            return  # the common case, cheaply: nothing waits behind a mask
        code = world.read_code(address)
        if code is not None and sites.decode(code, bool(world.cpsr() & CPSR_T)) == sites.UNMASK:
            self._on_unmask(world)

    def _on_site(self, world: World, address: int, begun: bool = False) -> bool:
        """Act before the watched instruction at ``address``; True if the run ends there."""
        cpsr = world.cpsr()
        thumb = bool(cpsr & CPSR_T)
        code = world.read_code(address)
        kind = sites.decode(code, thumb) if code is not None else None
        if kind is None or kind == sites.UNMASK:
            return False  # remapped, or the other instruction set: not watched here
        if kind == sites.FP_ID and not world.vfp_denied:
            return False
        word = _as_word(code, thumb)
        if not condition_passed(it_condition(cpsr) if thumb else word >> 28, cpsr):
            return False
        if kind == sites.TIMER_WRITE:
            return self._on_timer_write(world, address, code, thumb)
        if kind == sites.TIMER_READ:
            return self._refresh_timers(world, address)
        if cpsr & MODE_MASK == MODE_USR:
            return False  # CP15 system registers and FP ID transfers from PL0: undefined
        if kind == sites.CPACR:
            self._on_cpacr(world, word)
        elif kind == sites.NSACR_READ:
            if world.secure:
                world.set_cp15(NSACR, self.normal.cp15(NSACR))  # the true value
        elif kind == sites.FP_ID:
            self._stop = Stop("intr", intno=INTR_UDEF) if begun else Stop("udef")
            world.uc.emu_stop()
            return True
        return False

    # -- interrupts ------------------------------------------------------------------------
    def _on_unmask(self, world: World) -> None:
        """Run the unmasking instruction alone, then take what it unmasked."""
        if self._run_budget > 1 and self._signalled() and not self._deliverable():
            self._stop = Stop("replay")
            world.uc.emu_stop()

    # -- the generic timer ------------------------------------------------------------------
    def _on_timer_write(self, world: World, address: int, code: bytes, thumb: bool) -> bool:
        write = decode_timer_write(code, thumb)
        if write is None:
            return False
        if world.cpsr() & MODE_MASK == MODE_USR:
            kctl = world.cp15((0, 14, 1, 0))
            if not kctl & (1 << (8 if write.virtual else 9)):
                return False  # PL0 access not enabled: the instruction is undefined natively
        comp = VIRTUAL if write.virtual else PHYSICAL
        ctl, cval = read_comparator(world.uc, comp)
        if write.register == "ctl":
            ctl = (ctl & CTL_ISTATUS) | (world.gpr(write.rt) & 3)
            world.set_cp15(comp.ctl, ctl)
        else:
            cval = world.gpr(write.rt) | world.gpr(write.rt2) << 32
            world.uc.cpr_write(15, comp.cval_opc1, 0, 14, 0, NS_BANK, True, cval)
        return self._refresh_timers(world, address, deadline_moved=True)

    def _refresh_timers(self, world: World, address: int, deadline_moved: bool = False
                        ) -> bool:
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
        waiting = self._signalled() and world.unmask_hooks is None  # to arm the unmask hooks
        if address != self._run_begin and (self._deliverable() or early or waiting):
            world.uc.emu_stop()
            return True
        return False

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


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or adjacent address ranges joined (one block hook each)."""
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(ranges):
        if merged and begin <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _as_word(code: bytes, thumb: bool) -> int:
    """The instruction as an ARM-layout word (a 32-bit Thumb one with cond = 0xE)."""
    if thumb:
        hw1 = int.from_bytes(code[:2], "little")
        return 0xE0000000 | (hw1 & 0x0FFF) << 16 | int.from_bytes(code[2:4], "little")
    return int.from_bytes(code[:4], "little")

