"""Helpers shared by the tests of the CI-file agents (workflows, shell, dockerfile)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from baton.agents.base import Agent, AgentOutput, AgentResult
from baton.agents.runner import run_agents
from baton.agents.tools import ToolRunner
from baton.change.model import ChangedFile, ChangeSet, FileStatus
from baton.change.scope import Scope
from baton.findings.model import Severity
from baton.findings.tool_markers import tool_marker_findings
from baton.settings import Settings
from tests.agents.builtin.agent_harness import workspace_of

Row = tuple[str, Severity, int | None]


def rows(output: AgentOutput, path: str | None = None) -> set[Row]:
    """(rule, severity, line) of every finding, on `path` only when given."""
    return {
        (f.rule_id, f.severity, f.line) for f in output.findings if path is None or f.path == path
    }


def through_runner(
    agent: Agent, root: Path, files: list[ChangedFile], settings: Settings
) -> AgentResult:
    """The agent run as a review runs it: the result the report and the comment show."""
    change = ChangeSet(root=str(root), files=tuple(files))
    workspace = workspace_of(change, root.parent / f"{root.name}-runner-workspace")
    [run] = asyncio.run(
        run_agents(
            [agent],
            change,
            Scope(selected=list(files)),
            workspace,
            settings,
            ToolRunner(settings.tools),
            lambda _line: None,
        )
    )
    return run.result


def new_file_git_lines(root: Path, path: str, text: str) -> ChangedFile:
    """Write `text` at `path`, an added file numbered as git numbers lines (at `\\n` only)."""
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode("utf-8"))
    lines = dict(enumerate(text.removesuffix("\n").split("\n"), start=1))
    return ChangedFile(
        path=path, status=FileStatus.ADDED, lines=lines, added_lines=frozenset(lines)
    )


def marker_notes(files: list[ChangedFile]) -> list[tuple[str, int | None, str]]:
    """The INFO notes the review adds for tool suppression markers on added lines."""
    notes = tool_marker_findings(ChangeSet(root=".", files=tuple(files)), honored=False)
    assert all(n.severity is Severity.INFO for n in notes)
    return [(n.path, n.line, n.title) for n in notes]


def fake_tool(folder: Path, name: str, output: str) -> str:
    """An executable that prints `output` whatever it is asked: a tool gone wrong."""
    folder.mkdir(parents=True, exist_ok=True)
    tool = folder / name
    tool.write_text(f"#!/bin/sh\ncat <<'EOF'\n{output}\nEOF\n")
    tool.chmod(0o755)
    return str(tool)
