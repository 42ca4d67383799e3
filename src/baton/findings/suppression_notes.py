"""Findings about the suppression markers a change adds, so reviewers see every new one.

A marker with a reason on an added line becomes an INFO finding quoting the reason; a marker
without a reason (which suppresses nothing) becomes a LOW finding showing how to write one.
Markers on unchanged lines are not the change's doing and produce nothing. One finding per
line, however many markers it holds.
"""

from __future__ import annotations

from baton.change.model import ChangedFile, ChangeSet
from baton.findings.model import Confidence, Finding, Severity
from baton.findings.suppress import (
    SUPPRESSION_ADDED_RULE,
    SUPPRESSION_AGENT,
    SUPPRESSION_NO_REASON_RULE,
    Marker,
    parse_markers,
)


def suppression_findings(change: ChangeSet) -> list[Finding]:
    """One finding for every added line of `change` that holds a `baton: ignore[…]` marker."""
    found: list[Finding] = []
    for file in change.files:
        for line in sorted(file.added_lines):
            markers = parse_markers(file.lines.get(line, ""))
            if markers:
                found.append(_note(file, line, markers))
    return found


def _note(file: ChangedFile, line: int, markers: list[Marker]) -> Finding:
    reasoned = [m for m in markers if m.reason]
    bare = [m for m in markers if not m.reason]
    active = "; ".join(f"{m.text} — {m.reason}" for m in reasoned)
    note = Finding(
        agent=SUPPRESSION_AGENT,
        rule_id=SUPPRESSION_ADDED_RULE,
        severity=Severity.INFO,
        confidence=Confidence.HIGH,
        path=file.path,
        line=line,
        title=f"suppression added: {active}",
    )
    if not bare:
        rules = ", ".join(rule for m in reasoned for rule in m.rules)
        reasons = "; ".join(m.reason or "" for m in reasoned)
        message = f"This change silences {rules} on this line. Reason given: {reasons}"
        return note.model_copy(update={"message": message})
    names = ", ".join(m.text for m in bare)
    title = (
        f"{names} has no reason, so it suppresses nothing"
        if len(bare) == 1
        else f"{names} have no reason, so they suppress nothing"
    )
    message = (
        "A `baton: ignore[…]` marker suppresses findings only when a reason follows its "
        "closing bracket. Without one, the findings on this line still count toward the gate."
    )
    if reasoned:
        message += f" The line also holds {active}, which does suppress."
    example = ", ".join(rule for m in bare for rule in m.rules)
    recommendation = (
        f"Say why after the marker, e.g. `# baton: ignore[{example}] <why>`, "
        "or remove the marker and fix the finding."
    )
    return note.model_copy(
        update={
            "rule_id": SUPPRESSION_NO_REASON_RULE,
            "severity": Severity.LOW,
            "title": title,
            "message": message,
            "recommendation": recommendation,
        }
    )
