"""Changes one agent makes to the findings of earlier ones (the synthesizer's), and applying them.

A revision names a finding by fingerprint and either confirms it, merges it into another
(a duplicate), downgrades it to a lower severity, or dismisses it — always with a written
reason. Nothing is changed silently: every applied revision is kept for the report with the
finding as it was. Revisions that cannot apply (unknown finding, a "downgrade" that is not
lower, a second change to the same finding, a change to a locked finding) are dropped and
counted. A finding is locked when a locked agent — a deterministic one — reported it or a
duplicate of it: a model may merge its own finding into it, never lower or remove it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from baton.findings.model import Finding, Severity


class RevisionAction(StrEnum):
    CONFIRM = "confirm"
    MERGE = "merge"
    DOWNGRADE = "downgrade"
    DISMISS = "dismiss"


class Revision(BaseModel):
    """What an agent asks to change about one earlier finding."""

    model_config = ConfigDict(frozen=True)

    action: RevisionAction
    finding: str = Field(description="Fingerprint of the finding.")
    reason: str = Field(min_length=1, description="Why, in a sentence a reviewer can check.")
    severity: Severity | None = Field(default=None, description="The lower severity (downgrade).")
    into: str | None = Field(default=None, description="Fingerprint of the finding kept (merge).")


class AppliedRevision(BaseModel):
    """A revision as applied, for the report: who, what, why, and the finding before it."""

    model_config = ConfigDict(frozen=True)

    by: str
    action: RevisionAction
    reason: str
    finding: Finding = Field(description="The finding as it was before the revision.")
    severity: Severity | None = Field(default=None, description="Its severity after a downgrade.")
    into: str | None = Field(default=None, description="Location of the finding it merged into.")


def apply_revisions(
    findings: Sequence[Finding],
    revisions: Iterable[Revision],
    by: str,
    *,
    locked: frozenset[str] = frozenset(),
) -> tuple[list[Finding], list[AppliedRevision], int]:
    """(findings after the revisions, what was applied, how many revisions were dropped)."""
    current = {f.fingerprint: f for f in findings}
    order = [f.fingerprint for f in findings]
    applied: list[AppliedRevision] = []
    touched: set[str] = set()
    dropped = 0
    for revision in revisions:
        finding = current.get(revision.finding)
        if finding is None or revision.finding in touched or is_locked(finding, locked):
            dropped += 1
            continue
        record = _apply(revision, finding, current, by)
        if record is None:
            dropped += 1
            continue
        touched.add(revision.finding)
        applied.append(record)
    return [current[key] for key in order if key in current], applied, dropped


def is_locked(finding: Finding, locked: frozenset[str]) -> bool:
    """Whether a locked agent reported `finding` or one of the duplicates merged into it."""
    reporters = {finding.agent, *(other.split(":", 1)[0] for other in finding.also_reported_by)}
    return not reporters.isdisjoint(locked)


def _apply(
    revision: Revision, finding: Finding, current: dict[str, Finding], by: str
) -> AppliedRevision | None:
    record = AppliedRevision(
        by=by, action=revision.action, reason=revision.reason.strip(), finding=finding
    )
    if revision.action is RevisionAction.CONFIRM:
        return record
    if revision.action is RevisionAction.DISMISS:
        del current[revision.finding]
        return record
    if revision.action is RevisionAction.DOWNGRADE:
        lower = revision.severity
        if lower is None or lower.rank >= finding.severity.rank:
            return None
        current[revision.finding] = finding.model_copy(
            update={
                "severity": lower,
                "original_severity": finding.original_severity or finding.severity,
            }
        )
        return record.model_copy(update={"severity": lower})
    target = current.get(revision.into or "")
    if target is None or target.fingerprint == finding.fingerprint:
        return None
    merged_from = (f"{finding.agent}:{finding.rule_id}", *finding.also_reported_by)
    current[target.fingerprint] = target.model_copy(
        update={
            "also_reported_by": tuple(dict.fromkeys((*target.also_reported_by, *merged_from))),
            "severity": max(target.severity, finding.severity, key=lambda s: s.rank),
        }
    )
    del current[revision.finding]
    return record.model_copy(update={"into": target.location})
