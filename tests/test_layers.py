"""The package's architecture, checked on its imports (every import statement, including
the ones inside functions, which would otherwise hide a circle; only ``if TYPE_CHECKING:``
imports, which never run, are left out).

Layers, lowest first (docs/architecture.md): the platform (an emulator of any SoC), the
Azure Sphere product layer on it, then the edges users touch. A module may import its own
layer and the ones below, never one above, and no module may take part in an import circle.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sphere_emu"

PRODUCT = ("assembly", "boot", "device", "pluton", "image", "trust")
EDGES = ("cli", "testing", "gdb", "runner", "__main__")
LAYER_NAMES = ("platform", "product", "edges")


def layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    if top in EDGES:
        return 2
    if top in PRODUCT:
        return 1
    return 0


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(path: Path) -> set[str]:
    """Modules of sphere_emu that ``path`` imports, by name."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(), str(path))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and getattr(block.test, "id", None) == "TYPE_CHECKING"
                   for n in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue  # annotations only: never imported at run time
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sphere_emu"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").startswith("sphere_emu"):
                target = node.module
            else:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if is_module(sub) else target)
    found.discard(here)
    return found


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py")}


# Known and owned elsewhere: files.sniff() recognises image packages by the product's
# constants (to move out of the platform with the bounded-reading module's next change).
KNOWN_UPWARD = {("sphere_emu.files", "sphere_emu.image.metadata"),
                ("sphere_emu.files", "sphere_emu.image.package")}


def test_nothing_imports_a_higher_layer():
    wrong = [f"{m} ({LAYER_NAMES[layer(m)]}) imports {d} ({LAYER_NAMES[layer(d)]})"
             for m, deps in graph().items() for d in sorted(deps)
             if layer(d) > layer(m) and (m, d) not in KNOWN_UPWARD]
    assert not wrong, "\n".join(wrong)


# Inside the platform: the bus carries accesses and knows blocks only by what it calls.
BELOW = {"sphere_emu.bus": ("sphere_emu.peripherals", "sphere_emu.cpu", "sphere_emu.machine",
                            "sphere_emu.board")}


def test_the_bus_knows_nothing_above_it():
    wrong = [f"{m} imports {d}" for m, deps in graph().items() for low, above in BELOW.items()
             if m == low or m.startswith(low + ".")
             for d in sorted(deps) if any(d == a or d.startswith(a + ".") for a in above)]
    assert not wrong, "\n".join(wrong)


def test_no_import_circles():
    deps = graph()
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for dep in sorted(deps.get(module, ())):
            if state.get(dep) == 1:
                circles.append(path[path.index(dep):] + [dep])
            elif dep not in state:
                visit(dep)
        path.pop()
        state[module] = 2

    for module in sorted(deps):
        if module not in state:
            visit(module)
    assert not circles, "\n".join(" -> ".join(c) for c in circles)
