"""Where an inline comment may go: a line the platform will accept, checked against our diff.

Only findings on added lines get an anchor. A range is kept when both ends lie in the same
hunk; otherwise the comment is anchored on the finding's first line alone. Platforms reject
anything else (GitHub answers 422, GitLab 400), so baton never asks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from baton.change.model import ChangedFile, ChangeSet
from baton.findings.model import Finding, Placement
from baton.platforms import outgoing


@dataclass(frozen=True)
class Anchor:
    path: str
    line: int
    start_line: int | None = None
    old_path: str | None = None


@dataclass(frozen=True)
class LineComment:
    """A finding ready to post on its line."""

    anchor: Anchor
    body: str
    fingerprint: str


def new_line_comments(
    findings: Iterable[Finding], change: ChangeSet, known: frozenset[str], limit: int
) -> tuple[list[LineComment], int]:
    """Comments for anchorable findings not in `known`, at most `limit`; and how many more."""
    found = []
    files = change.by_path()
    for finding in findings:
        anchor = _anchor(finding, files.get(finding.path))
        if anchor is not None and finding.fingerprint not in known:
            found.append(LineComment(anchor, outgoing.line_comment(finding), finding.fingerprint))
    return found[:limit], max(len(found) - limit, 0)


def anchor_for(finding: Finding, change: ChangeSet) -> Anchor | None:
    return _anchor(finding, change.by_path().get(finding.path))


def _anchor(finding: Finding, file: ChangedFile | None) -> Anchor | None:
    """Where `finding` is commented on `file`, its changed file (None: not in the change)."""
    if finding.placement is not Placement.ADDED or finding.line is None:
        return None
    if file is None or not file.is_added(finding.line):
        return None
    hunk = file.hunk_for(finding.line)
    end = finding.end_line or finding.line
    if end > finding.line and hunk is not None and hunk.contains_new(end) and file.is_shown(end):
        return Anchor(finding.path, end, start_line=finding.line, old_path=file.old_path)
    return Anchor(finding.path, finding.line, old_path=file.old_path)
