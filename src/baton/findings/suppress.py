"""Inline suppressions: `# baton: ignore[RULE, …]` on a finding's line silences it.

The marker works in any comment syntax (`#`, `//`, `--`, `/* */`): baton looks for the text
`baton: ignore[` on the finding's first or last line. A rule matches by id or by family
(`ignore[S105]` also covers bandit's B105). Suppressed findings are not dropped silently:
the report lists them with the marker that silenced them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from baton.change.model import ChangeSet
from baton.findings.merge import rule_family
from baton.findings.model import Finding
from baton.report import SuppressedFinding

_MARKER = re.compile(r"baton:\s*ignore\[([^\]]*)\]")


def suppressed_rules(line_text: str) -> frozenset[str]:
    """Rule ids named by suppression markers on one line."""
    rules: set[str] = set()
    for match in _MARKER.finditer(line_text):
        rules.update(part.strip() for part in match.group(1).split(",") if part.strip())
    return frozenset(rules)


def apply_suppressions(
    findings: Iterable[Finding], change: ChangeSet
) -> tuple[list[Finding], list[SuppressedFinding]]:
    files = change.by_path()
    kept: list[Finding] = []
    silenced: list[SuppressedFinding] = []
    for finding in findings:
        file = files.get(finding.path)
        marker = None
        if file is not None and finding.line is not None:
            marker = _matching_marker(finding, file.lines.get(finding.line, ""))
            if marker is None and finding.end_line and finding.end_line != finding.line:
                marker = _matching_marker(finding, file.lines.get(finding.end_line, ""))
        if marker is None:
            kept.append(finding)
        else:
            silenced.append(SuppressedFinding(finding=finding, reason=marker))
    return kept, silenced


def _matching_marker(finding: Finding, line_text: str) -> str | None:
    rules = suppressed_rules(line_text)
    if not rules:
        return None
    family = rule_family(finding.rule_id)
    for rule in sorted(rules):
        if rule == finding.rule_id or rule_family(rule) == family:
            return f"baton: ignore[{rule}]"
    return None
