"""The ``symgen`` command: the default job and one subcommand per pillar.

``symgen`` alone runs every pillar's step of the user loop on built-in defaults
(declare symbolically → generate kernels → run and check them). Subcommands run one
pillar with options; ``symgen --help`` lists them.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import sys

from ._version import __version__
from .demos import PILLARS
from .errors import SymgenError

__all__ = ["main"]


def _pillars():
    return [importlib.import_module(f"symgen.demos.{name}") for name in PILLARS]


def build_parser(modules) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="symgen", description=__doc__.splitlines()[0].replace("``", ""))
    parser.add_argument("--version", action="version", version=f"symgen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in modules:
        module.register(sub)
    return parser


def _default_job(modules) -> None:
    for module in modules:
        # each pillar parses its own defaults, so the default job needs no options
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers(dest="command")
        module.register(sub)
        command = next(iter(sub.choices))
        module.main_job(parser.parse_args([command]))
        print()


def main(argv=None) -> int:
    """Run the command; the exit status: 0, or 2 for bad input (the message on stderr).

    >>> main(["clifford", "--batch", "0"])      # argparse: "argument --batch: 0 is not an integer ≥ 1"
    2
    """
    modules = _pillars()
    try:
        args = build_parser(modules).parse_args(argv)
    except SystemExit as exit_:     # --help, --version, or a bad option that argparse reported
        return int(exit_.code or 0)
    from .experiments import distributed

    # under torchrun only the first process reports; the others train in silence
    quiet = contextlib.nullcontext() if distributed.is_main() else contextlib.redirect_stdout(io.StringIO())
    try:
        with quiet:
            if args.command is None:
                _default_job(modules)
            else:
                args.run(args)
    except SymgenError as err:
        print(f"symgen: {type(err).__name__}: {err}", file=sys.stderr)
        return 2
    finally:
        distributed.leave()
    return 0


if __name__ == "__main__":
    sys.exit(main())
