"""Fan-out: run one phase's agents concurrently, each under its own timeout, with reruns.

Every agent ends as an `AgentResult`, whatever happens to the others: a finished agent keeps
its findings when another crashes, hangs or is missing its tool. A failed agent (crash,
timeout, API error, unreadable output) is run again up to `retries` times, waiting
`retry_backoff` seconds and twice as long each time after; a failure no rerun can help (a
tool that is not installed, a spent budget) is not retried.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from baton.agents.base import (
    Agent,
    AgentContext,
    AgentOutput,
    AgentResult,
    AgentStatus,
    Handoff,
    Usage,
)
from baton.agents.builtin.common import files_phrase
from baton.agents.limits import RunLimits
from baton.agents.tools import ToolRunner
from baton.change.model import ChangedFile, ChangeSet, SkippedFile
from baton.change.scope import Scope
from baton.change.workspace import Workspace
from baton.errors import AgentError, AgentSkipped, describe_failure
from baton.findings.model import Finding
from baton.findings.revise import Revision
from baton.findings.rules import ignored_paths
from baton.settings import Settings

Progress = Callable[[str], None]


@dataclass(frozen=True)
class AgentRun:
    """An agent's outcome and the raw findings it returned."""

    result: AgentResult
    findings: tuple[Finding, ...]
    revisions: tuple[Revision, ...] = ()
    secrets: frozenset[str] = frozenset()
    """Secret values any attempt found, for the run's redactor."""


async def run_agents(
    agents: Sequence[Agent],
    change: ChangeSet,
    scope: Scope,
    workspace: Workspace,
    settings: Settings,
    tools: ToolRunner,
    progress: Progress,
    limits: RunLimits | None = None,
    *,
    phase: int = 1,
    handoff: Handoff | None = None,
) -> list[AgentRun]:
    """Run all agents at once over the scoped files; results keep the given order."""
    shared = limits or RunLimits(settings.max_budget_usd, settings.max_concurrency)
    common = _Common(change, workspace, settings, tools, progress, shared, phase, handoff)
    tasks: list[asyncio.Task[AgentRun]] = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_run_one(agent, scope, common)) for agent in agents]
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if shared.stopped is None or current is None:
            raise
        current.uncancel()  # stopped from outside: every agent has recorded how it ended
    return [task.result() for task in tasks]


@dataclass(frozen=True)
class _Common:
    change: ChangeSet
    workspace: Workspace
    settings: Settings
    tools: ToolRunner
    progress: Progress
    limits: RunLimits
    phase: int
    handoff: Handoff | None


async def _run_one(agent: Agent, scope: Scope, common: _Common) -> AgentRun:
    settings, progress = common.settings, common.progress
    accepted, skipped = _files_for(agent, scope.selected, settings)
    extra: list[ChangedFile] = []
    if agent.scans_skipped_files:
        extra, _ = _files_for(agent, scope.secrets_only, settings)
    base = {
        "name": agent.name,
        "engine": agent.engine,
        "files_reviewed": len(accepted),
        "phase": common.phase,
        "fails_open": agent.fails_open,
    }
    if not accepted and not extra:
        progress(f"{agent.name}: skipped (no files for this agent)")
        result = AgentResult(
            **base,
            status=AgentStatus.SKIPPED,
            reason="no files",
            skipped=tuple(skipped),
            attempts=0,
        )
        return AgentRun(result, ())

    timeout = settings.timeout_for(agent.name)
    ctx = AgentContext(
        change=common.change,
        files=tuple(accepted),
        settings=settings,
        tools=common.tools,
        workspace=common.workspace,
        secrets_only=tuple(extra),
        limits=common.limits,
        handoff=common.handoff,
    )
    progress(
        f"{agent.name}: started on {files_phrase(len(accepted) + len(extra))} ({agent.engine})"
    )
    started = time.monotonic()
    retries = settings.retries_for(agent.name)
    attempts = 0
    usage: Usage | None = None
    secrets: set[str] = set()
    best: tuple[AgentStatus, str | None, AgentOutput] | None = None
    while True:
        attempts += 1
        try:
            status, reason, output, retryable = await _attempt(agent, ctx, timeout)
        except asyncio.CancelledError:
            if common.limits.stopped is None:
                raise
            status, reason, output, retryable = (
                AgentStatus.FAILED,
                common.limits.stopped,
                best[2] if best is not None else AgentOutput(),
                False,
            )
        if output.usage is not None:
            usage = output.usage if usage is None else usage + output.usage
        secrets.update(output.secrets)
        if (
            best is None
            or status is not AgentStatus.FAILED
            or len(output.findings) >= len(best[2].findings)
        ):
            best = (status, reason, output)
        again = retryable and attempts <= retries and not common.limits.exhausted
        if status is not AgentStatus.FAILED or not again:
            break
        delay = settings.retry_backoff * 2 ** (attempts - 1)
        progress(
            f"{agent.name}: failed ({reason}); running it again ({attempts} of {retries}) "
            f"in {delay:g}s"
        )
        try:
            await asyncio.sleep(delay)
        except asyncio.CancelledError:
            if common.limits.stopped is None:
                raise
            best = (AgentStatus.FAILED, common.limits.stopped, best[2])
            break
    status, reason, output = best
    result = AgentResult(
        **base,
        status=status,
        reason=reason,
        raw_findings=len(output.findings),
        skipped=(*skipped, *output.skipped),
        duration_s=round(time.monotonic() - started, 3),
        summary=output.summary,
        blocking=tuple(output.blocking),
        metrics=output.metrics,
        usage=usage,
        denied=tuple(output.denied),
        attempts=attempts,
    )
    progress(_describe(result))
    return AgentRun(result, tuple(output.findings), tuple(output.revisions), frozenset(secrets))


