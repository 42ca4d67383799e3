"""Running the real `baton` command in a subprocess, as a user or a CI job would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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


def review_report(
    repo: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> tuple[Completed, dict[str, Any]]:
    """`baton review --base main --json report.json ARGS` in `repo`, and the report it wrote."""
    done = run_baton(
        "review",
        "--base",
        "main",
        "--json",
        "report.json",
        *args,
        cwd=repo,
        env=env,
        timeout=timeout,
    )
    return done, json.loads((repo / "report.json").read_text())


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
