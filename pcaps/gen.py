#!/usr/bin/python3
"""Generate the synthetic test captures of wirelat: the entry point of the package gen/ beside
this file (its __init__.py says which module holds which cases; see pcaps/README.md).

Usage:
    /usr/bin/python3 pcaps/gen.py [OUTDIR]         write the captures (default: this directory)
    /usr/bin/python3 pcaps/gen.py --expected       print the expected outcomes as JSON on stdout
                                                   (nothing is written)
"""

import os
import sys

# the package gen/ beside this file (a package wins over this module of the same name), also
# under python3 -I / -P, which leave the script's directory out of sys.path
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main(sys.argv))