def _files_for(
    agent: Agent, files: Sequence[ChangedFile], settings: Settings
) -> tuple[list[ChangedFile], list[SkippedFile]]:
    ignore = ignored_paths(settings, agent.name)
    accepted: list[ChangedFile] = []
    skipped: list[SkippedFile] = []
    for file in files:
        kind = agent.accepts(file)
        if kind is not None:
            skipped.append(SkippedFile(path=file.path, reason=kind, other_kind=True))
        elif ignore is not None and ignore.match_file(file.path):
            skipped.append(SkippedFile(path=file.path, reason=f"agents.{agent.name}.ignore"))
        else:
            accepted.append(file)
    return accepted, skipped


async def _attempt(
    agent: Agent, ctx: AgentContext, timeout: float
) -> tuple[AgentStatus, str | None, AgentOutput, bool]:
    """One run of the agent: (status, reason, output, whether a rerun could help)."""
    try:
        output = await asyncio.wait_for(agent.run(ctx), timeout=timeout)
    except TimeoutError:
        return AgentStatus.FAILED, f"timed out after {timeout:g}s", AgentOutput(), True
    except Exception as err:  # one agent's crash must not sink the review
        status, reason = _classify(err)
        return status, reason, AgentOutput(), _retryable(err)
    if output.failure is not None:
        return AgentStatus.FAILED, output.failure, output, output.retryable
    return AgentStatus.OK, None, output, False


def _retryable(err: BaseException) -> bool:
    if isinstance(err, ExceptionGroup):
        return all(_retryable(inner) for inner in err.exceptions)
    if isinstance(err, AgentSkipped):
        return False
    return not isinstance(err, AgentError) or err.retryable


def _classify(err: Exception) -> tuple[AgentStatus, str]:
    """Why an agent stopped: its own `AgentError`s speak for themselves, the rest crashed."""
    if isinstance(err, ExceptionGroup):
        first = (err.subgroup(AgentError) or err).exceptions[0]
        return _classify(first) if isinstance(first, Exception) else (AgentStatus.FAILED, str(err))
    if isinstance(err, AgentSkipped):
        return AgentStatus.SKIPPED, str(err)
    return AgentStatus.FAILED, describe_failure(err)


def _describe(result: AgentResult) -> str:
    took = f"{result.duration_s:.1f}s"
    if result.attempts > 1:
        took += f" after {result.attempts} runs"
    if result.status is AgentStatus.OK:
        count = result.raw_findings
        return f"{result.name}: ok in {took}, {count} finding{'' if count == 1 else 's'}"
    return f"{result.name}: {result.status.value} in {took}: {result.reason}"
