"""The tools' own suppression markers a change adds, shown so that none works unseen.

`# nosec` (bandit), `# noqa` and `# ruff: noqa` (ruff), `pragma: allowlist secret` and its
`nextline` form (detect-secrets), `# shellcheck disable=…`, `# hadolint ignore=…` (and its
`global` form) and `# zizmor: ignore[…]` are written by whoever writes the change. By
default the tools run with them ignored, so the findings still count; each marker on an
added line becomes an INFO finding saying so. With `honor_tool_suppressions` (a base
configuration's choice) the tools obey them, and the finding says what the marker hides.
"""

from __future__ import annotations

import re

from baton.change.model import ChangedFile, ChangeSet
from baton.findings.model import Confidence, Finding, Severity
from baton.findings.suppress import SUPPRESSION_AGENT, TOOL_SUPPRESSION_RULE

MARKERS = (
    ("# nosec", "bandit", re.compile(r"#\s*nosec\b", re.IGNORECASE)),
    ("# ruff: noqa", "ruff", re.compile(r"#\s*(?:ruff|flake8)\s*:\s*noqa\b", re.IGNORECASE)),
    ("# noqa", "ruff", re.compile(r"#\s*noqa\b", re.IGNORECASE)),
    (
        "pragma: allowlist secret",
        "detect-secrets",
        re.compile(r"pragma:\s*(?:allow|white)list(?:[ -]nextline)?[ -]secret", re.IGNORECASE),
    ),
    (
        "# shellcheck disable",
        "shellcheck",
        re.compile(r"#[ \t]*shellcheck[ \t]+(?:\S+[ \t]+)*?disable=", re.IGNORECASE),
    ),
    (
        "# hadolint ignore",
        "hadolint",
        re.compile(r"#[ \t]*hadolint[ \t]+(?:global[ \t]+)?ignore[ \t]*=", re.IGNORECASE),
    ),
    ("# zizmor: ignore", "zizmor", re.compile(r"#[ \t]*zizmor[ \t]*:[ \t]*ignore\[", re.I)),
)


def tool_marker_findings(change: ChangeSet, *, honored: bool) -> list[Finding]:
    """One finding for every added line of `change` that holds a tool's suppression marker."""
    found: list[Finding] = []
    for file in change.files:
        for line in sorted(file.added_lines):
            text = file.lines.get(line, "")
            markers = _covered([(n, t) for n, t, pattern in MARKERS if pattern.search(text)])
            if markers:
                found.append(_note(file, line, markers, honored))
    return found


def _covered(markers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`# ruff: noqa` also matches `# noqa`'s pattern: keep the longer one only."""
    names = {name for name, _ in markers}
    return [(n, t) for n, t in markers if not (n == "# noqa" and "# ruff: noqa" in names)]


def _note(file: ChangedFile, line: int, markers: list[tuple[str, str]], honored: bool) -> Finding:
    shown = ", ".join(f"`{name}` ({tool})" for name, tool in markers)
    if honored:
        title = f"tool suppression added: {shown}"
        message = (
            "This change tells a tool to stay silent here, and this repository's baton "
            "configuration lets the tools obey (honor_tool_suppressions): what it hides is "
            "not in this review."
        )
    else:
        title = f"tool suppression not honoured: {shown}"
        message = (
            "baton runs the tools with their own suppression markers ignored, so whatever "
            "they find on this line still counts. Use `baton: ignore[RULE] reason` to "
            "suppress a finding where reviewers see it."
        )
    return Finding(
        agent=SUPPRESSION_AGENT,
        rule_id=TOOL_SUPPRESSION_RULE,
        severity=Severity.INFO,
        confidence=Confidence.HIGH,
        path=file.path,
        line=line,
        title=title,
        message=message,
    )
