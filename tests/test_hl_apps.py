"""High-level apps under the kernel: hello-hl and hello-rt through `sphere-emu run` (the
full boot chain: Pluton ROM, Security Monitor, the kernel), and manifest enforcement with
eperm-hl (firmware/hl/apps/eperm-hl): opening what the manifest does not list fails with
EACCES (as applibs documents), is logged with the app and the capability, and the app runs
on."""

from conftest import BOARDS, PREBUILT, run_cli
from test_kernel import boot, lines

from sphere_emu.runner import Outcome

EACCES_LINES = [
    "EACCES: eperm-hl Gpio 9 not in manifest",
    "GPIO_OpenAsOutput(9) -> -1, errno 13 (Permission denied)",
    "EACCES: eperm-hl Uart ISU1 not in manifest",
    "UART_Open(ISU1) -> -1, errno 13 (Permission denied)",
    "EACCES: eperm-hl AllowedApplicationConnections 5a1e0002-6d0c-4f3e-9b9e-000000000002 "
    "not in manifest",
    "Application_Connect -> -1, errno 13 (Permission denied)",
    "EACCES: eperm-hl MutableStorage not in manifest",
    "Storage_OpenMutableFile -> -1, errno 13 (Permission denied)",
]
RDB = str(BOARDS / "mt3620-rdb.yaml")  # boots the signed SM and prebuilt/kernel.imagepackage


def test_hello_hl_through_the_boot_chain(cli):
    r = cli("run", RDB, str(PREBUILT / "hello-hl.imagepackage"), "--timeout", "2s",
            "--expect", "Hello")
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout.splitlines()
    assert "Hello from a high-level app on the A7!" in out
    assert out.index("[kernel] starting hello-hl") < out.index(
        "Hello from a high-level app on the A7!")


def test_hello_rt_through_the_boot_chain(cli):
    r = cli("run", RDB, str(PREBUILT / "hello-rt.imagepackage"), "--timeout", "2s",
            "--expect", "Hello from the MT3620 IO core", "--expect", "Tick 1")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[kernel] started RT app hello-rt on io0" in r.stdout


def test_eperm_through_the_boot_chain(cli):
    r = cli("run", RDB, str(PREBUILT / "eperm-hl.imagepackage"), "--timeout", "2s",
            "--expect", r"EACCES: eperm-hl Gpio 9 not in manifest",
            "--expect", "still running after the refusals")
    assert r.returncode == 0, r.stdout + r.stderr


def test_opening_what_the_manifest_does_not_list_gets_eacces_and_the_app_runs_on():
    outcome, runner = boot("eperm-hl.imagepackage", expect=["exited with status"])
    assert outcome is Outcome.EXPECTED, lines(runner)
    out = lines(runner)
    start = out.index(EACCES_LINES[0])
    assert out[start:start + len(EACCES_LINES)] == EACCES_LINES
    # What the manifest allows still works after the refusals: GPIO 8 and ISU0.
    assert "[gpio] eperm-hl: GPIO 8 = high" in out
    assert "[gpio] eperm-hl: GPIO 8 = low" in out
    assert "UART_Open(ISU0) -> fd 3" in out
    assert lines(runner, "isu0-uart") == ["eperm-hl on ISU0"]
    assert out[-2:] == ["eperm-hl still running after the refusals",
                        "[kernel] app eperm-hl exited with status 0"]


def test_one_high_level_app_at_a_time():
    outcome, runner = boot("hello-hl.imagepackage", "eperm-hl.imagepackage",
                           expect=["exited with status"])
    assert outcome is Outcome.EXPECTED, lines(runner)
    out = lines(runner)
    assert "[kernel] eperm-hl: only one high-level app runs at a time" in out
    assert "[kernel] app hello-hl exited with status 0" in out


def test_system_calls_an_app_is_allowed():
    outcome, runner = boot("syscalls-hl.imagepackage", expect=["exited with status"],
                           limit_ns=3_000_000_000)
    assert outcome is Outcome.EXPECTED, lines(runner)
    assert lines(runner)[2:] == [
        "format: [  -42] [ab   ] [0beef] [z] [-1234567890123] [%]",
        "slept 1000 ms",
        "[gpio] syscalls-hl: GPIO 0 = low",
        "[gpio] syscalls-hl: GPIO 0 = high",
        "GPIO 12 reads 1 (0)",  # button A, released: its pull-up holds the pad high
        "GPIO_SetValue on an input: -1, errno 22",
        "UART write: 21",
        'storage: read 9 bytes "counter=1"',
        "storage: ftruncate 7 -> 0, fsync -> 0, size 7",
        "storage: ftruncate past the quota -> -1, errno 28",
        "fsync on a tty: -1, errno 22",
        "storage after delete: 0 bytes",
        "write to fd 42: -1, errno 9",
        "write from kernel memory: -1, errno 14",
        "[kernel] app syscalls-hl exited with status 3",
    ]
    assert lines(runner, "isu2-uart") == ["syscalls-hl on ISU2"]
    # The second went by in virtual time: the kernel slept in WFI on the timer.
    slept = next(e for e in runner.lines if e.line == "slept 1000 ms")
    assert 1_000_000_000 <= slept.time_ns < 1_010_000_000


def test_an_app_touching_kernel_memory_is_ended_not_the_kernel():
    outcome, runner = boot("fault-hl.imagepackage", expect=["killed"], fail_on=["must not"])
    assert outcome is Outcome.EXPECTED, lines(runner)
    killed = next(line for line in lines(runner) if "killed" in line)
    assert killed.startswith("[kernel] app fault-hl killed: data abort at pc 0x")
    assert killed.endswith("address 0x80000000")


def test_the_kernel_reads_any_valid_manifest_layout(tmp_path):
    """Member order, nesting, escapes and capabilities the kernel does not use must not
    confuse its JSON reader: the app still starts and still gets only its own GPIO."""
    (tmp_path / "app_manifest.json").write_text(
        '{"Capabilities": {"AllowedConnections": ["example.com", "a{b}[c]"],\n'
        '   "MutableStorage": {"SizeKB": 4}, "Gpio": [ 9 , 8 ]},\n'
        ' "CmdArgs": ["say \\"hi\\"", "{[,:]}"], "ApplicationType": "Default",\n'
        ' "TargetApplicationRuntimeVersion": 16, "EntryPoint": "/bin/app",\n'
        ' "ComponentId": "5A1E0003-6D0C-4F3E-9B9E-000000000003", "Name": "eperm-hl",\n'
        ' "SchemaVersion": 1}')
    pkg = tmp_path / "app.imagepackage"
    r = run_cli("image", "pack-application", "--manifest", str(tmp_path / "app_manifest.json"),
                "--executable", str(PREBUILT / "eperm-hl.elf"), "--key", "development",
                "-o", str(pkg))
    assert r.returncode == 0, r.stderr
    outcome, runner = boot(pkg.read_bytes(), expect=["exited with status"])
    assert outcome is Outcome.EXPECTED, lines(runner)
    out = lines(runner)
    assert "GPIO_OpenAsOutput(9) -> fd 5" in out       # listed this time
    assert "EACCES: eperm-hl Uart ISU1 not in manifest" in out
