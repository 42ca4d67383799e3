"""The fault matrix's shared part: the change every row reviews, a row's shape, and the checks
every row makes of a run (tests/platforms/github/test_fault_matrix.py and
tests/platforms/gitlab/test_fault_matrix.py hold the tables).

A row is one call baton makes crossed with one fault met there. The call is named by the
scenario it belongs to — `job` (a first run with the whole history), `rerun` (baton's summary
from an earlier run is there: it is edited, and a fixed finding's discussion or review thread is
resolved) or `shallow` (a checkout without history: the diff and the base commit's files come
from the API) — and by the method and canonical route the fake's `inject` matches. Each row
runs the real `baton review` in the CI job's environment and compares it with the same
scenario without the fault.

The change: a `.baton.toml` at the base commit that leaves only the `quality` agent on and fails
on LOW findings, and a feature commit adding two unused imports (ruff F401: two LOW findings, two
inline comments, verdict fail, exit 1). In a shallow checkout the configuration is read through
the API, so a fault that made baton lose it would change the verdict.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from baton.memory.state import read_state
from baton.render.markdown import MARKER
from tests.fakes.baton_cli import Completed
from tests.fakes.repos import GIT_ENV, GitRepo
from tests.fakes.traffic import Scope

CONFIG = (
    'fail_on = "low"\n\n[agents.security]\nenabled = false\n\n[agents.coverage]\nenabled = false\n'
)
TIMEOUT = {"PLATFORM_API_TIMEOUT": "0.5"}
"""The client gives up on a hanging request after half a second (PyGithub: a whole second),
instead of 30 in a real job."""
FIXED = "0123456789abcdef0123"
"""The fingerprint of a finding the earlier run reported and this one does not."""

Scenario = Literal["job", "rerun", "shallow"]


@dataclass(frozen=True)
class Call:
    """One call baton makes: in `scenario`, `method` on the canonical route matching `route`,
    once `after` earlier requests matching it went through (GitHub's GraphQL calls share one
    route)."""

    name: str
    scenario: Scenario
    method: str
    route: str
    after: int = 0

    @property
    def scope(self) -> Scope:
        return "reads" if self.method == "GET" else "writes"


@dataclass(frozen=True)
class Row:
    """`fault` at `call`, `times` times in a row. `refused`: inline comments the platform
    refuses (their findings stay in the summary); `posted` False: the platform refuses every
    write, nothing is posted and the review is left in the job's own surfaces."""

    call: Call
    fault: str
    times: int = 1
    refused: int = 0
    posted: bool = True

    @property
    def id(self) -> str:
        return f"{self.call.scenario}: {self.call.name} | {self.fault}"


@dataclass(frozen=True)
class Change:
    """The repository with the change on `feature` (checked out), and its diff."""

    path: Path
    base: str
    head: str
    diff: str


def make_change(path: Path) -> Change:
    repo = GitRepo(path)
    repo.write(".baton.toml", CONFIG)
    repo.write("app/__init__.py", "")
    repo.write("app/util.py", "def helper():\n    return 1\n")
    base = repo.commit("base")
    repo.branch("feature")
    repo.write("app/keys.py", "import os\n\nKEY = 1\n")
    repo.write("app/util.py", "import sys\n\n\ndef helper():\n    return 1\n")
    head = repo.commit("feature")
    diff = repo.git("diff", "--find-renames", f"{base}...{head}") + "\n"
    return Change(path, base, head, diff)


def checkout(change: Change, scenario: Scenario, tmp: Path) -> Path:
    """Where the job runs: a copy of the repository, or a clone of the head commit alone."""
    target = tmp / "checkout"
    if scenario == "shallow":
        source = f"file://{change.path}"
        command = ["git", "clone", "-q", "--depth", "1", "--branch", "feature", source, str(target)]
        subprocess.run(command, check=True, capture_output=True, env={**os.environ, **GIT_ENV})
    else:
        shutil.copytree(change.path, target, symlinks=True)
    return target


def earlier_summary(head: str, reported: tuple[str, ...] = (FIXED,)) -> str:
    """A summary comment of an earlier run on `head`, which reported the findings `reported`
    (the finding `FIXED` unless told)."""
    state = {"version": 1, "head": head, "verdict": "fail", "fingerprints": list(reported)}
    return f"{MARKER}\nAn earlier review.\n\n<!-- baton:state {json.dumps(state)} -->\n"


def fingerprints(summary: str) -> set[str]:
    """The fingerprints a summary's state block lists."""
    read = read_state(summary)
    assert read.state is not None, summary
    return set(read.fingerprints)


def report_of(cwd: Path) -> dict[str, Any]:
    """The JSON report the job wrote (empty when it wrote none)."""
    path = cwd / ".baton" / "report.json"
    report: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    return report


def logged_review(stdout: str) -> str:
    """The review as the job log shows it: the summary printed on stdout, up to its state."""
    start = stdout.index(MARKER)
    end = stdout.index("<!-- baton:state ", start)
    return stdout[start : stdout.index("\n", end) + 1]


def reviewed(report: dict[str, Any]) -> tuple[str, set[str]]:
    """What must not depend on a fault: the verdict and the findings."""
    return report["gate"]["verdict"], {f["fingerprint"] for f in report["findings"]}


class Ran(Protocol):
    @property
    def done(self) -> Completed: ...


class Faulted(Ran, Protocol):
    @property
    def report(self) -> dict[str, Any]: ...

    @property
    def hits(self) -> int: ...


def assert_same_review(got: Faulted, expected: Faulted) -> set[str]:
    """What every row checks whatever the platform: no traceback, the fault met, the same exit
    code, verdict and findings as without it, and the whole review in the job log; the
    findings' fingerprints."""
    assert_clean(got.done)
    assert got.hits >= 1, "the fault was never met"
    assert got.done.code == expected.done.code == 1, got.done.stderr
    assert reviewed(got.report) == reviewed(expected.report)
    assert MARKER in got.done.stdout  # the job log holds the whole review
    return reviewed(got.report)[1]


RunT = TypeVar("RunT", bound=Ran)


def once_per_scenario(
    tmp_path_factory: Any, change: Change, run_job: Callable[[Path, Change, Scenario], RunT]
) -> Callable[[Scenario], RunT]:
    """The job without a fault, run once per scenario (and per test worker), checked clean."""
    found: dict[Scenario, RunT] = {}

    def of(scenario: Scenario) -> RunT:
        if scenario not in found:
            tmp = tmp_path_factory.mktemp(f"baseline-{scenario}")
            found[scenario] = run_job(tmp, change, scenario)
            assert_clean(found[scenario].done)
        return found[scenario]

    return of


def assert_clean(done: Completed) -> None:
    """No traceback, no internal error: every failure was a warning or a clean stop."""
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream, stream
        assert "internal error" not in stream, stream
