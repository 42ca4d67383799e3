"""Running the real `baton` command in a subprocess, as a user or a CI job would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Completed:
    code: int
    stdout: str
    stderr: str


def run_baton(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float = 120,
) -> Completed:
    """`python -m baton ARGS` in `cwd` with the test process's environment plus `env`."""
    done = subprocess.run(
        [sys.executable, "-m", "baton", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    return Completed(
        code=done.returncode,
        stdout=done.stdout.decode("utf-8", "replace"),
        stderr=done.stderr.decode("utf-8", "replace"),
    )


def start_baton(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`python -m baton ARGS` started in the background; the caller waits and reads it."""
    return subprocess.Popen(
        [sys.executable, "-m", "baton", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
