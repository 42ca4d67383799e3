"""The review as one flow: change → phases of agents → findings → gate → `Review`.

First the reviewed revision's changed files are written to the run's workspace (what the
tools read, with the trusted tool configuration) and scoped. Phases run in order and the
agents of a phase at once (`agents.runner`). Between phases the findings so far are settled
(placed on the diff, config severities and ignores applied, suppressions honoured,
fingerprinted, duplicates merged, revisions applied) and handed to the next phase through
the work directory (`pipeline.handoff`). When a phase yields a finding at or above
`stop_on`, the later phases are skipped and say why. With what earlier runs left
(`memory.context.Recalled`), the model agents review what the plan says
(`pipeline.remembered`), dismissals from the conversation are applied before the gate, and
the review carries the state for the next run. Rendering and publishing the result
are the caller's, so the same `Review` can be printed, written as reports, or posted to a
platform; it comes back redacted (`baton.redact`), with the values of the secrets the
agents found added to the run's redactor.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from baton.agents import Agent
from baton.agents.base import DETERMINISTIC_ENGINES, AgentResult, AgentStatus, Handoff
from baton.agents.catalog import plan_phases
from baton.agents.limits import RunLimits
from baton.agents.runner import AgentRun, Progress, run_agents
from baton.agents.skips import without_reviewed_kinds
from baton.agents.specs import AgentSpec, agent_specs
from baton.agents.tools import ToolRunner
from baton.change.checkout import checkout_for_models
from baton.change.model import ChangeSet
from baton.change.scope import Scope, select_files, trusted_attributes
from baton.change.workspace import Workspace, build_workspace
from baton.findings.suppress import SUPPRESSION_AGENT
from baton.gate import decide, is_blocking
from baton.memory.context import Memory, Recalled, remember
from baton.memory.dismissals import apply_dismissals
from baton.memory.record import record_state
from baton.pipeline.handoff import work_directory, write_handoff
from baton.pipeline.remembered import is_model, model_scope, run_phase
from baton.pipeline.settle import Settled, settle
from baton.redact import active, redact_model
from baton.repo_config import RepoConfig
from baton.report import PhaseRecord, Review
from baton.settings import Settings


async def review_change(
    change: ChangeSet,
    settings: Settings,
    *,
    progress: Progress,
    config: RepoConfig | None = None,
    agents: Sequence[Agent] | None = None,
    specs: dict[str, AgentSpec] | None = None,
    tools: ToolRunner | None = None,
    notes: Sequence[str] = (),
    limits: RunLimits | None = None,
    recalled: Recalled | None = None,
) -> Review:
    """Review `change`. `agents` replaces the configured pipeline with one phase of them.

    `config` is the trusted repository configuration (tool configuration files, and the
    revision whose `.gitattributes` apply); without one, baton's defaults. `limits` lets the
    caller stop the run (`RunLimits.stop`): the review then says what was done until then.
    `recalled`: what earlier runs on the same change request left (state, dismissals).
    """
    repo = config or RepoConfig()
    if agents is not None:
        phases = [list(agents)]
    else:
        known = specs if specs is not None else agent_specs(settings, repo)
        phases = plan_phases(settings, known, os.environ, progress)
    runner = tools or ToolRunner(settings.tools)
    limits = limits or RunLimits(settings.max_budget_usd, settings.max_concurrency)
    runs: list[AgentRun] = []
    records: list[PhaseRecord] = []
    chosen = [agent for phase in phases for agent in phase]
    recalled = recalled or Recalled()
    models = [a.name for a in chosen if is_model(a)]
    memory = remember(recalled, change, settings, repo, models) if models else None
    if memory is not None:
        progress(f"model agents: {memory.plan.mode.value} review ({memory.plan.reason})")
        notes = [*notes, *([memory.note] if memory.note else [])]
    keep_outside = frozenset(a.name for a in chosen if a.keeps_outside_findings)
    settled = Settled()
    stopped: str | None = None
    with work_directory(settings.work_dir) as folder:
        workspace, scope = _read_change(change, settings, repo, folder, tree=_needs_tree(chosen))
        progress(f"files read from the {workspace.revision}")
        for number, phase in enumerate(phases, start=1):
            names = tuple(agent.name for agent in phase)
            if stopped is not None:
                progress(f"phase {number} ({', '.join(names)}): skipped, {stopped}")
                runs.extend(_skipped(agent, number, stopped) for agent in phase)
                records.append(PhaseRecord(number=number, agents=names, ran=False, reason=stopped))
                continue
            if len(phases) > 1:
                progress(f"phase {number} of {len(phases)}: {', '.join(names)}")
            handoff = None
            if number > 1:
                handoff = write_handoff(
                    folder, number, settled.findings, settings.context_tokens, _locked(runs)
                )
            started = time.monotonic()

            async def run(
                agents: Sequence[Agent],
                part: ChangeSet | None,
                number: int = number,
                handoff: Handoff | None = handoff,
            ) -> list[AgentRun]:
                return await run_agents(
                    agents,
                    part or change,
                    model_scope(scope, part) if part is not None else scope,
                    workspace,
                    settings,
                    runner,
                    progress,
                    limits,
                    phase=number,
                    handoff=handoff,
                )

            phase_runs = await run_phase(phase, memory, number, run)
            runs.extend(phase_runs)
            active().add(secret for run in phase_runs for secret in run.secrets)
            settled = settle(runs, change, settings, keep_outside, _locked(runs))
            for name in names:
                if settled.dropped.get(name):
                    progress(f"{name}: {settled.dropped[name]} revisions could not apply")
            records.append(
                PhaseRecord(
                    number=number,
                    agents=names,
                    ran=True,
                    duration_s=round(time.monotonic() - started, 3),
                )
            )
            if number < len(phases):
                stopped = limits.stopped or _stop_reason(settled, names, settings, number)
    results = without_reviewed_kinds([run.result for run in runs])
    findings, dismissed, remarks = apply_dismissals(
        settled.findings, recalled.dismissals, settings.dismiss_max_severity.threshold
    )
    for remark in remarks:
        progress(f"note: {remark}")
    review = Review(
        base=change.base,
        head=change.head,
        files_changed=len(change.files),
        lines_added=change.added_count,
        config_source=repo.source,
        notes=(*notes, *remarks),
        phases=tuple(records),
        agents=tuple(results),
        findings=tuple(findings),
        suppressed=(*settled.suppressed, *dismissed),
        revisions=tuple(settled.revisions),
        skipped=tuple(scope.skipped),
        gate=decide(
            findings,
            results,
            settings.fail_on,
            stopped=stopped,
            unreviewed=_unreviewed(scope, results),
        ),
    )
    return _with_state(redact_model(review), recalled, memory)


def _with_state(review: Review, recalled: Recalled, memory: Memory | None) -> Review:
    """The review with the state it leaves for the next run."""
    state = record_state(
        review,
        previous=recalled.read.state,
        subject=recalled.subject,
        digest=memory.digest if memory is not None else "",
    )
    return review.model_copy(update={"memory": state})


def _read_change(
    change: ChangeSet, settings: Settings, repo: RepoConfig, folder: Path, *, tree: bool
) -> tuple[Workspace, Scope]:
    """The reviewed revision's changed files written for the tools (and, for model agents
    and analysers, a checkout of that revision), and which of them each agent reviews."""
    workspace = build_workspace(
        change,
        folder / "workspace",
        max_file_bytes=settings.max_file_bytes,
        tool_configs=repo.tool_configs,
    )
    if tree:
        where = checkout_for_models(Path(change.root), change.head, folder / "tree")
        workspace = replace(workspace, model_root=where)
    paths = [f.path for f in change.files]
    scope = select_files(
        change,
        workspace,
        exclude=settings.exclude,
        max_file_bytes=settings.max_file_bytes,
        attributes=trusted_attributes(Path(change.root), repo.revision, paths),
    )
    return workspace, scope


def _needs_tree(agents: Sequence[Agent]) -> bool:
    """Whether an agent reads the reviewed revision's whole tree (models and analysers)."""
    return any(is_model(agent) or agent.engine == "analyser" for agent in agents)


