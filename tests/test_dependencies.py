"""Every third-party module the package imports at runtime is a declared dependency.

A fresh ``pip install -e .`` (no extras) installs only ``[project] dependencies``; a module
imported by ``symgen/`` but found only in the test extra crashed the main job of a new
user (``ModuleNotFoundError: No module named 'hypothesis'``). The scan covers ``import``
statements anywhere in a module (also inside functions) and the import lines of the
generated kernel modules, which the backends hold as string constants.
"""

import ast
import pathlib
import re
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
GENERATED_IMPORT = re.compile(r"^import (\w+)", re.MULTILINE)


def imported_modules(package: pathlib.Path) -> set:
    """Top-level names imported by the ``.py`` files under ``package``, outside the stdlib."""
    found = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                found |= set(GENERATED_IMPORT.findall(node.value))
    return {name for name in found if name not in sys.stdlib_module_names} - {package.name}


def declared(extra: str | None = None) -> set:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return {re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0].lower() for spec in specs}


def test_every_runtime_import_is_a_dependency():
    missing = imported_modules(ROOT / "symgen") - declared()
    assert not missing, f"imported by symgen/ but not in [project] dependencies: {sorted(missing)}"


def test_scan_sees_function_level_and_generated_imports():
    names = imported_modules(ROOT / "symgen")
    assert {"hypothesis", "mpmath", "numba", "torch", "sympy"} <= names


def test_test_extra_adds_only_test_tools():
    assert not declared("test") & declared(), "the test extra repeats a runtime dependency"
