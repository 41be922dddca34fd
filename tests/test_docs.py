"""Every example in README.md and docs/*.md runs, so none can rot.

An example is a fenced block tagged ``sh``, ``console`` or ``python``; untagged blocks are
synopses and sample output. In ``sh`` blocks every ``sphere-emu`` command runs (other
tools on the line, such as ``pip install -e .`` or ``make``, are the reader's setup and are
not run); in ``console`` blocks the ``$ sphere-emu`` lines do. Each must exit 0. A
``python`` block is executed and every ``test_*`` function it defines is called (a
``sphere_device`` argument gets the ``EmulatedDevice`` factory, as the pytest plugin's
fixture does). The commands of one page run in order in one scratch directory that sees
the checkout's ``boards/`` and ``firmware/``, so later examples can use earlier outputs.

A comment right before a block adjusts it: ``<!-- doc-test: skip WHY -->`` (it waits for a
debugger, names the reader's own files), ``<!-- doc-test: exit N -->``,
``<!-- doc-test: package NAME -->`` (a module snippet with relative imports, run as part of
that package).
"""

import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"(?:<!-- doc-test: (?P<directive>[^>]*?) -->\n)?^```(?P<lang>\w*)[^\n]*\n"
                   r"(?P<body>.*?)^```", re.M | re.S)
RUN_TIMEOUT = 300

HARNESS = """
import inspect, sys
from sphere_emu.testing import EmulatedDevice
path, package = sys.argv[1], sys.argv[2]
namespace = {"__name__": (package + "." if package else "") + "doc_example",
             "__package__": package or None}
exec(compile(open(path).read(), path, "exec"), namespace)
for name, test in list(namespace.items()):
    if name.startswith("test_") and callable(test):
        test(**{arg: EmulatedDevice for arg in inspect.signature(test).parameters})
"""


@dataclass(frozen=True)
class Example:
    page: Path
    line: int
    lang: str
    body: str
    directive: str

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    def commands(self) -> list[str]:
        text = self.body.replace("\\\n", " ")
        if self.lang == "console":
            lines = [line[2:] for line in text.splitlines() if line.startswith("$ ")]
        else:
            lines = [line.split("#", 1)[0] if line.lstrip().startswith("#") else line
                     for line in text.splitlines()]
        found = []
        for line in lines:
            for part in line.split("&&"):
                part = part.strip()
                if part.startswith("sphere-emu "):
                    found.append(part[len("sphere-emu "):])
        return found


def examples() -> list[Example]:
    found = []
    for page in PAGES:
        text = page.read_text()
        for m in FENCE.finditer(text):
            if m.group("lang") in ("sh", "console", "python"):
                found.append(Example(page, text.count("\n", 0, m.start("body")), m.group("lang"),
                                     m.group("body"), m.group("directive") or ""))
    return found


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """One scratch directory per page, with the checkout's boards/ and firmware/ in it."""
    dirs: dict[Path, Path] = {}

    def get(page: Path) -> Path:
        if page not in dirs:
            d = tmp_path_factory.mktemp(page.stem)
            for name in ("boards", "firmware"):
                (d / name).symlink_to(ROOT / name)
            dirs[page] = d
        return dirs[page]
    return get


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.id)
def test_example_runs(example, scratch, tmp_path):
    words = example.directive.split(None, 1)
    if words[:1] == ["skip"]:
        pytest.skip(words[1] if len(words) > 1 else "marked not runnable")
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    cwd = scratch(example.page)
    if example.lang == "python":
        package = words[1] if words[:1] == ["package"] else ""
        code = tmp_path / "example.py"
        code.write_text(example.body)
        result = subprocess.run([sys.executable, "-c", HARNESS, str(code), package], cwd=cwd,
                                env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
        assert result.returncode == 0, f"{example.id}:\n{result.stderr[-3000:]}"
        return
    expected = int(words[1]) if words[:1] == ["exit"] else 0
    commands = example.commands()
    assert commands, f"{example.id}: an sh/console example with no sphere-emu command"
    for command in commands:
        result = subprocess.run([sys.executable, "-m", "sphere_emu", *shlex.split(command)],
                                cwd=cwd, env=env, capture_output=True, text=True,
                                timeout=RUN_TIMEOUT)
        assert result.returncode == expected, (
            f"{example.id}: sphere-emu {command}\nexit {result.returncode}\n"
            f"{result.stderr[-2000:]}")


def test_every_page_with_commands_has_examples():
    """A page that shows `sphere-emu` commands in untagged blocks only would escape."""
    for page in PAGES:
        text = page.read_text()
        for m in FENCE.finditer(text):
            body = m.group("body")
            runnable_looking = re.search(r"^(?:\$ )?sphere-emu run \S+\.yaml \S", body, re.M)
            if m.group("lang") == "" and runnable_looking and not re.search(
                    r"\b[A-Z]{3,}\b", runnable_looking.group(0)):
                raise AssertionError(f"{page.relative_to(ROOT)}:{text.count(chr(10), 0, m.start())}"
                                     ": a runnable-looking command in an untagged block")
