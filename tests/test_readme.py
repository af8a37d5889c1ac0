"""Every command and code block of README.md runs as shown.

Each ``python`` block runs as a script in a new process; each line of a ``bash`` block runs
as a command (``symgen ...`` through ``python -m symgen.cli``, the entry point's module;
``torchrun ... -m symgen ...`` through ``python -m torch.distributed.run``), in a scratch
directory. Commands that train get a budget flag (:data:`BUDGETS`) so that the
test takes seconds; the two install commands (``pip install ...``) are proved on clean
virtualenvs by ``.ci/run``.
"""

import os
import pathlib
import re
import shlex
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)

#: Flags added to the README commands that train (subcommand → flags).
BUDGETS = {"nbody": ["--quick"], "hull": ["--quick"]}



def blocks(text: str) -> list:
    """``(language, body)`` of every fenced block of ``text``."""
    return FENCE.findall(text)


def commands(text: str) -> list:
    """The lines of the ``bash`` blocks, without comments and without install commands."""
    lines = [line for lang, body in blocks(text) if lang == "bash" for line in body.splitlines()]
    return [line.split("  #")[0].strip() for line in lines
            if line.strip() and not line.lstrip().startswith(("pip ", "#"))]


README = (ROOT / "README.md").read_text()


def _run(argv, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_readme_has_only_bash_and_python_blocks_and_install_commands_are_the_ci_ones():
    assert {lang for lang, _ in blocks(README)} == {"bash", "python"}
    installs = [line for lang, body in blocks(README) if lang == "bash" for line in body.splitlines()
                if line.startswith("pip ")]
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if not line.lstrip().startswith("#")]
    assert len(installs) == 2 and all(line in ci for line in installs), installs


@pytest.mark.parametrize("code", [body for lang, body in blocks(README) if lang == "python"],
                         ids=lambda code: code.splitlines()[0][:40])
def test_python_block_runs(code, tmp_path):
    (tmp_path / "block.py").write_text(code)
    done = _run([sys.executable, "block.py"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.parametrize("command", commands(README))
def test_command_runs(command, tmp_path):
    argv = shlex.split(command)
    assert argv[0] in ("symgen", "torchrun"), f"README command {command!r}: only symgen commands are expected"
    if argv[0] == "torchrun":          # torchrun [options] -m symgen COMMAND ...
        at = argv.index("symgen")
        launcher, argv = [sys.executable, "-m", "torch.distributed.run", *argv[1:at + 1]], argv[at + 1:]
    else:
        launcher = [sys.executable, "-m", "symgen.cli"]
        argv = argv[1:]
    argv += BUDGETS.get(argv[0], []) if argv else []
    done = _run([*launcher, *argv], tmp_path)
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stderr[-3000:]}"
