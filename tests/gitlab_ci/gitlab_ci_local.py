"""Running a GitLab CI pipeline offline with gitlab-ci-local, and reading what it printed.

`run_pipeline` runs the whole merge request pipeline of a repository (so `rules:` decide which
jobs run, as on GitLab) with the shell executor, each job in its own copy of the repository
under `.gitlab-ci-local/builds/JOB` (`--shell-isolation`, like a runner's fresh checkout).
gitlab-ci-local exits 0 whatever the jobs did: `Pipeline.verdict` reads its printed result
instead (`PASS`, `WARN 3`, `FAIL 1`).

A job with `parallel: N` runs as N jobs named `JOB: [K/N]` (GitLab says `JOB K/N`; `parallel_job`
gives gitlab-ci-local's name). Its lines are padded to the longest job name, and its folders under
`.gitlab-ci-local` take `safe_name`, the name with every run of other characters than letters,
digits, `_` and `-` base64url-encoded (`baton-review: [1/2]` -> `baton-reviewOiBb1Lw2XQ`).
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

VERSION = "4.73.0"
INSTALL = f"npm install -g gitlab-ci-local@{VERSION} && apt-get install -y rsync"

# Predefined variables gitlab-ci-local sets itself; giving them makes it warn unless told.
PREDEFINED = frozenset(
    {
        "CI_API_V4_URL",
        "CI_COMMIT_SHA",
        "CI_PIPELINE_SOURCE",
        "CI_PROJECT_ID",
        "CI_PROJECT_URL",
        "CI_SERVER_URL",
        "GITLAB_CI",
    }
)


def executable() -> str:
    """gitlab-ci-local on PATH at the pinned version; a readable failure otherwise."""
    found = shutil.which("gitlab-ci-local")
    if found is None or shutil.which("rsync") is None:
        raise AssertionError(f"gitlab-ci-local and rsync are needed: {INSTALL}")
    version = subprocess.run(
        [found, "--version"], capture_output=True, text=True, timeout=60, check=False
    ).stdout.strip()
    if version != VERSION:
        raise AssertionError(f"gitlab-ci-local {VERSION} is pinned, found {version!r}: {INSTALL}")
    return found


def parallel_job(job: str, index: int, total: int) -> str:
    """gitlab-ci-local's name for job `index` of `job` with `parallel: total`."""
    return f"{job}: [{index}/{total}]"


def safe_name(job: str) -> str:
    """The job's folder name under `.gitlab-ci-local` (gitlab-ci-local's `safeDockerString`)."""

    def encoded(match: re.Match[str]) -> str:
        return base64.urlsafe_b64encode(match.group().encode()).decode().rstrip("=")

    return re.sub(r"[^A-Za-z0-9_-]+", encoded, job)


@dataclass(frozen=True)
class Pipeline:
    """What one gitlab-ci-local run printed (stdout and stderr, interleaved) and left behind."""

    output: str
    cwd: Path

    def build_dir(self, job: str) -> Path:
        """Where the job ran; files it wrote stay there."""
        return self.cwd / ".gitlab-ci-local" / "builds" / safe_name(job)

    def artifacts_dir(self, job: str) -> Path:
        """The job's `artifacts: paths:`, as gitlab-ci-local exported them."""
        return self.cwd / ".gitlab-ci-local" / "artifacts" / safe_name(job)

    def started(self, job: str) -> bool:
        start = rf"^{re.escape(job)} +starting "
        return re.search(start, self.output, re.MULTILINE) is not None

    def verdict(self, job: str) -> str:
        """`PASS`, or `WARN n` / `FAIL n` with the job's exit code, as printed."""
        name = re.escape(job)
        summary = re.findall(rf"^ (PASS|WARN|FAIL) +{name}(?:\s|$)", self.output, re.MULTILINE)
        if len(summary) != 1:
            raise AssertionError(f"no single result line for {job}:\n{self.output}")
        if summary[0] == "PASS":
            return "PASS"
        codes = re.findall(
            rf"^{name} +finished in .*?\b{summary[0]} (\d+)\s*$", self.output, re.MULTILINE
        )
        if len(codes) != 1:
            raise AssertionError(f"no exit code for {job}:\n{self.output}")
        return f"{summary[0]} {codes[0]}"

    def log(self, job: str) -> str:
        """The job's own output (its script's stdout and stderr), one line each."""
        line = re.compile(rf"^{re.escape(job)} *> (.*)$", re.MULTILINE)
        return "\n".join(line.findall(self.output))


def invocation(
    variables: Mapping[str, str], *options: str, home: Path
) -> tuple[list[str], dict[str, str]]:
    """gitlab-ci-local's arguments and environment: `options`, `variables` for every job
    (predefined ones overridden), this environment's Python first in PATH, `home` instead of
    `~/.gitlab-ci-local` and no GCL_ settings of the machine's user."""
    args = [executable(), "--no-color", *options, "--home", str(home)]
    overridden = sorted(PREDEFINED & set(variables))
    if overridden:
        args += ["--ignore-predefined-vars", ",".join(overridden)]
    for name, value in variables.items():
        args += ["--variable", f"{name}={value}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GCL_")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["GIT_TERMINAL_PROMPT"] = "0"
    home.mkdir(parents=True, exist_ok=True)
    return args, env


def run_pipeline(
    cwd: Path,
    variables: Mapping[str, str],
    *,
    home: Path,
    timeout: float = 150,
    jobs_may_fail: bool = False,
) -> Pipeline:
    """The pipeline of the repository at `cwd`, with `variables` given to every job.

    Jobs run on this machine: the directory of the running Python comes first in PATH, so
    `baton` and its tools are this environment's. `home` replaces `~/.gitlab-ci-local`, so no
    variables of the machine's user leak in. gitlab-ci-local exits 1 when a job without
    `allow_failure` failed: an outcome with `jobs_may_fail`, else taken for its own failure.
    """
    args, env = invocation(variables, "--force-shell-executor", "--shell-isolation", home=home)
    done = subprocess.run(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=timeout,
        check=False,
    )
    output = done.stdout.decode("utf-8", "replace")
    if done.returncode not in ({0, 1} if jobs_may_fail else {0}):
        raise AssertionError(f"gitlab-ci-local itself failed ({done.returncode}):\n{output}")
    return Pipeline(output=output, cwd=cwd)
