"""The review as a GitLab Code Quality report (a subset of the Code Climate issue format).

Severity map, most severe first: CRITICAL → blocker, HIGH → critical, MEDIUM → major,
LOW → minor, INFO → info. `check_name` is `<agent>/<rule_id>`. GitLab keeps only the first
entry of each fingerprint, so every entry gets its own: a SHA-256 of agent, rule and the
finding's fingerprint (path, line and title when it has none), with an occurrence number
added for exact repeats. Entries are in `findings.order`, so the fingerprints are stable.
Suppressed findings are left out.
"""

from __future__ import annotations

import hashlib
from typing import Any

from baton.findings.model import Finding, Severity
from baton.findings.order import sort_findings
from baton.report import Review

SEVERITY = {
    Severity.CRITICAL: "blocker",
    Severity.HIGH: "critical",
    Severity.MEDIUM: "major",
    Severity.LOW: "minor",
    Severity.INFO: "info",
}


def render_codequality(review: Review) -> list[dict[str, Any]]:
    """One Code Quality issue per reported finding."""
    seen: set[str] = set()
    entries = []
    for finding in sort_findings(review.findings):
        fingerprint = _fingerprint(finding, seen)
        seen.add(fingerprint)
        lines: dict[str, int] = {"begin": finding.line or 1}
        if finding.line is not None and finding.end_line is not None:
            lines["end"] = max(finding.end_line, finding.line)
        entries.append(
            {
                "type": "issue",
                "description": finding.title or finding.rule_id,
                "check_name": f"{finding.agent}/{finding.rule_id}",
                "fingerprint": fingerprint,
                "severity": SEVERITY[finding.severity],
                "location": {"path": finding.path, "lines": lines},
            }
        )
    return entries


def _fingerprint(finding: Finding, seen: set[str]) -> str:
    identity = finding.fingerprint or f"{finding.path}\0{finding.line or 0}\0{finding.title}"
    base = f"{finding.agent}\0{finding.rule_id}\0{identity}"
    candidate = hashlib.sha256(base.encode()).hexdigest()
    repeat = 0
    while candidate in seen:
        repeat += 1
        candidate = hashlib.sha256(f"{base}\0{repeat}".encode()).hexdigest()
    return candidate
