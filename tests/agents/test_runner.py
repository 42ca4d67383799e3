"""The fan-out: agents run concurrently; each failure mode ends as that agent's result only.

The agents here are small plug-ins written for the test (the `Agent` protocol is baton's
extension point); the tools they run are real processes.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from baton.agent_config import AgentConfig
from baton.agents.base import AgentContext, AgentOutput, AgentStatus
from baton.agents.runner import run_agents
from baton.agents.tools import ToolRunner
from baton.change.model import ChangedFile, ChangeSet, FileStatus
from baton.change.scope import Scope
from baton.change.workspace import Workspace
from baton.errors import AgentError, AgentSkipped
from baton.findings.model import Finding, Severity
from baton.settings import Settings

FILE = ChangedFile(path="a.py", status=FileStatus.ADDED, lines={1: "x"}, added_lines=frozenset({1}))
CHANGE = ChangeSet(root=".", files=(FILE,))
WORKSPACE = Workspace(folder=Path("."), revision="working tree")


class Sleeper:
    description = "sleeps"
    engine = "builtin"
    keeps_outside_findings = False
    fails_open = False
    scans_skipped_files = False

    def __init__(self, name: str, seconds: float) -> None:
        self.name = name
        self.seconds = seconds

    def accepts(self, file: ChangedFile) -> str | None:
        return None

    async def run(self, ctx: AgentContext) -> AgentOutput:
        await asyncio.sleep(self.seconds)
        finding = Finding(
            agent=self.name, rule_id="R", severity=Severity.LOW, path="a.py", line=1, title="t"
        )
        return AgentOutput(findings=[finding])


class Raiser(Sleeper):
    def __init__(self, name: str, error: Exception) -> None:
        super().__init__(name, 0)
        self.error = error

    async def run(self, ctx: AgentContext) -> AgentOutput:
        raise self.error


class HangingTool(Sleeper):
    """Runs a shell that starts a grandchild and never returns."""

    def __init__(self, name: str, script: Path) -> None:
        super().__init__(name, 0)
        self.script = script

    async def run(self, ctx: AgentContext) -> AgentOutput:
        await ctx.tools.run("hang", [], cwd=ctx.root)
        return AgentOutput()


def collect(*agents: Sleeper, settings: Settings | None = None, tools: ToolRunner | None = None):
    lines: list[str] = []
    runs = asyncio.run(
        run_agents(
            list(agents),
            CHANGE,
            Scope(selected=[FILE]),
            WORKSPACE,
            settings or Settings(retries=0),
            tools or ToolRunner({}),
            lines.append,
        )
    )
    return runs, lines


def test_agents_run_concurrently() -> None:
    started = time.monotonic()
    runs, _ = collect(Sleeper("a", 0.5), Sleeper("b", 0.5), Sleeper("c", 0.5))
    assert time.monotonic() - started < 1.2
    assert [r.result.status for r in runs] == [AgentStatus.OK] * 3


def test_timeout_fails_only_that_agent_and_others_keep_findings() -> None:
    settings = Settings(agents={"slow": AgentConfig(timeout=0.2)}, retries=0)
    runs, lines = collect(Sleeper("slow", 30), Sleeper("fast", 0), settings=settings)
    slow, fast = (r.result for r in runs)
    assert (slow.status, slow.reason) == (AgentStatus.FAILED, "timed out after 0.2s")
    assert fast.status is AgentStatus.OK
    assert len(runs[1].findings) == 1
    assert any("slow: failed" in line for line in lines)


def test_error_skip_and_crash_are_told_apart() -> None:
    runs, _ = collect(
        Raiser("err", AgentError("tool said no")),
        Raiser("skip", AgentSkipped("no coverage report")),
        Raiser("crash", KeyError("boom")),
        Raiser("group", ExceptionGroup("g", [ValueError("x"), AgentError("inner failure")])),
    )
    got = [(r.result.status, r.result.reason) for r in runs]
    assert got == [
        (AgentStatus.FAILED, "tool said no"),
        (AgentStatus.SKIPPED, "no coverage report"),
        (AgentStatus.FAILED, "crashed: KeyError: 'boom'"),
        (AgentStatus.FAILED, "inner failure"),
    ]


def test_timeout_kills_the_tools_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    script = tmp_path / "hang"
    script.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pid_file}\nwait\n")
    script.chmod(0o755)
    settings = Settings(timeout=1, retries=0)
    runs, _ = collect(
        HangingTool("hanger", script), settings=settings, tools=ToolRunner({"hang": str(script)})
    )
    assert runs[0].result.reason == "timed out after 1s"
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(grandchild):
        time.sleep(0.05)
    assert not _alive(grandchild)


def test_agent_with_no_accepted_files_is_skipped_with_reasons() -> None:
    class PickyAgent(Sleeper):
        def accepts(self, file: ChangedFile) -> str | None:
            return "not Go"

    runs, _ = collect(PickyAgent("go", 0))
    result = runs[0].result
    assert result.status is AgentStatus.SKIPPED
    assert [(s.path, s.reason) for s in result.skipped] == [("a.py", "not Go")]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


class Flaky(Sleeper):
    """Fails (keeping a partial finding) until its `fail_times` are used up."""

    def __init__(self, name: str, fail_times: int, *, retryable: bool = True) -> None:
        super().__init__(name, 0)
        self.fail_times = fail_times
        self.retryable = retryable
        self.calls = 0

    async def run(self, ctx: AgentContext) -> AgentOutput:
        self.calls += 1
        if self.calls <= self.fail_times:
            if not self.retryable:
                raise AgentError("tool not installed", retryable=False)
            if self.calls == 1:
                partial = Finding(
                    agent=self.name,
                    rule_id="P",
                    severity=Severity.HIGH,
                    path="a.py",
                    line=1,
                    title="found before the crash",
                )
                return AgentOutput(findings=[partial], failure="API overloaded (HTTP 529)")
            raise RuntimeError("connection reset")
        return await super().run(ctx)


def test_a_flaky_agent_is_run_again_and_counts_as_ok() -> None:
    flaky = Flaky("flaky", fail_times=2)
    settings = Settings(retries=2, retry_backoff=0.01)
    runs, lines = collect(flaky, settings=settings)
    result = runs[0].result
    assert (result.status, result.attempts, flaky.calls) == (AgentStatus.OK, 3, 3)
    assert [f.rule_id for f in runs[0].findings] == ["R"]
    assert any("running it again (1 of 2)" in line for line in lines)
    assert any("running it again (2 of 2)" in line for line in lines)


def test_an_agent_failing_every_run_is_flagged_and_keeps_what_it_found() -> None:
    flaky = Flaky("flaky", fail_times=5)
    runs, _ = collect(flaky, Sleeper("steady", 0), settings=Settings(retry_backoff=0.01))
    result = runs[0].result
    assert (result.status, result.attempts, flaky.calls) == (AgentStatus.FAILED, 3, 3)
    assert result.reason == "API overloaded (HTTP 529)"
    assert [f.title for f in runs[0].findings] == ["found before the crash"]
    assert runs[1].result.status is AgentStatus.OK


def test_a_failure_no_rerun_can_help_is_not_retried() -> None:
    broken = Flaky("broken", fail_times=5, retryable=False)
    runs, lines = collect(broken, settings=Settings(retries=2, retry_backoff=0.01))
    assert (runs[0].result.attempts, broken.calls) == (1, 1)
    assert runs[0].result.reason == "tool not installed"
    assert not any("running it again" in line for line in lines)
