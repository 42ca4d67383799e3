"""Run one built-in agent for real over files written to a temporary checkout."""

from __future__ import annotations

import asyncio
from pathlib import Path

from baton.agents.base import Agent, AgentContext, AgentOutput
from baton.agents.tools import ToolRunner
from baton.change.model import ChangedFile, ChangeSet, FileStatus
from baton.change.workspace import Workspace, build_workspace
from baton.settings import Settings


def new_file(root: Path, path: str, text: str) -> ChangedFile:
    """Write `text` at `path` and describe it as a wholly added file."""
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    lines = dict(enumerate(text.splitlines(), start=1))
    return ChangedFile(
        path=path, status=FileStatus.ADDED, lines=lines, added_lines=frozenset(lines)
    )


def run_agent(
    agent: Agent,
    root: Path,
    files: list[ChangedFile],
    settings: Settings | None = None,
    tools: dict[str, str] | None = None,
    tool_configs: dict[str, str] | None = None,
) -> AgentOutput:
    """`agent` over `files` under `root`; `tool_configs` are the trusted tool configuration."""
    accepted = tuple(f for f in files if agent.accepts(f) is None)
    change = ChangeSet(root=str(root), files=tuple(files))
    ctx = AgentContext(
        change=change,
        files=accepted,
        settings=settings or Settings(),
        tools=ToolRunner(tools or {}),
        workspace=workspace_of(change, root.parent / f"{root.name}-workspace", tool_configs),
    )
    return asyncio.run(agent.run(ctx))


def workspace_of(
    change: ChangeSet, folder: Path, tool_configs: dict[str, str] | None = None
) -> Workspace:
    """The files of `change` as the tools read them, written under `folder`."""
    return build_workspace(change, folder, max_file_bytes=1_000_000, tool_configs=tool_configs)
