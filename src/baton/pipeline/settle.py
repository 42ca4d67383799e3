"""Settling raw findings into the review's findings, after every phase.

In order: add baton's notes on suppressions the change adds (its own markers and the
tools'), place on the diff, drop what an agent's `ignore` globs exclude, apply configured
severities, honour inline suppressions (up to `suppress_max_severity`), fingerprint, merge
duplicates, apply the later agents' revisions (never to a locked agent's finding, unless
`revise_builtin_findings`), sort. Every
step is deterministic, so settling again after the next phase gives the same fingerprints
and the revisions still apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from baton.agents.runner import AgentRun
from baton.change.model import ChangeSet
from baton.findings.merge import fingerprint_all, merge_duplicates, place_on_diff
from baton.findings.model import Finding
from baton.findings.order import sort_findings
from baton.findings.revise import AppliedRevision, apply_revisions
from baton.findings.rules import apply_severity_overrides, drop_ignored
from baton.findings.suppress import apply_suppressions
from baton.findings.suppression_notes import suppression_findings
from baton.findings.tool_markers import tool_marker_findings
from baton.report import SuppressedFinding
from baton.settings import Settings


@dataclass(frozen=True)
class Settled:
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[SuppressedFinding] = field(default_factory=list)
    revisions: list[AppliedRevision] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    """Revisions per agent that could not apply (unknown finding, not a downgrade, …)."""


def settle(
    runs: Sequence[AgentRun],
    change: ChangeSet,
    settings: Settings,
    keep_outside: frozenset[str],
    locked: frozenset[str] = frozenset(),
) -> Settled:
    """`locked`: agents whose findings a revision may not touch (the deterministic ones)."""
    raw = [finding for run in runs for finding in run.findings]
    raw += suppression_findings(change)
    raw += tool_marker_findings(change, honored=settings.honor_tool_suppressions)
    filters = {run.result.name: settings.filter_for(run.result.name) for run in runs}
    placed = place_on_diff(raw, change, settings.include_context_lines, keep_outside, filters)
    adjusted = apply_severity_overrides(drop_ignored(placed, settings), settings)
    cap = settings.suppress_max_severity.threshold
    kept, suppressed = apply_suppressions(adjusted, change, cap)
    findings = merge_duplicates(fingerprint_all(kept, change))
    applied: list[AppliedRevision] = []
    dropped: dict[str, int] = {}
    for run in runs:
        if not run.revisions:
            continue
        findings, done, count = apply_revisions(
            findings,
            run.revisions,
            run.result.name,
            locked=frozenset() if settings.revise_builtin_findings else locked,
        )
        applied.extend(done)
        if count:
            dropped[run.result.name] = count
    return Settled(sort_findings(findings), suppressed, applied, dropped)
