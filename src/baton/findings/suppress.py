"""Inline suppressions: `# baton: ignore[RULE, …] why` on a finding's line silences it.

The marker works in any comment syntax (`#`, `//`, `--`, `/* */`, `<!-- -->`): baton looks
for the text `baton: ignore[` on the finding's first or last line. A marker must say why
after its closing bracket (`# baton: ignore[B602] input is a constant list`); a marker with
no reason suppresses nothing. Punctuation between the bracket and the reason (`-`, `--`,
`:`, `—`) and a closing `*/` or `-->` are not part of the reason. A marker silences exactly
the rules it names — no aliases, no families: `ignore[B105]` leaves detect-secrets' finding
on the same line standing. A marker is file content, written by whoever wrote the change, so
it silences nothing more severe than `suppress_max_severity` (default HIGH): a CRITICAL stays,
with a line saying the marker could not silence it; only configuration (a severity map,
ignore globs), read from the base, can. Suppressed findings are not dropped silently: the
report lists them with the marker that silenced them and its reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from baton.change.model import ChangeSet
from baton.findings.model import Finding, Severity
from baton.report import SuppressedFinding

SUPPRESSION_AGENT = "baton"
SUPPRESSION_ADDED_RULE = "baton-suppression-added"
SUPPRESSION_NO_REASON_RULE = "baton-suppression-no-reason"
TOOL_SUPPRESSION_RULE = "baton-tool-suppression"
_NOTE_RULES = frozenset({SUPPRESSION_ADDED_RULE, SUPPRESSION_NO_REASON_RULE, TOOL_SUPPRESSION_RULE})
"""baton's own notes about markers: a marker cannot silence the note about itself."""

_MARKER = re.compile(r"baton:\s*ignore\[([^\]]*)\]")
_COMMENT_END = re.compile(r"\*/|-->")
_LEADING = re.compile(r"^[\s\-\u2013\u2014:;,.=>|~]+")
_OPENERS = ("<!--", "//", "/*", "--", "#", ";")
"""Comment openers of a second marker on the same line, which end the first one's reason."""
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Marker:
    """One `baton: ignore[…]` marker on a line: the rules it names and the reason given."""

    rules: tuple[str, ...]
    reason: str | None

    @property
    def text(self) -> str:
        """The marker as baton writes it: `ignore[B602, B603]`."""
        return f"ignore[{', '.join(self.rules)}]"


def parse_markers(line_text: str) -> list[Marker]:
    """Every marker on one line naming at least one rule, in the order they appear."""
    matches = list(_MARKER.finditer(line_text))
    markers: list[Marker] = []
    for i, match in enumerate(matches):
        rules = tuple(part.strip() for part in match.group(1).split(",") if part.strip())
        if not rules:
            continue
        after = line_text[match.end() :]
        if i + 1 < len(matches):
            after = _without_opener(line_text[match.end() : matches[i + 1].start()])
        markers.append(Marker(rules=rules, reason=_reason(after)))
    return markers


def suppressed_rules(line_text: str) -> frozenset[str]:
    """Rule ids that markers with a reason on one line suppress."""
    return frozenset(
        rule for marker in parse_markers(line_text) if marker.reason for rule in marker.rules
    )


def apply_suppressions(
    findings: Iterable[Finding], change: ChangeSet, max_severity: Severity | None
) -> tuple[list[Finding], list[SuppressedFinding]]:
    """Findings split into those kept and those a marker with a reason silences.

    `max_severity`: the most severe finding a marker may silence (None: none).
    """
    files = change.by_path()
    kept: list[Finding] = []
    silenced: list[SuppressedFinding] = []
    for finding in findings:
        file = files.get(finding.path)
        found = None
        if file is not None and finding.line is not None and _suppressible(finding):
            found = _matching_marker(finding, file.lines.get(finding.line, ""))
            if found is None and finding.end_line and finding.end_line != finding.line:
                found = _matching_marker(finding, file.lines.get(finding.end_line, ""))
        if found is None:
            kept.append(finding)
        elif max_severity is None or not max_severity.at_least(finding.severity):
            kept.append(_refused(finding, found[0], max_severity))
        else:
            rule, reason = found
            silenced.append(
                SuppressedFinding(
                    finding=finding, reason=f"baton: ignore[{rule}]", justification=reason
                )
            )
    return kept, silenced


def _refused(finding: Finding, rule: str, max_severity: Severity | None) -> Finding:
    limit = "no finding" if max_severity is None else f"nothing above {max_severity.value}"
    note = (
        f"The `baton: ignore[{rule}]` on this line does not silence it: an inline marker "
        f"silences {limit} (suppress_max_severity)."
    )
    return finding.model_copy(update={"message": f"{finding.message} {note}".strip()})


def _suppressible(finding: Finding) -> bool:
    return not (finding.agent == SUPPRESSION_AGENT and finding.rule_id in _NOTE_RULES)


def _matching_marker(finding: Finding, line_text: str) -> tuple[str, str] | None:
    """The rule and reason of the first marker with a reason that names `finding`'s rule."""
    for marker in parse_markers(line_text):
        if marker.reason is not None and finding.rule_id in marker.rules:
            return finding.rule_id, marker.reason
    return None


def _reason(after: str) -> str | None:
    """The reason written after a marker's `]`, or None when there is none."""
    end = _COMMENT_END.search(after)
    text = _LEADING.sub("", after[: end.start()] if end else after).strip()
    return text if _WORD.search(text) else None


def _without_opener(text: str) -> str:
    """`text` without the comment openers (and white space) it ends with."""
    text = text.rstrip()
    while opener := next((o for o in _OPENERS if text.endswith(o)), None):
        text = text[: -len(opener)].rstrip()
    return text
