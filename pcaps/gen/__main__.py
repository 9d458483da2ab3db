"""`python3 -m gen [OUTDIR|--expected]` from pcaps/: the same as pcaps/gen.py."""

import sys

from . import main

sys.exit(main(sys.argv))
