"""Benchmarks of baton: its own per-stage overhead and the agents' fan-out, on synthetic changes.

Run `python -m bench.run --help`; `bench/README.md` explains every row of the output.
"""
