"""Files of a fake GitHub pull request, parsed with unidiff, and the lines a review can anchor to.

A test describes a pull request's files either as a whole `git diff` (`files_from_diff`) or as
`FileChange` items carrying GitHub's per-file `patch` text (`files_from_changes`). Either way the
result is a list of `PullFile`: what `GET .../pulls/{n}/files` serves, plus every diff line with
its GitHub `position` (1 = the line below the first `@@` header, counting on through later
headers), old/new line numbers and hunk, which is what review-comment validation resolves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchedFile, PatchSet

FILE_STATUSES = ("added", "removed", "modified", "renamed", "copied", "changed", "unchanged")


@dataclass(frozen=True)
class FileChange:
    """One file of a pull request as GitHub lists it.

    `patch` is GitHub's `patch` field: the hunks only, from the first `@@` header on, without
    `---`/`+++` lines. None means GitHub shows no patch (binary file, diff too large, pure
    rename): no line of that file can take a review comment.
    """

    filename: str
    patch: str | None = None
    status: str = "modified"
    previous_filename: str | None = None


@dataclass(frozen=True)
class DiffLine:
    """One line of a file's patch below a hunk header."""

    position: int
    hunk: int
    kind: str  # "+", "-", " " or "\\" (no newline at end of file)
    old: int | None
    new: int | None


@dataclass(frozen=True)
class PullFile:
    """A file of the pull request: GitHub's fields plus its parsed diff lines."""

    filename: str
    status: str
    additions: int
    deletions: int
    patch: str | None
    previous_filename: str | None
    lines: tuple[DiffLine, ...] = ()
    hunk_starts: tuple[int, ...] = ()  # position of each hunk header (the first is 0)

    @property
    def sha(self) -> str:
        """A stable fake blob SHA for the file's new content."""
        return hashlib.sha1(f"{self.filename}\0{self.patch}".encode()).hexdigest()

    def line_on(self, side: str, line: int) -> DiffLine | None:
        """The diff line showing `line` of the new (RIGHT) or old (LEFT) file, if any."""
        for diff_line in self.lines:
            number = diff_line.new if side == "RIGHT" else diff_line.old
            if number == line and diff_line.kind != "\\":
                return diff_line
        return None

    def at_position(self, position: int) -> DiffLine | None:
        """The diff line at GitHub `position`, if it is a line (not a header)."""
        for diff_line in self.lines:
            if diff_line.position == position and diff_line.kind != "\\":
                return diff_line
        return None

    def diff_hunk(self, last: DiffLine) -> str:
        """GitHub's `diff_hunk` of a comment ending at `last`: its hunk header down to `last`."""
        patch_lines = (self.patch or "").split("\n")
        return "\n".join(patch_lines[self.hunk_starts[last.hunk] : last.position + 1])


def files_from_diff(diff: str) -> list[PullFile]:
    """The files of a unified diff as produced by `git diff` (renames and binaries included).

    Each file's `patch` is cut verbatim from `diff` (from its first `@@` header to its last
    line), as GitHub serves git's own text.
    """
    try:
        patch_set = PatchSet(diff)
    except UnidiffParseError as error:
        raise ValueError(f"the pull request diff does not parse: {error}") from error
    diff_lines = diff.split("\n")
    files = []
    for patched in patch_set:
        patch = None
        numbers = [line.diff_line_no or 0 for hunk in patched for line in hunk]
        if numbers:  # the first hunk header is the line above the first hunk line
            patch = "\n".join(diff_lines[numbers[0] - 2 : numbers[-1]])
        files.append(_pull_file(patched, patch, _status(patched), _previous(patched)))
    return files


def files_from_changes(changes: Sequence[FileChange]) -> list[PullFile]:
    """The files described one by one with their GitHub `patch` text (kept verbatim)."""
    files = []
    for change in changes:
        if change.status not in FILE_STATUSES:
            raise ValueError(f"file status {change.status!r} is not one of {FILE_STATUSES}")
        if change.patch is None:
            files.append(
                PullFile(change.filename, change.status, 0, 0, None, change.previous_filename)
            )
            continue
        patch = change.patch.rstrip("\n")
        source = "/dev/null" if change.status == "added" else f"a/{change.filename}"
        target = "/dev/null" if change.status == "removed" else f"b/{change.filename}"
        try:
            (patched,) = PatchSet(f"--- {source}\n+++ {target}\n{patch}\n")
        except (UnidiffParseError, ValueError) as error:
            raise ValueError(f"the patch of {change.filename} does not parse: {error}") from error
        files.append(
            _pull_file(patched, patch, change.status, change.previous_filename, change.filename)
        )
    return files


def _pull_file(
    patched: PatchedFile,
    patch: str | None,
    status: str,
    previous: str | None,
    filename: str | None = None,
) -> PullFile:
    lines: list[DiffLine] = []
    starts: list[int] = []
    position = -1
    for index, hunk in enumerate(patched):
        position += 1
        starts.append(position)
        for line in hunk:
            position += 1
            lines.append(
                DiffLine(position, index, line.line_type, line.source_line_no, line.target_line_no)
            )
    return PullFile(
        filename or patched.path,
        status,
        patched.added,
        patched.removed,
        patch,
        previous,
        tuple(lines),
        tuple(starts),
    )


def _status(patched: PatchedFile) -> str:
    if patched.is_added_file:
        return "added"
    if patched.is_removed_file:
        return "removed"
    if patched.is_rename:
        return "renamed"
    return "modified"


def _previous(patched: PatchedFile) -> str | None:
    if not patched.is_rename:
        return None
    return patched.source_file.removeprefix("a/")
