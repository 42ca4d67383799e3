"""How the pipeline's own doings read in the comment: revisions, skipped phases, reruns.

Kept apart from `render.markdown` (the comment's layout): each function turns one part of
the `Review` into escaped markdown fragments that the template lists.
"""

from __future__ import annotations

from markupsafe import Markup

from baton.agents.base import AgentResult, AgentStatus
from baton.findings.revise import AppliedRevision, RevisionAction
from baton.render.escape import code, inline
from baton.report import Review

_VERBS = {
    RevisionAction.CONFIRM: "confirmed",
    RevisionAction.MERGE: "merged",
    RevisionAction.DOWNGRADE: "downgraded",
    RevisionAction.DISMISS: "dismissed",
}


def revision_items(review: Review) -> list[Markup]:
    """One line per revision: what changed, on which finding, by whom, and why."""
    return [_revision(item) for item in review.revisions]


def _revision(item: AppliedRevision) -> Markup:
    finding = item.finding
    change = Markup("**{}**").format(_VERBS[item.action])
    severity = Markup("{}").format(finding.severity.value)
    if item.action is RevisionAction.DOWNGRADE and item.severity is not None:
        severity = Markup("{} → {}").format(finding.severity.value, item.severity.value)
    target = Markup("")
    if item.action is RevisionAction.MERGE and item.into:
        target = Markup(" into {}").format(code(item.into, limit=300))
    return Markup("{} {} {} — {} ({} {}){} by {}: *{}*").format(
        change,
        severity,
        code(finding.location, limit=300),
        inline(finding.title, limit=200),
        inline(finding.agent, limit=60),
        code(finding.rule_id, limit=100),
        target,
        inline(item.by, limit=60),
        inline(item.reason, limit=600),
    )


def note_remarks(review: Review) -> list[Markup]:
    return [Markup("⚠️ {}").format(inline(note, limit=600)) for note in review.notes]


def agent_label(agent: AgentResult, review: Review) -> Markup:
    """The agent's name, with its phase when the pipeline has more than one."""
    name = inline(agent.name, limit=60)
    if len(review.phases) > 1:
        return Markup("{} · {}").format(agent.phase, name)
    return name


def status_text(agent: AgentResult) -> Markup:
    status = {AgentStatus.OK: "✅ ok", AgentStatus.FAILED: "❌ failed"}.get(
        agent.status, "⏭️ skipped"
    )
    shown = Markup(status)
    if agent.attempts > 1:
        shown = Markup("{} after {} runs").format(shown, agent.attempts)
    if agent.status is AgentStatus.FAILED and agent.fails_open:
        shown = Markup("{} (fails open: the findings stand)").format(shown)
    if agent.reason:
        shown = Markup("{}: {}").format(shown, inline(agent.reason, limit=300))
    return shown
