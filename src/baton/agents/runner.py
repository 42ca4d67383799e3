"""Fan-out: run the selected agents concurrently, each under its own timeout.

Every agent ends as an `AgentResult`, whatever happens to the others: a finished agent keeps
its findings when another crashes, hangs or is missing its tool.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from baton.agents.base import Agent, AgentContext, AgentOutput, AgentResult, AgentStatus
from baton.agents.builtin.common import files_phrase
from baton.agents.limits import RunLimits
from baton.agents.tools import ToolRunner
from baton.change.model import ChangedFile, ChangeSet, SkippedFile
from baton.errors import AgentError, AgentSkipped
from baton.findings.model import Finding
from baton.settings import Settings

Progress = Callable[[str], None]


@dataclass(frozen=True)
class AgentRun:
    """An agent's outcome and the raw findings it returned."""

    result: AgentResult
    findings: tuple[Finding, ...]


async def run_agents(
    agents: Sequence[Agent],
    change: ChangeSet,
    files: Sequence[ChangedFile],
    settings: Settings,
    tools: ToolRunner,
    progress: Progress,
    limits: RunLimits | None = None,
) -> list[AgentRun]:
    """Run all agents at once over `files` (already scoped); results keep the given order."""
    shared = limits or RunLimits(settings.max_budget_usd, settings.max_concurrency)
    async with asyncio.TaskGroup() as group:
        tasks = [
            group.create_task(_run_one(agent, change, files, settings, tools, progress, shared))
            for agent in agents
        ]
    return [task.result() for task in tasks]


async def _run_one(
    agent: Agent,
    change: ChangeSet,
    files: Sequence[ChangedFile],
    settings: Settings,
    tools: ToolRunner,
    progress: Progress,
    limits: RunLimits,
) -> AgentRun:
    accepted: list[ChangedFile] = []
    skipped: list[SkippedFile] = []
    for file in files:
        reason = agent.accepts(file)
        if reason is None:
            accepted.append(file)
        else:
            skipped.append(SkippedFile(path=file.path, reason=reason))
    base = {"name": agent.name, "engine": agent.engine, "files_reviewed": len(accepted)}
    if not accepted:
        progress(f"{agent.name}: skipped (no files for this agent)")
        result = AgentResult(
            **base, status=AgentStatus.SKIPPED, reason="no files", skipped=tuple(skipped)
        )
        return AgentRun(result, ())

    timeout = settings.timeout_for(agent.name)
    ctx = AgentContext(
        change=change, files=tuple(accepted), settings=settings, tools=tools, limits=limits
    )
    progress(f"{agent.name}: started on {files_phrase(len(accepted))} ({agent.engine})")
    started = time.monotonic()
    status, reason, output = AgentStatus.OK, None, AgentOutput()
    try:
        output = await asyncio.wait_for(agent.run(ctx), timeout=timeout)
        if output.failure is not None:
            status, reason = AgentStatus.FAILED, output.failure
    except TimeoutError:
        status, reason = AgentStatus.FAILED, f"timed out after {timeout:g}s"
    except Exception as err:  # one agent's crash must not sink the review
        status, reason = _classify(err)
    duration = time.monotonic() - started
    result = AgentResult(
        **base,
        status=status,
        reason=reason,
        raw_findings=len(output.findings),
        skipped=(*skipped, *output.skipped),
        duration_s=round(duration, 3),
        summary=output.summary,
        blocking=tuple(output.blocking),
        metrics=output.metrics,
        usage=output.usage,
        denied=tuple(output.denied),
    )
    progress(_describe(result))
    return AgentRun(result, tuple(output.findings))


def _classify(err: Exception) -> tuple[AgentStatus, str]:
    """Why an agent stopped: its own `AgentError`s speak for themselves, the rest crashed."""
    if isinstance(err, ExceptionGroup):
        first = (err.subgroup(AgentError) or err).exceptions[0]
        return _classify(first) if isinstance(first, Exception) else (AgentStatus.FAILED, str(err))
    if isinstance(err, AgentSkipped):
        return AgentStatus.SKIPPED, str(err)
    if isinstance(err, AgentError):
        return AgentStatus.FAILED, str(err)
    return AgentStatus.FAILED, f"crashed: {type(err).__name__}: {err}"


def _describe(result: AgentResult) -> str:
    took = f"{result.duration_s:.1f}s"
    if result.status is AgentStatus.OK:
        count = result.raw_findings
        return f"{result.name}: ok in {took}, {count} finding{'' if count == 1 else 's'}"
    return f"{result.name}: {result.status.value} in {took} ({result.reason})"
