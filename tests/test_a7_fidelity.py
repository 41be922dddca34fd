"""ARMv7-A behaviours of the A7 model an independent test checked against the architecture
(issue 15), on real firmware: firmware/a7/apps/a7-fidelity reports each as "ok   NAME" or
"FAIL NAME" on the A7 console.
"""

import pytest
from conftest import PREBUILT
from test_cortex_a import a7_machine

from sphere_emu.runner import Outcome, Runner

FIRMWARE = PREBUILT / "a7-fidelity.elf"


@pytest.fixture(scope="module")
def report() -> dict[str, bool]:
    machine = a7_machine()
    machine.load_elf("a7", FIRMWARE)
    runner = Runner(machine, expect=["a7-fidelity done"])
    assert runner.run(20_000_000).outcome is Outcome.EXPECTED, [e.line for e in runner.lines]
    results = {}
    for entry in runner.lines:
        status, _, name = entry.line.partition(" ")
        if status in ("ok", "FAIL"):
            results[name.strip()] = status == "ok"
    return results


def failed(report: dict[str, bool], names: list[str]) -> list[str]:
    missing = [n for n in names if n not in report]
    assert not missing, f"checks not reported: {missing}"
    return [n for n in names if not report[n]]


def test_timer_istatus_is_live(report):
    assert failed(report, [
        "CNTV_CTL.ISTATUS clear before the deadline",
        "CNTV_CTL.ISTATUS set once TVAL is negative",
        "CNTV_CTL.ISTATUS clear after TVAL moved on",
        "CNTP_CTL.ISTATUS set once TVAL is negative",
    ]) == []


def test_pending_irq_is_taken_right_after_the_cpsr_unmasks_it(report):
    assert failed(report, [
        "no IRQ taken while CPSR.I is set",
        "pending IRQ taken right after cpsie i",
        "pending IRQ taken right after msr cpsr_c",
        "pending IRQ taken right after an exception return that unmasks",
        "second pending IRQ taken right after the first handler returns",
    ]) == []


def test_pending_irq_is_taken_right_after_the_gic_unmasks_it(report):
    assert failed(report, [
        "no IRQ taken while GICC_PMR masks it",
        "pending IRQ taken right after a GICC_PMR write",
        "no IRQ taken while GICC_CTLR is off",
        "pending IRQ taken right after a GICC_CTLR write",
        "no IRQ taken while the SGI is disabled",
        "pending IRQ taken right after a GICD_ISENABLER write",
        "SGI taken right after the GICD_SGIR write",
    ]) == []


def test_secure_cpacr_reads_back_what_was_written(report):
    assert failed(report, [
        "Secure CPACR.cp10/cp11 read back as written with NSACR clear",
        "Secure CPACR.cp10/cp11 cleared",
    ]) == []


def test_vfp_access_traps_as_the_architecture_says(report):
    assert failed(report, [
        "VFP runs with CPACR full access and FPEXC.EN set",
        "VFP instruction undefined with CPACR.cp10/cp11 = 0",
        "vmsr fpexc undefined with CPACR.cp10/cp11 = 0",
        "vmrs fpexc undefined with CPACR.cp10/cp11 = 0",
        "vmsr/vmrs fpexc allowed with FPEXC.EN clear",
        "VFP instruction undefined with FPEXC.EN clear",
        "VFP runs again once re-enabled",
    ]) == []


def test_nsacr_denies_the_normal_world_vfp(report):
    assert failed(report, [
        "Normal CPACR.cp10/cp11 read as 0 while NSACR denies them",
        "Normal vmsr fpexc undefined while NSACR denies cp10/cp11",
        "Normal VFP instruction undefined while NSACR denies cp10/cp11",
    ]) == []


def test_every_check_passed(report):
    assert report and all(report.values()), [n for n, ok in report.items() if not ok]
