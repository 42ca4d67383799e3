"""Many shards' reports as one review: findings, agents, skipped files and usage combined,
the gate applied once.

Findings of different shards are different files, so they only meet when the same finding
came back twice (the same fingerprint): then it is kept once. An agent's results are added up
across shards: the worst status wins (one failed shard fails the agent), counts and usage add
up, the longest run is its duration. Diff coverage is computed again over every shard's
measured lines, since a shard's percentage says nothing of the whole change. Reasons a shard
was incomplete (a file it could not read, phases it stopped) stay reasons for the whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from baton.agents.base import AgentResult, AgentStatus, Usage
from baton.agents.builtin.coverage import coverage_outcome
from baton.findings.model import Finding
from baton.findings.order import sort_findings
from baton.gate import decide
from baton.report import PhaseRecord, Review
from baton.settings import FailOn
from baton.shards.plan import ShardRecord

COVERAGE = "coverage"


def combine(shards: Sequence[Review], problems: Sequence[str] = ()) -> Review:
    """One review of the whole change from its shards' reviews (checked to belong together);
    `problems` (a shard missing, foreign, unreadable) make it incomplete unless it fails."""
    first = shards[0]
    record = first.shard
    assert record is not None  # load_shards checked every report is a shard's
    agents = _agents(shards, record)
    findings = _unique(f for review in shards for f in review.findings)
    gate = decide(
        findings,
        agents,
        FailOn(record.fail_on),
        unreviewed=[*problems, *_incomplete_reasons(shards)],
    )
    return Review(
        base=first.base,
        head=first.head,
        files_changed=sum(r.files_changed for r in shards),
        lines_added=sum(r.lines_added for r in shards),
        config_source=first.config_source,
        notes=tuple(dict.fromkeys(n for r in shards for n in r.notes)),
        phases=_phases(shards),
        agents=tuple(agents),
        findings=tuple(findings),
        suppressed=tuple(s for r in shards for s in r.suppressed),
        revisions=tuple(v for r in shards for v in r.revisions),
        skipped=tuple(s for r in shards for s in r.skipped),
        gate=gate,
    )


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    kept: dict[str, Finding] = {}
    for finding in findings:
        kept.setdefault(finding.fingerprint or repr(finding), finding)
    return sort_findings(kept.values())


def _agents(shards: Sequence[Review], record: ShardRecord) -> list[AgentResult]:
    runs: dict[str, list[tuple[int, AgentResult]]] = {}
    for review in shards:
        index = review.shard.index if review.shard is not None else 0
        for result in review.agents:
            runs.setdefault(result.name, []).append((index, result))
    return [_agent(name, results, record) for name, results in runs.items()]


def _agent(name: str, runs: list[tuple[int, AgentResult]], record: ShardRecord) -> AgentResult:
    results = [result for _, result in runs]
    failed = [(index, r) for index, r in runs if r.status is AgentStatus.FAILED]
    ok = [r for r in results if r.status is AgentStatus.OK]
    if failed:
        status = AgentStatus.FAILED
        reason = "; ".join(f"shard {index}/{record.total}: {r.reason}" for index, r in failed)
    elif ok:
        status, reason = AgentStatus.OK, None
    else:
        status, reason = AgentStatus.SKIPPED, results[0].reason
    usages = [r.usage for r in results if r.usage is not None]
    merged = results[0].model_copy(
        update={
            "status": status,
            "reason": reason,
            "raw_findings": sum(r.raw_findings for r in results),
            "files_reviewed": sum(r.files_reviewed for r in results),
            "skipped": tuple(s for r in results for s in r.skipped),
            "duration_s": max(r.duration_s for r in results),
            "summary": _summary(ok or results),
            "blocking": tuple(dict.fromkeys(b for r in results for b in r.blocking)),
            "metrics": _sum_metrics(results),
            "usage": sum(usages, Usage()) if usages else None,
            "denied": tuple(d for r in results for d in r.denied),
            "attempts": max(r.attempts for r in results),
        }
    )
    if name == COVERAGE and ok:
        summary, blocking, metrics = coverage_outcome(
            int(merged.metrics.get("measured_lines", 0)),
            int(merged.metrics.get("missing_lines", 0)),
            record.min_diff_coverage,
        )
        merged = merged.model_copy(
            update={"summary": summary, "blocking": tuple(blocking), "metrics": metrics}
        )
    return merged


def _summary(results: Sequence[AgentResult]) -> str | None:
    """The summary of the shard that reviewed the most files."""
    return max(results, key=lambda r: r.files_reviewed).summary


def _sum_metrics(results: Sequence[AgentResult]) -> dict[str, float]:
    total: dict[str, float] = {}
    for result in results:
        for key, value in result.metrics.items():
            total[key] = total.get(key, 0.0) + value
    return total


def _phases(shards: Sequence[Review]) -> tuple[PhaseRecord, ...]:
    numbered: dict[int, list[PhaseRecord]] = {}
    for review in shards:
        for phase in review.phases:
            numbered.setdefault(phase.number, []).append(phase)
    return tuple(
        PhaseRecord(
            number=number,
            agents=tuple(dict.fromkeys(a for p in phases for a in p.agents)),
            ran=any(p.ran for p in phases),
            reason=next((p.reason for p in phases if p.reason), None),
            duration_s=max(p.duration_s for p in phases),
        )
        for number, phases in sorted(numbered.items())
    )


def _incomplete_reasons(shards: Sequence[Review]) -> list[str]:
    """What made a shard incomplete besides what the gate works out again from the combined
    agents (a failed agent): unreadable files, stopped phases."""
    return list(dict.fromkeys(reason for review in shards for reason in review.gate.incomplete))