def _locked(runs: Sequence[AgentRun]) -> frozenset[str]:
    """Agents whose findings no model may revise: the deterministic ones, and baton's notes."""
    return frozenset(
        {
            SUPPRESSION_AGENT,
            *(run.result.name for run in runs if run.result.engine in DETERMINISTIC_ENGINES),
        }
    )


def _unreviewed(scope: Scope, results: Sequence[AgentResult]) -> list[str]:
    """Why the change was not (wholly) reviewed: files that could not be read, or files to
    review and no agent that finished on any of them."""
    reasons = [
        f"{s.path} could not be reviewed: {s.reason}" for s in scope.skipped if s.unreviewable
    ]
    ran = any(r.status is AgentStatus.OK for r in results)
    if (scope.selected or scope.secrets_only) and not ran:
        reasons.append("no agent reviewed any file of the change")
    return reasons


def _stop_reason(
    settled: Settled, names: tuple[str, ...], settings: Settings, number: int
) -> str | None:
    blocking = [
        f for f in settled.findings if f.agent in names and is_blocking(f, settings.stop_on)
    ]
    if not blocking:
        return None
    worst = max(blocking, key=lambda f: f.severity.rank)
    noun = "finding" if len(blocking) == 1 else "findings"
    return (
        f"phase {number} found {len(blocking)} {noun} at or above {settings.stop_on.value} "
        f"(stop_on; worst: {worst.severity.value} {worst.rule_id} at {worst.location})"
    )


def _skipped(agent: Agent, phase: int, reason: str) -> AgentRun:
    result = AgentResult(
        name=agent.name,
        engine=agent.engine,
        status=AgentStatus.SKIPPED,
        reason=reason,
        phase=phase,
        attempts=0,
        fails_open=agent.fails_open,
    )
    return AgentRun(result, ())
