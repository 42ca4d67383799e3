"""`detect-secrets scan` as baton runs it: one process, file by file, with the filters asked for.

    python -m baton.agents.builtin.secret_scan scan --no-verify --disable-filter PATH … -- FILE…

It takes the arguments of `detect-secrets scan` that baton uses and prints the same JSON, so
a `tools.detect-secrets` override (the real command) still works. It exists because the
command scans several files in a pool of worker processes whose settings are rebuilt from
scratch, which re-enables filters that were disabled (`is_non_text_file`, `is_lock_file`):
with two files or more, a file named `*.png` or `poetry.lock` would never be scanned. Here
every worker process configures itself with the same settings before it scans anything.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from detect_secrets.core.scan import scan_file
from detect_secrets.settings import default_settings, get_settings

VERIFICATION = "detect_secrets.filters.common.is_ignored_due_to_verification_policies"
"""The filter through which detect-secrets asks a token's issuer whether it is live."""


_configured = contextlib.ExitStack()


def _configure(disabled: Sequence[str]) -> None:
    """Every plugin, every default filter but `disabled`, no network verification: for the
    life of this process."""
    _configured.close()
    _configured.enter_context(default_settings())
    get_settings().disable_filters(VERIFICATION, *disabled)


def _scan_one(name: str) -> tuple[str, list[dict[str, Any]]]:
    """What `detect-secrets scan` prints for one file, plus each value (`secret`): baton
    reads it from this process's output to redact it, and never writes it."""
    found: list[dict[str, Any]] = [
        {**secret.json(), "secret": secret.secret_value} for secret in scan_file(name)
    ]
    return name, sorted(found, key=lambda item: item["line_number"])


def scan(files: Sequence[str], disabled: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Results per file, as `detect-secrets scan` prints them (and each secret's value);
    never verified over the network."""
    workers = min(len(os.sched_getaffinity(0)), len(files))
    if workers < 2:
        _configure(disabled)
        return _by_name(map(_scan_one, files))
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_configure, initargs=(list(disabled),)) as pool:
        chunk = max(1, len(files) // workers // 4)
        return _by_name(pool.imap_unordered(_scan_one, files, chunksize=chunk))


def _by_name(
    found: Iterable[tuple[str, list[dict[str, Any]]]],
) -> dict[str, list[dict[str, Any]]]:
    return {name: items for name, items in sorted(found) if items}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m baton.agents.builtin.secret_scan scan")
    parser.add_argument("--no-verify", action="store_true", help="always on")
    parser.add_argument("--disable-filter", action="append", default=[])
    parser.add_argument("files", nargs="*")
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] != ["scan"]:
        parser.error("the only command is scan")
    args = parser.parse_args(given[1:])
    json.dump({"results": scan(args.files, args.disable_filter)}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
