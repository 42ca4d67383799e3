"""Dismissals from the conversation: `/baton dismiss <reason>` in reply to an inline comment.

A reply whose first line is `/baton dismiss <reason>` dismisses the finding of the inline
comment it answers, from the next run on: the finding no longer counts for the gate, is not
posted again, and is listed as dismissed with who and why (JSON report, SARIF
suppressions). Only a reply by someone who may write to the repository counts, only with a
reason, and only for a finding at or below `dismiss_max_severity` (default HIGH): a CRITICAL
needs a code change or a change to the base configuration. Every reply that does not count
is listed with the reason; none changes the verdict without a recorded reason. The latest
valid dismissal of a finding wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from baton.findings.model import Finding, Severity
from baton.platforms.base import Reply
from baton.report import SuppressedFinding

_COMMAND = re.compile(r"/baton\s+dismiss(?=\s|$)(.*)", re.IGNORECASE)


@dataclass(frozen=True)
class Dismissal:
    fingerprint: str
    author: str
    reason: str
    url: str | None = None


@dataclass(frozen=True)
class Dismissals:
    """The dismissals that count, and a line for every reply that asked but does not."""

    valid: dict[str, Dismissal]
    ignored: tuple[str, ...] = ()


def read_dismissals(replies: Sequence[Reply]) -> Dismissals:
    valid: dict[str, Dismissal] = {}
    ignored: list[str] = []
    for reply in replies:
        first = (reply.body.strip().splitlines() or [""])[0].strip()
        match = _COMMAND.match(first)
        if match is None:
            continue
        who = f"@{reply.author}"
        reason = match.group(1).strip()
        if not reply.fingerprint:
            ignored.append(f"dismissal by {who} ignored: the comment it answers no longer exists")
        elif not reason:
            ignored.append(f"dismissal by {who} ignored: a reason is required (/baton dismiss …)")
        elif not reply.can_write:
            ignored.append(f"dismissal by {who} ignored: they may not write to the repository")
        else:
            valid[reply.fingerprint] = Dismissal(reply.fingerprint, reply.author, reason, reply.url)
    return Dismissals(valid, tuple(ignored))


def apply_dismissals(
    findings: Sequence[Finding], dismissals: Dismissals, cap: Severity | None
) -> tuple[list[Finding], list[SuppressedFinding], list[str]]:
    """The findings that still count, the dismissed ones, and the notes on dismissals that did
    not apply. `cap`: the most severe finding a reply may dismiss (None: none)."""
    kept: list[Finding] = []
    dismissed: list[SuppressedFinding] = []
    notes = list(dismissals.ignored)
    seen: set[str] = set()
    for finding in findings:
        dismissal = dismissals.valid.get(finding.fingerprint)
        if dismissal is None:
            kept.append(finding)
            continue
        seen.add(finding.fingerprint)
        if cap is None or not cap.at_least(finding.severity):
            limit = cap.value if cap is not None else "never"
            notes.append(
                f"dismissal by @{dismissal.author} of {finding.severity.value} "
                f"{finding.rule_id} at {finding.location} refused: above dismiss_max_severity "
                f"({limit}); it needs a code change or the base configuration"
            )
            kept.append(finding)
            continue
        dismissed.append(
            SuppressedFinding(
                finding=finding,
                reason=f"dismissed by @{dismissal.author}",
                justification=dismissal.reason,
                dismissed_by=dismissal.author,
            )
        )
    for fingerprint, dismissal in dismissals.valid.items():
        if fingerprint not in seen:
            notes.append(
                f"dismissal by @{dismissal.author} names a finding this review does not report "
                f"({fingerprint[:12]}); nothing dismissed"
            )
    return kept, dismissed, notes
