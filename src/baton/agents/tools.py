"""Running external tools (bandit, ruff, …) as subprocesses on behalf of agents.

Executables are found in this order: the `tools` setting, a module of baton's own standing
in for the tool (`IN_PROCESS`: detect-secrets, whose own parallel scan loses settings), the
directory of the running Python interpreter (so a `pip install` into a venv works without
activating it), then PATH.
Processes run through `agents.processes`: their own process group, output to files, and
their whole tree killed when the awaiting agent is cancelled, so no tool outlives its
deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from pathlib import Path

from baton.agents.processes import ToolOutput, run_process
from baton.errors import AgentError

MAX_ARGS_PER_CALL = 400
"""Files passed to one tool process; more are split across processes (argv length limits)."""

IN_PROCESS = {
    "detect-secrets": "baton.agents.builtin.secret_scan",
    "baton-patterns": "baton.agents.builtin.patterns",
}
"""Tools baton runs through a module of its own (`python -m MODULE`) unless `tools` names one."""

MIN_FILES_PER_PROCESS = 200
"""Fewer files than this never get a process of their own: starting a Python tool costs more
than checking a few hundred files, and agents running side by side share the same cores."""


class ToolRunner:
    """Finds and runs the tools agents need."""

    def __init__(self, overrides: Mapping[str, str], parallelism: int | None = None) -> None:
        self._overrides = dict(overrides)
        self._parallelism = parallelism or max(os.cpu_count() or 1, 1)

    @property
    def parallelism(self) -> int:
        return self._parallelism

    def resolve(self, tool: str) -> str:
        """Absolute path of the tool's executable, or `AgentError` naming what to install."""
        override = self._overrides.get(tool)
        if override is not None:
            found = shutil.which(override)
            if found is None:
                raise AgentError(
                    f"{tool} not found at {override} (from the tools setting)", retryable=False
                )
            return found
        beside_python = Path(sys.executable).parent / tool
        if os.access(beside_python, os.X_OK):
            return str(beside_python)
        found = shutil.which(tool)
        if found is None:
            raise AgentError(
                f"{tool} not found: install it (pip install {tool}) or set tools.{tool}",
                retryable=False,
            )
        return found

    def command(self, tool: str) -> list[str]:
        """The argv that starts the tool, before its arguments."""
        if tool in IN_PROCESS and tool not in self._overrides:
            return [sys.executable, "-m", IN_PROCESS[tool]]
        return [self.resolve(tool)]

    async def run(
        self,
        tool: str,
        args: Sequence[str],
        *,
        cwd: Path,
        ok_codes: Iterable[int] = (0,),
    ) -> ToolOutput:
        """Run one tool to completion; a non-`ok_codes` exit raises `AgentError`."""
        argv = [*self.command(tool), *args]
        return await run_process(tool, argv, cwd=cwd, ok_codes=ok_codes)

    async def run_batched(
        self,
        tool: str,
        args: Sequence[str],
        files: Sequence[str],
        *,
        cwd: Path,
        ok_codes: Iterable[int] = (0,),
        processes: int | None = None,
    ) -> list[ToolOutput]:
        """Run `tool args -- ./FILE…` over `files` in batches, at most `processes` at once.

        Each file is passed after `--` and as `./PATH`, so no file name (`-x.py`,
        `--exclude-files=.*`, `@args`) can ever be read as an option or an argument file.

        `processes` defaults to the runner's parallelism; pass 1 for a tool that already
        spreads its work over every CPU itself (detect-secrets, ruff), where more processes
        only compete with each other and with the other agents.
        """
        if not files:
            return []
        codes = tuple(ok_codes)
        width = max(1, min(processes or self._parallelism, self._parallelism))
        size = min(MAX_ARGS_PER_CALL, max(MIN_FILES_PER_PROCESS, -(-len(files) // width)))
        batches = [files[i : i + size] for i in range(0, len(files), size)]
        limit = asyncio.Semaphore(width)

        async def one(batch: Sequence[str]) -> ToolOutput:
            async with limit:
                named = [f"./{path}" for path in batch]
                return await self.run(tool, [*args, "--", *named], cwd=cwd, ok_codes=codes)

        async with tool_group() as group:
            tasks = [group.create_task(one(batch)) for batch in batches]
        return [task.result() for task in tasks]


@contextlib.asynccontextmanager
async def tool_group() -> AsyncIterator[asyncio.TaskGroup]:
    """A task group whose first `AgentError` cancels the rest and is raised as itself."""
    try:
        async with asyncio.TaskGroup() as group:
            yield group
    except* AgentError as failed:
        raise _first_leaf(failed) from None


def _first_leaf(group: BaseExceptionGroup[AgentError]) -> AgentError:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first
