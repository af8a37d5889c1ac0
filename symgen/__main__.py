"""``python -m symgen`` (and ``torchrun ... -m symgen``): the ``symgen`` command."""

import sys

from .cli import main

sys.exit(main())
