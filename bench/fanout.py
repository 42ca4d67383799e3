"""Tool time: each agent alone, all agents fanned out, and each external tool alone.

Every run goes through `baton.agents.runner.run_agents` (or, for single tools, the scan
function its agent calls) with one shared `ToolRunner`, in a fresh event loop, and records
wall time and the CPU seconds it used: those of the tool processes (`RUSAGE_CHILDREN`) and
of this process (`RUSAGE_SELF`: JSON and coverage parsing, the event loop). CPU seconds over
wall seconds times cores says how busy the run kept the machine. The machine's busy time over
the same interval (`/proc/stat`, all processes) tells how much of it others took.
"""

from __future__ import annotations

import asyncio
import os
import resource
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from baton.agents import REGISTRY, Agent
from baton.agents.base import AgentStatus
from baton.agents.builtin import bandit, ruff, secrets
from baton.agents.builtin.common import is_python
from baton.agents.runner import AgentRun, run_agents
from baton.agents.specs import BUILTIN_AGENTS
from baton.agents.tools import ToolRunner
from baton.change.model import ChangeSet
from baton.change.scope import Scope
from baton.change.workspace import Workspace
from baton.settings import Settings

FANOUT = "fan-out"
TOOLS = ("bandit", "detect-secrets", "ruff")
T = TypeVar("T")


class BenchError(Exception):
    """The benchmark cannot go on, e.g. an agent failed so its time means nothing."""


@dataclass
class Timed:
    """Wall and CPU seconds of repeated runs of one thing."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    machine: list[float] = field(default_factory=list)
    """CPU seconds every process on the machine used meanwhile (this run's included)."""

    def add(self, wall: float, cpu: float, machine: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.machine.append(machine)


@dataclass
class AgentTimings:
    """Agents alone and fanned out, with the runs of the last fan-out."""

    parallelism: int
    alone: dict[str, Timed]
    fanout: Timed
    runs: list[AgentRun]


def cores() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0))


@dataclass(frozen=True)
class Target:
    """The change as the agents get it: scoped, and its files written for the tools."""

    change: ChangeSet
    scope: Scope
    workspace: Workspace


def time_agents(target: Target, settings: Settings, tools: ToolRunner, repeat: int) -> AgentTimings:
    """`repeat` rounds of: each agent alone, then all of them at once."""
    agents = [REGISTRY[name] for name in BUILTIN_AGENTS]
    alone = {agent.name: Timed() for agent in agents}
    fanout = Timed()
    runs: list[AgentRun] = []
    for _ in range(repeat):
        for agent in agents:
            _, *seconds = measure(partial(_agents, [agent], target, settings, tools))
            alone[agent.name].add(*seconds)
        runs, *seconds = measure(lambda: _agents(agents, target, settings, tools))
        fanout.add(*seconds)
    return AgentTimings(parallelism=tools.parallelism, alone=alone, fanout=fanout, runs=runs)


def warm_up(target: Target, settings: Settings, tools: ToolRunner) -> None:
    """One unmeasured fan-out, so no timed run pays for cold caches."""
    agents = [REGISTRY[name] for name in BUILTIN_AGENTS]
    measure(partial(_agents, agents, target, settings, tools))


def time_tools(target: Target, tools: ToolRunner, repeat: int) -> dict[str, Timed]:
    """Each external tool alone, over the files its agent would give it."""
    files = target.scope.selected
    space = target.workspace
    python = [f.path for f in files if is_python(f)]
    every = [*files, *target.scope.secrets_only]
    scans: dict[str, Callable[[], Awaitable[object]]] = {
        "bandit": lambda: bandit.scan(tools, space, python, "security", honor=False),
        "detect-secrets": lambda: secrets.scan(tools, space, every, "security", honor=False),
        "ruff": lambda: ruff.scan(tools, space, python, "quality", honor=False),
    }
    timed = {name: Timed() for name in TOOLS}
    for _ in range(repeat):
        for name in TOOLS:
            _, *seconds = measure(scans[name])
            timed[name].add(*seconds)
    return timed


async def _agents(
    agents: Sequence[Agent], target: Target, settings: Settings, tools: ToolRunner
) -> list[AgentRun]:
    runs = await run_agents(
        agents, target.change, target.scope, target.workspace, settings, tools, lambda _: None
    )
    failed = [run.result for run in runs if run.result.status is AgentStatus.FAILED]
    if failed:
        raise BenchError(f"agent {failed[0].name} failed: {failed[0].reason}")
    return runs


def measure(work: Callable[[], Awaitable[T]]) -> tuple[T, float, float, float]:
    """Run `work` in a new event loop: its result, wall, own CPU and machine CPU seconds."""

    async def main() -> T:
        return await work()

    cpu_before, machine_before = own_cpu(), machine_busy()
    started = time.perf_counter()
    result = asyncio.run(main())
    wall = time.perf_counter() - started
    return result, wall, own_cpu() - cpu_before, machine_busy() - machine_before


def machine_busy() -> float:
    """CPU seconds all processes have used since boot (0 where `/proc/stat` is missing)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = sum(fields[3:5])
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    """CPU seconds used so far by this process and its finished children."""
    used = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        used += usage.ru_utime + usage.ru_stime
    return used
