"""The import rules of ARCHITECTURE.md, checked on the source with ``ast``.

- imports flow one way, ``nn → algebra → codegen``: codegen imports nothing of the
  algebra or nn, the algebra nothing of nn, and none of the three the parts on top
  (testing, cli, demos, experiments);
- the algebra never imports torch or numba at module level (only inside a function);
- IR is built only on the algebra side: nn never calls an IR constructor;
- no private name crosses files: nothing imports ``_name`` from another module, and a
  private module (``_base.py``) is imported only from inside its own package.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for d in ("symgen", "tests", "benchmarks", "examples") for p in (ROOT / d).rglob("*.py"))
IR_CLASSES = {"Multilinear", "Linear", "Bilinear", "Trilinear", "Pointwise", "Rowwise"}
ABOVE = ("symgen.nn", "symgen.testing", "symgen.cli", "symgen.demos", "symgen.experiments")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(path: Path) -> str:
    module = _module(path)
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _imports(path: Path):
    """``(node, imported module, imported names, at module level)`` for each import."""
    tree = ast.parse(path.read_text(), str(path))
    nested = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
              for n in ast.walk(f) if n is not f}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, (), id(node) not in nested
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package(path).split(".")
                anchor = ".".join(package[:len(package) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            yield node, base, tuple(a.name for a in node.names), id(node) not in nested


def _targets(module, names):
    """The module and each name as a possible submodule of it."""
    return [module] + [f"{module}.{n}" for n in names]


def _under(target, prefixes):
    return any(target == p or target.startswith(p + ".") for p in prefixes)


def _files(prefix):
    return [p for p in FILES if _under(_module(p), (prefix,))]


def _where(path, node):
    return f"{path.relative_to(ROOT)}:{node.lineno}"


@pytest.mark.parametrize("layer, forbidden", [
    ("symgen.codegen", ("symgen.algebra",) + ABOVE),
    ("symgen.algebra", ABOVE),
    ("symgen.nn", ABOVE[1:]),
])
def test_imports_flow_one_way(layer, forbidden):
    bad = [f"{_where(p, node)} imports {t}" for p in _files(layer) for node, module, names, _ in _imports(p)
           for t in _targets(module, names) if _under(t, forbidden)]
    assert not bad, "\n".join(bad)


def test_algebra_imports_torch_and_numba_only_inside_functions():
    bad = [f"{_where(p, node)} imports {module}" for p in _files("symgen.algebra")
           for node, module, _, top in _imports(p) if top and _under(module, ("torch", "numba"))]
    assert not bad, "\n".join(bad)


def test_nn_builds_no_ir():
    bad = []
    for p in _files("symgen.nn"):
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Call):
                f = node.func
                if isinstance(f, ast.Attribute) and ast.unparse(f.value) in ("torch.nn", "nn"):
                    continue                     # torch.nn.Linear is a layer, not IR
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
                torch_layer = isinstance(f, ast.Attribute) and ast.unparse(f.value) in ("torch.nn", "nn")
                if name in IR_CLASSES and not torch_layer:      # torch.nn.Linear is a layer, not IR
                    bad.append(f"{_where(p, node)} builds {name} IR; ask the algebra object for it")
    assert not bad, "\n".join(bad)


def _private(part):
    return part.startswith("_") and not part.startswith("__")


def test_no_private_name_crosses_files():
    bad = []
    for p in FILES:
        here = _module(p)
        for node, module, names, _ in _imports(p):
            for name in names:
                if _private(name) and not _under(here, (module,)):
                    bad.append(f"{_where(p, node)} imports {name} from {module}")
            parts = module.split(".")
            outside = [q for q, part in enumerate(parts) if _private(part) and not _under(here, (".".join(parts[:q]),))]
            if outside:
                q = outside[0]
                bad.append(f"{_where(p, node)} imports the private module {'.'.join(parts[:q + 1])} "
                           f"from outside {'.'.join(parts[:q])}")
    assert not bad, "\n".join(bad)


def test_the_rules_see_imports():
    """The checks above parse real imports (guard against a walker that finds none)."""
    found = {module for node, module, names, _ in _imports(ROOT / "symgen" / "nn" / "clifford" / "activation.py")}
    assert {"symgen.algebra.clifford.grade_paths", "symgen.nn.clifford._base", "torch"} <= found
