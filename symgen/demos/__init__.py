"""Command-line jobs, one module per pillar.

Each module here exposes ``register(subparsers)`` to add its subcommands to the
``symgen`` command and ``main_job(args)`` for its step of the default job (what plain
``symgen`` runs). ``symgen.cli`` wires them in the order of :data:`PILLARS`;
:mod:`.options` holds the types of their numeric options.
"""

PILLARS = ("clifford", "groups", "pde", "cgenn")
