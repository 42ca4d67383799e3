"""A phase run with the review's memory: the model agents review what the plan says — the
whole change, what changed since their last review, or nothing (their findings remembered) —
while the other agents always review the whole change. Carried findings join their agent's
own, so settling treats them like findings reported this run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from baton.agents import Agent
from baton.agents.base import AgentResult, AgentStatus
from baton.agents.catalog import Unavailable
from baton.agents.runner import AgentRun
from baton.change.model import ChangeSet
from baton.change.scope import Scope
from baton.memory.context import Memory
from baton.memory.plan import Mode

RunAgents = Callable[[Sequence[Agent], ChangeSet | None], Awaitable[list[AgentRun]]]
"""Runs agents over the whole change (None) or over the given part of it."""


def is_model(agent: Agent) -> bool:
    return agent.engine == "claude" and not isinstance(agent, Unavailable)


def model_scope(scope: Scope, change: ChangeSet) -> Scope:
    """The scope's selected files, as `change` (the interdiff) shows them."""
    selected = {f.path for f in scope.selected}
    return Scope(selected=[f for f in change.files if f.path in selected])


async def run_phase(
    phase: Sequence[Agent],
    memory: Memory | None,
    number: int,
    run: RunAgents,
) -> list[AgentRun]:
    """`run(agents, change_or_none)` for the phase, split as the memory's plan says."""
    if memory is None or memory.plan.mode is Mode.FULL:
        return await run(phase, None)
    models = [a for a in phase if is_model(a)]
    others = [a for a in phase if not is_model(a)]
    if memory.plan.mode is Mode.REMEMBERED:
        done = await run(others, None) if others else []
        remembered = [_remembered(agent, memory, number) for agent in models]
        return _in_order(phase, [*done, *remembered])
    assert memory.model_change is not None
    fresh, reviewed = await asyncio.gather(
        run(others, None) if others else _nothing(),
        run(models, memory.model_change) if models else _nothing(),
    )
    carried = [_with_carried(r, memory) for r in reviewed]
    return _in_order(phase, [*fresh, *carried])


async def _nothing() -> list[AgentRun]:
    return []


def _remembered(agent: Agent, memory: Memory, number: int) -> AgentRun:
    found = tuple(f for f in memory.carried if f.agent == agent.name)
    head = (memory.plan.since or "")[:7]
    result = AgentResult(
        name=agent.name,
        engine=agent.engine,
        status=AgentStatus.OK,
        summary=f"remembered from the review of {head}: {len(found)} findings",
        phase=number,
        attempts=0,
        fails_open=agent.fails_open,
    )
    return AgentRun(result, found)


def _with_carried(run: AgentRun, memory: Memory) -> AgentRun:
    """The run with its agent's carried findings, which stand whatever became of it now."""
    carried = tuple(f for f in memory.carried if f.agent == run.result.name)
    if not carried:
        return run
    summary = f"{run.result.summary or 'nothing new'}; {len(carried)} earlier findings carried"
    return replace(
        run,
        result=run.result.model_copy(update={"summary": summary}),
        findings=(*run.findings, *carried),
    )


def _in_order(phase: Sequence[Agent], runs: list[AgentRun]) -> list[AgentRun]:
    by_name = {r.result.name: r for r in runs}
    return [by_name[a.name] for a in phase]
