"""Entry point of `python -m bench.accuracy`."""

from bench.accuracy.cli import main

raise SystemExit(main())
