"""From every agent's raw findings to the review's list: placed on the diff, fingerprinted,
duplicates merged.

* **Placement.** A finding is kept when one of its lines is an added line. With
  `include_context_lines`, findings on diff context lines are kept too, marked `context`;
  findings of model reviewers elsewhere in a changed file are kept, marked `outside`. Neither
  trips the gate. Whole-file findings (no line) are kept for changed files. An analyser's
  `filter` widens what it keeps, and what counts for the gate (`counted_by_filter`):
  `diff_context` the lines the diff shows, `file` all of a changed file, `nofilter` any
  file (marked `elsewhere` when the change does not touch it).
* **Fingerprint.** sha256 of the rule family, path, the finding's line text with white space
  folded, and its occurrence number among identical ones: it survives lines moving.
* **Duplicates.** Two findings on the same path and line about the same thing — the same
  rule, or rules baton knows to be aliases (ruff `S105` = bandit `B105`, hard-coded secrets
  from bandit and detect-secrets) — become one, with the highest severity, listing the others
  in `also_reported_by`.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping

from baton.agent_config import FilterMode
from baton.change.model import ChangedFile, ChangeSet
from baton.findings.model import Finding, Placement
from baton.findings.twins import BANDIT_EQUIVALENTS

_RUFF_BANDIT = re.compile(r"^S(\d{3})$")
_HARDCODED_SECRET = frozenset({"B105", "B106", "B107"})
_SPACE = re.compile(r"\s+")


def rule_family(rule_id: str) -> str:
    """The topic two tools share for the same problem."""
    match = _RUFF_BANDIT.match(rule_id)
    rule = f"B{match.group(1)}" if match else BANDIT_EQUIVALENTS.get(rule_id, rule_id)
    if rule in _HARDCODED_SECRET or rule.startswith("secret-"):
        return "hardcoded-secret"
    return rule


def place_on_diff(
    findings: Iterable[Finding],
    change: ChangeSet,
    include_context_lines: bool,
    keep_outside: frozenset[str] = frozenset(),
    filters: Mapping[str, FilterMode] | None = None,
) -> list[Finding]:
    """Findings placed on the change; `keep_outside` names agents whose other findings stay,
    `filters` the agents whose filter is wider than `added`."""
    files = change.by_path()
    placed: list[Finding] = []
    for finding in findings:
        mode = (filters or {}).get(finding.agent, FilterMode.ADDED)
        where = _placement(finding, files.get(finding.path), include_context_lines, mode)
        if where is None and finding.agent in keep_outside and finding.path in files:
            where = Placement.OUTSIDE
        if where is not None:
            counted = where is not Placement.ADDED and mode in _COUNTS[where]
            update = {"placement": where, "counted_by_filter": counted}
            placed.append(finding.model_copy(update=update))
    return placed


_COUNTS = {
    Placement.CONTEXT: frozenset({FilterMode.DIFF_CONTEXT, FilterMode.FILE, FilterMode.NOFILTER}),
    Placement.OUTSIDE: frozenset({FilterMode.FILE, FilterMode.NOFILTER}),
    Placement.ELSEWHERE: frozenset({FilterMode.NOFILTER}),
}
"""The filters under which a finding placed off the added lines counts for the gate."""


def _placement(
    finding: Finding, file: ChangedFile | None, context: bool, mode: FilterMode
) -> Placement | None:
    """Where the finding sits, or None when neither the settings nor its filter keep it."""
    if file is None:
        return Placement.ELSEWHERE if mode is FilterMode.NOFILTER else None
    if finding.line is None:
        return Placement.ADDED
    span = range(finding.line, (finding.end_line or finding.line) + 1)
    if any(file.is_added(n) for n in span):
        return Placement.ADDED
    if any(file.is_shown(n) for n in span) and (context or mode is not FilterMode.ADDED):
        return Placement.CONTEXT
    if mode in (FilterMode.FILE, FilterMode.NOFILTER):
        return Placement.OUTSIDE
    return None


def fingerprint_all(findings: Iterable[Finding], change: ChangeSet) -> list[Finding]:
    files = change.by_path()
    seen: Counter[tuple[str, str, str]] = Counter()
    stamped: list[Finding] = []
    for finding in sorted(findings, key=_position):
        text = _line_text(files.get(finding.path), finding.line)
        key = (rule_family(finding.rule_id), finding.path, text)
        seen[key] += 1
        raw = "\0".join((*key, str(seen[key])))
        digest = hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:20]
        stamped.append(finding.model_copy(update={"fingerprint": digest}))
    return stamped


def merge_duplicates(findings: Iterable[Finding]) -> list[Finding]:
    groups: dict[tuple[str, int | None, str], list[Finding]] = {}
    for finding in findings:
        key = (finding.path, finding.line, rule_family(finding.rule_id))
        groups.setdefault(key, []).append(finding)
    merged: list[Finding] = []
    for group in groups.values():
        keeper = max(group, key=lambda f: (f.severity.rank, f.confidence == "HIGH"))
        others = tuple(
            dict.fromkeys(
                [*keeper.also_reported_by]
                + [f"{f.agent}:{f.rule_id}" for f in group if f is not keeper]
            )
        )
        merged.append(keeper.model_copy(update={"also_reported_by": others}) if others else keeper)
    return merged


def _position(finding: Finding) -> tuple[str, int, str, str, str]:
    return (finding.path, finding.line or 0, finding.rule_id, finding.agent, finding.title)


def _line_text(file: ChangedFile | None, line: int | None) -> str:
    if file is None or line is None:
        return ""
    return _SPACE.sub(" ", file.lines.get(line, "")).strip()
