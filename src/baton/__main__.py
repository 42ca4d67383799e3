"""`python -m baton` runs the command line."""

import sys

from baton.cli import main

sys.exit(main())
