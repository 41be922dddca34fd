"""The A7's aborts: FSR/FAR and the exception entry for MMU faults, alignment faults and
bus errors (a mixin of ``CortexA7``; the faulting access is decoded with capstone,
``a7_access.py``, only when an abort needs its address)."""

from typing import TYPE_CHECKING

from . import a7_mmu as mmu
from .a7_world import (
    CPSR_T,
    CS_NAMES,
    DFAR,
    DFSR,
    GPR,
    IFAR,
    IFSR,
    MODE_ABT,
    MODE_MASK,
    MODE_USR,
    SCR_EA,
    VEC_DABT,
    VEC_PABT,
    MonitorState,
    World,
)

if TYPE_CHECKING:
    from .a7_access import AccessDecoder, DataAccess


class Aborts:
    monitor: MonitorState
    _decoder: "AccessDecoder | None"

    # provided by CortexA7
    def _monitor_entry(self, vector: int, resume: int, pass_arguments: bool) -> None: ...

    def _data_abort(self, world: World, pc: int, status: int, far: int, write: bool,
                    domain: int = 0, external: bool = False) -> None:
        world.set_cp15(DFSR, mmu.fsr(status, domain, write))
        world.set_cp15(DFAR, far)
        if external and not world.secure and self.monitor.scr & SCR_EA:
            self._monitor_entry(VEC_DABT, resume=pc, pass_arguments=False)
            return
        world.enter_exception(MODE_ABT, VEC_DABT, lr=pc + 8)

    def _prefetch_abort(self, world: World, pc: int, status: int, far: int,
                        external: bool = False) -> None:
        world.set_cp15(IFSR, mmu.fsr(status))
        world.set_cp15(IFAR, far)
        if external and not world.secure and self.monitor.scr & SCR_EA:
            self._monitor_entry(VEC_PABT, resume=pc, pass_arguments=False)
            return
        world.enter_exception(MODE_ABT, VEC_PABT, lr=pc + 4)

    def _external_data_abort(self, world: World, pc: int, pa: int, write: bool) -> None:
        """A bus error (nothing there, or refused) at physical ``pa``; DFAR is the VA."""
        cpsr = world.cpsr()
        regs = world.mmu_registers()
        access = self._decode_access(world, pc, bool(cpsr & CPSR_T), regs)
        far = pa
        if access is not None:
            write = access.write
            user = cpsr & MODE_MASK == MODE_USR
            for va in access.addresses:
                hit = mmu.translate(regs, va, mmu.Access(write=write, user=user),
                                    world.read_physical_word)
                if isinstance(hit, int) and hit >> 12 == pa >> 12:
                    far = va
                    break
        self._data_abort(world, pc, mmu.FS_EXTERNAL, far, write, external=True)

    def _alignment_abort(self, world: World, pc: int) -> None:
        cpsr = world.cpsr()
        access = self._decode_access(world, pc, bool(cpsr & CPSR_T), world.mmu_registers())
        far = access.addresses[0] if access is not None and access.addresses else 0
        self._data_abort(world, pc, mmu.FS_ALIGNMENT, far, bool(access and access.write))

    def _translation_abort(self, world: World, pc: int, va: int, fetch: bool, write: bool
                           ) -> None:
        """An access reached the fault window: walk again and raise the abort it names."""
        user = world.cpsr() & MODE_MASK == MODE_USR
        result = mmu.translate(world.mmu_registers(), va,
                               mmu.Access(write=write, execute=fetch, user=user),
                               world.read_physical_word)
        if not isinstance(result, mmu.Fault):
            world.flush_tlb()  # the tables changed since the fill: retry with a fresh one
            return
        if fetch:
            self._prefetch_abort(world, pc, result.status, va)
        else:
            self._data_abort(world, pc, result.status, va, write, result.domain)

    def _decode_access(self, world: World, pc: int, thumb: bool, regs: mmu.MmuRegisters
                       ) -> "DataAccess | None":
        code = world.read_code(pc, regs)
        if code is None:
            return None

        def register(reg_id: int) -> int:
            name = self._decoder_name(reg_id, thumb)
            index = CS_NAMES.get(name)
            return world.uc.reg_read(GPR[index]) if index is not None else 0

        return self._access_decoder().decode(code, pc, thumb, register)

    def _access_decoder(self) -> "AccessDecoder":
        if self._decoder is None:
            from .a7_access import AccessDecoder  # capstone: see a7_access.py
            self._decoder = AccessDecoder()
        return self._decoder

    def _decoder_name(self, reg_id: int, thumb: bool) -> str:
        return self._access_decoder()._cs[thumb].reg_name(reg_id) or ""
