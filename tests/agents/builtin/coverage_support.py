"""Running the `coverage` agent for real over a GitRepo: its diff, coverage.py, diff-cover."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from baton.agents.base import AgentContext, AgentOutput
from baton.agents.builtin.coverage import CoverageAgent
from baton.agents.tools import ToolRunner
from baton.change.model import ChangeSet
from baton.change.parse import parse_diff
from baton.change.workspace import Workspace
from baton.settings import Settings
from tests.fakes.repos import GitRepo

DATA = Path(__file__).resolve().parents[2] / "data" / "coverage"
BIN = Path(sys.executable).parent


def changeset(repo: GitRepo, base: str = "main") -> ChangeSet:
    """What `baton review --base main` looks at: merge-base(main)..HEAD."""
    raw = subprocess.run(
        ["git", "diff", "--no-color", "--no-ext-diff", "-M", f"{base}...HEAD"],
        cwd=repo.path,
        capture_output=True,
        check=True,
    ).stdout
    return parse_diff(raw, root=str(repo.path), base=base, head="HEAD")


def review(repo: GitRepo, **settings: Any) -> AgentOutput:
    """The agent's output for the repository's change, with `Settings(**settings)`."""
    agent = CoverageAgent()
    change = changeset(repo)
    files = tuple(f for f in change.files if agent.accepts(f) is None)
    ctx = AgentContext(
        change=change,
        files=files,
        settings=Settings(**settings),
        tools=ToolRunner({}),
        workspace=Workspace(folder=repo.path.parent / "workspace", revision="working tree"),
    )
    return asyncio.run(agent.run(ctx))


def run_coverage(repo: GitRepo, script: str = "run_tests.py", *args: str) -> None:
    """`coverage run` the script, then write coverage.xml and coverage.lcov beside it."""
    for command in (["run", *args, script], ["xml", "-q"], ["lcov", "-q"]):
        subprocess.run(
            [sys.executable, "-m", "coverage", *command],
            cwd=repo.path,
            capture_output=True,
            check=True,
        )


def diff_cover(repo: GitRepo, report: Path) -> dict[str, Any]:
    """diff-cover's JSON report of the repository's change against `main`."""
    out = repo.path.parent / f"diff-cover-{report.name}.json"
    subprocess.run(
        [
            str(BIN / "diff-cover"),
            str(report),
            "--compare-branch=main",
            f"--format=json:{out}",
            "--quiet",
        ],
        cwd=repo.path,
        capture_output=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result
