"""The one order every renderer lists findings in, whatever order they arrived in.

Most severe first, then by path, line, rule and the rest of the finding, so two runs over
the same change give byte-identical comments and reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from baton.findings.model import Finding


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """`findings` most severe first, then by path, line, rule and the rest of the finding."""
    return sorted(findings, key=finding_order)


def finding_order(f: Finding) -> tuple[Any, ...]:
    """The sort key behind `sort_findings`; total over every field that is shown."""
    return (
        -f.severity.rank,
        f.path,
        f.line or 0,
        f.end_line or 0,
        f.rule_id,
        f.agent,
        f.title,
        f.fingerprint,
        f.message,
        f.recommendation or "",
        f.rule_url or "",
        f.confidence.value,
        f.cwe or 0,
        f.also_reported_by,
        f.placement.value,
    )
