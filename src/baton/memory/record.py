"""The state this run leaves for the next one, built from its review.

Every reported finding is recorded open (with its text when a model agent reported it, to be
carried forward), every dismissed one dismissed, and every finding the earlier state had open
that this review no longer reports, fixed. A finding keeps the head it was first seen on. A
model agent's head is recorded only when it finished: one that failed or was stopped makes
the next run review in full.
"""

from __future__ import annotations

from baton.agents.base import AgentResult, AgentStatus
from baton.findings.model import Finding
from baton.findings.order import sort_findings
from baton.memory.state import Detail, Remembered, ReviewState, Status
from baton.report import Review

MODEL_ENGINE = "claude"


def record_state(
    review: Review,
    *,
    previous: ReviewState | None = None,
    subject: str = "",
    digest: str = "",
) -> ReviewState:
    head = (review.head or "")[:12]
    seen = {f.fingerprint: f.first_seen for f in previous.findings} if previous else {}
    models = frozenset(r.name for r in review.agents if r.engine == MODEL_ENGINE)

    def remember(finding: Finding, status: Status) -> Remembered:
        detail = _detail(finding) if finding.agent in models else None
        return Remembered(
            fingerprint=finding.fingerprint,
            agent=finding.agent,
            rule=finding.rule_id,
            path=finding.path,
            line=finding.line,
            severity=finding.severity,
            status=status,
            first_seen=seen.get(finding.fingerprint, head),
            detail=detail,
        )

    records = [remember(f, Status.OPEN) for f in sort_findings(review.findings) if f.fingerprint]
    dismissed = [s.finding for s in review.suppressed if s.dismissed_by is not None]
    records += [remember(f, Status.DISMISSED) for f in sort_findings(dismissed) if f.fingerprint]
    known = {r.fingerprint for r in records}
    if previous is not None:
        records += [
            r.model_copy(update={"status": Status.FIXED, "detail": None})
            for r in previous.findings
            if r.status is not Status.FIXED and r.fingerprint not in known
        ]
    return ReviewState(
        subject=subject,
        base=review.base,
        head=review.head,
        verdict=review.gate.verdict.value,
        complete=_complete(review),
        config=digest,
        agents={r.name: review.head for r in _finished(review) if review.head},
        findings=tuple(records),
    )


def _detail(finding: Finding) -> Detail:
    return Detail(
        title=finding.title,
        message=finding.message,
        recommendation=finding.recommendation,
        confidence=finding.confidence,
        rule_url=finding.rule_url,
        cwe=finding.cwe,
        end_line=finding.end_line,
        placement=finding.placement,
    )


def _finished(review: Review) -> list[AgentResult]:
    """Model agents that reviewed all they were given (or were given nothing to review)."""
    ran = {phase.number for phase in review.phases if phase.ran}
    return [
        r
        for r in review.agents
        if r.engine == MODEL_ENGINE
        and (r.status is AgentStatus.OK or (r.status is AgentStatus.SKIPPED and r.phase in ran))
    ]


def _complete(review: Review) -> bool:
    failed = any(r.status is AgentStatus.FAILED and not r.fails_open for r in review.agents)
    stopped = any(not phase.ran for phase in review.phases)
    return not failed and not stopped
