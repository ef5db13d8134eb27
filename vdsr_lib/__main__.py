"""``python -m vdsr_lib ...``: see :mod:`vdsr_lib.cli`."""
import sys

from .cli import main

sys.exit(main())
