"""One change replayed: a temporary git repository reviewed by the real `baton review` CLI.

The base commit holds the base files (or nothing), the head commit the head files. baton
runs offline with its built-in agents only: the child's environment is an allow-list (no
model credential, no CI variables) plus `BATON_PLATFORM=local` and `BATON_ENGINE=builtin`,
and the gate is at `critical`. `PYTHONPATH` is passed on, so another checkout's `src` can be
measured with the same tools. The JSON report is read back whole.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.corpus import GIT_ENV

KEPT_VARIABLES = ("PATH", "PYTHONPATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "SYSTEMROOT")
BATON_ENVIRONMENT = {"BATON_PLATFORM": "local", "BATON_ENGINE": "builtin"}
TIMEOUT_S = 300


@dataclass(frozen=True)
class Outcome:
    """What one `baton review` run left: its exit code, JSON report and wall time."""

    exit_code: int
    report: dict[str, Any] | None
    seconds: float
    stderr: str


def default_baton() -> Path:
    """The `baton` installed beside the running interpreter."""
    return Path(sys.executable).with_name("baton")


def review(
    base: Mapping[str, bytes], head: Mapping[str, bytes], *, baton: Path, workdir: Path
) -> Outcome:
    """Commit `base` then `head` in a fresh repository under `workdir` and review head."""
    with tempfile.TemporaryDirectory(dir=workdir, prefix="case-") as temp:
        root = Path(temp) / "repo"
        root.mkdir()
        _git(root, "init", "-q", "-b", "main")
        _git(root, "config", "core.autocrlf", "false")
        base_sha = _commit(root, base, "base")
        for path in base:
            (root / path).unlink()
        head_sha = _commit(root, head, "head")
        report = Path(temp) / "report.json"
        started = time.perf_counter()
        done = subprocess.run(
            [
                str(baton),
                "review",
                *("--repo", str(root), "--base", base_sha, "--head", head_sha),
                *("--json", str(report), "--fail-on", "critical", "-q"),
            ],
            cwd=root,
            env=environment(baton),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        seconds = time.perf_counter() - started
        data = json.loads(report.read_text(encoding="utf-8")) if report.is_file() else None
        return Outcome(done.returncode, data, seconds, done.stderr[-2000:])


def environment(baton: Path) -> dict[str, str]:
    """What `baton` runs with: the allow-list, baton's own bin directory first on PATH."""
    env = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
    env["PATH"] = os.pathsep.join([str(baton.parent), env.get("PATH", os.defpath)])
    return {**env, **GIT_ENV, **BATON_ENVIRONMENT}


def _commit(root: Path, files: Mapping[str, bytes], message: str) -> str:
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "--allow-empty", "-m", message)
    return _git(root, "rev-parse", "HEAD")


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, env={**os.environ, **GIT_ENV}, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8", "replace").strip()
