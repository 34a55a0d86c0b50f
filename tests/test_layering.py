"""The package's layers, read from its imports (every import, at the top of a module or inside a
function): each layer imports only the layers below it, and no module imports itself back.

    errors, version, paths, atomic       the ground: import no other part of nnmath (but errors)
    engine                               the equations (engine/compiled/: only training and step import it)
    data                                 the ground only
    diagnostics, derivations, io, interop    each on the engine, none into another's insides
    lab                                  engine, diagnostics, data
    cli, playground                      anything below; nothing imports cli
"""
import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "nnmath"
GROUND = {"errors", "version", "paths", "atomic"}
TRAINING = {"nnmath.engine.training", "nnmath.engine.step"}  # the only importers of engine/compiled/
MAY_IMPORT = {  # layer -> the layers (besides itself and the ground) it may import
    "errors": set(), "version": set(), "paths": set(), "atomic": set(),
    "engine": set(),
    "diagnostics": {"engine"},
    "derivations": {"engine"},
    "data": set(),
    "io": {"engine"},
    "interop": {"engine"},
    "lab": {"engine", "diagnostics", "data"},
    "playground": {"engine", "diagnostics", "derivations", "data", "io", "interop", "lab", "facade"},
    "cli": {"engine", "diagnostics", "derivations", "data", "io", "interop", "lab", "playground", "facade"},
    "facade": {"engine", "diagnostics", "derivations", "data", "io", "interop", "lab"},  # nnmath/__init__, sklearn
    "main": {"cli"},  # python -m nnmath
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "facade"
    if parts[1] == "__main__":
        return "main"
    if parts[1] == "sklearn":
        return "facade"
    return parts[1]


def imports(module: str, source: str, known: set[str]) -> set[str]:
    """The nnmath modules ``source`` imports: ``from nnmath.x import y`` is nnmath.x.y when that is a
    module (its package nnmath.x runs first anyway), else nnmath.x."""
    found = set()
    is_package = any(k.startswith(module + ".") for k in known)
    package = module if is_package else module.rpartition(".")[0]  # where a relative import starts
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "nnmath"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]  # level 1: package itself
                base = ".".join(parent + ([node.module] if node.module else []))
            if base.split(".")[0] == "nnmath":
                found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names}
    return found


def violations(sources: dict[str, str], known: set[str]) -> list[str]:
    """Every import that breaks the layering, and every cycle, in modules -> source text."""
    problems, graph = [], {}
    for module, source in sources.items():
        targets = {t for t in imports(module, source, known) if t in known and t != module}
        graph[module] = targets
        here = layer_of(module)
        for target in sorted(targets):
            there = layer_of(target)
            if there in GROUND or there == here and here != "facade":
                allowed = True
            else:
                allowed = there in MAY_IMPORT[here]
            if target.startswith("nnmath.engine.compiled") and not module.startswith("nnmath.engine.compiled") \
                    and module not in TRAINING:
                allowed = False
            if there == "cli" and here not in ("cli", "main"):
                allowed = False
            if not allowed:
                problems.append(f"{module} ({here}) imports {target} ({there})")
    problems += [f"import cycle: {' -> '.join(cycle)}" for cycle in _cycles(graph)]
    return problems


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return cycles


def package_sources() -> dict[str, str]:
    return {module_name(p): p.read_text(encoding="utf-8") for p in sorted(SRC.rglob("*.py"))}


def test_every_module_belongs_to_a_known_layer():
    assert {layer_of(m) for m in package_sources()} <= set(MAY_IMPORT)


def test_each_layer_imports_only_the_layers_below_it_and_nothing_imports_itself_back():
    sources = package_sources()
    assert violations(sources, set(sources)) == []


@pytest.mark.parametrize("module, line, words", [
    ("nnmath.engine.network", "from nnmath.io.model import save_model", "nnmath.engine.network (engine) imports nnmath.io.model"),
    ("nnmath.derivations.render", "from nnmath.diagnostics import gradcheck", "(derivations) imports nnmath.diagnostics"),
    ("nnmath.lab.plots", "from nnmath.cli import args", "nnmath.lab.plots (lab) imports nnmath.cli"),
    ("nnmath.diagnostics.flow", "    from nnmath.engine.compiled import loops", "imports nnmath.engine.compiled.loops"),
    ("nnmath.data.sets", "from nnmath.engine import network", "(data) imports nnmath.engine"),
    ("nnmath.io.model", "from ..cli import args", "nnmath.io.model (io) imports nnmath.cli.args"),  # relative
])
def test_an_upward_import_is_caught(module, line, words):
    sources = package_sources()
    source = sources[module] + ("\ndef later():\n" + line + "\n" if line.startswith(" ") else "\n" + line + "\n")
    found = violations({**sources, module: source}, set(sources))
    assert any(words in problem for problem in found), found


def test_a_cycle_is_caught():
    sources = package_sources()
    sources["nnmath.engine.layers"] += "\nfrom nnmath.engine import network\n"  # network imports layers
    found = violations(sources, set(sources))
    assert any(p.startswith("import cycle:") and "nnmath.engine.layers" in p for p in found), found
