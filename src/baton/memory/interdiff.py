"""What the commits since the last reviewed head changed, and earlier findings moved through it.

`interdiff(root, since, change)` is `git diff since..head` read like any change, kept to the
files of the pull request that are still there: what the model agents review on an
incremental run, with new-side line numbers that are the pull request head's own.
`carry_forward` moves a remembered finding from its line at `since` to the same line at the
head; a finding on a line the new commits changed or deleted, in a deleted file, or in a file
that is no longer part of the change is not carried (the model must report it again).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from baton.change.model import ChangedFile, ChangeSet, FileStatus
from baton.change.parse import parse_diff
from baton.change.source import git_diff
from baton.findings.model import Finding
from baton.memory.state import Remembered, Status


@dataclass(frozen=True)
class Interdiff:
    since: str
    change: ChangeSet
    """The files of the pull request the new commits touched, as they changed them."""
    by_old_path: dict[str, ChangedFile]
    """Every file the new commits touched, by its path at `since`."""
    current: frozenset[str]
    """Paths of the pull request's changed files at the head."""


def interdiff(root: Path, since: str, change: ChangeSet) -> Interdiff:
    """`since..change.head`, for a `since` that is an ancestor of the head."""
    assert change.head is not None
    raw, base, head = git_diff(root, since, change.head)
    whole = parse_diff(raw, root=change.root, base=base, head=head)
    current = frozenset(f.path for f in change.files if f.status is not FileStatus.DELETED)
    kept = tuple(f for f in whole.files if f.path in current and f.status is not FileStatus.DELETED)
    by_old = {(f.old_path or f.path): f for f in whole.files}
    return Interdiff(since, change.model_copy(update={"files": kept}), by_old, current)


def move_line(file: ChangedFile, line: int) -> int | None:
    """Where old line `line` of `file`'s diff is in the new file; None when the diff
    removed or replaced it."""
    shift = 0
    for hunk in file.hunks:
        if hunk.old_count == 0:  # an insertion after old line `old_start`
            if line <= hunk.old_start:
                break
            shift += hunk.new_count
            continue
        if line < hunk.old_start:
            break
        if line < hunk.old_start + hunk.old_count:
            if line in hunk.removed:
                return None
            return next((new for old, new in hunk.context if old == line), None)
        shift += hunk.new_count - hunk.old_count
    return line + shift


def carry_forward(
    remembered: Iterable[Remembered], diff: Interdiff, agents: frozenset[str]
) -> list[Finding]:
    """The open findings of `agents` whose text was kept, at their place in the head."""
    carried = []
    for record in remembered:
        finding = record.finding()
        if record.agent not in agents or record.status is not Status.OPEN or finding is None:
            continue
        moved = _moved(finding, diff)
        if moved is not None:
            carried.append(moved)
    return carried


def _moved(finding: Finding, diff: Interdiff) -> Finding | None:
    file = diff.by_old_path.get(finding.path)
    if file is None:
        return finding if finding.path in diff.current else None
    if file.status is FileStatus.DELETED or file.path not in diff.current:
        return None
    if finding.line is None:
        return finding.model_copy(update={"path": file.path})
    last = finding.end_line or finding.line
    lines = [move_line(file, n) for n in range(finding.line, last + 1)]
    if any(n is None for n in lines):
        return None
    start, end = lines[0], lines[-1]
    return finding.model_copy(
        update={
            "path": file.path,
            "line": start,
            "end_line": end if finding.end_line is not None else None,
        }
    )
