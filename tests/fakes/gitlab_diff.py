"""Files of a fake GitLab merge request diff, parsed with unidiff, and GitLab's line resolution.

`files_from_diff(text)` turns a whole `git diff` into `DiffFile`s: what `GET .../diffs` serves
(`old_path`, `new_path`, flags, modes and the `diff` hunks text) plus every diff line numbered
the way GitLab's `Gitlab::Diff::Parser` numbers it. Each line has an `old_pos` and a `new_pos`
counter (an added line keeps the old counter where it stands, a removed line the new one); a
hunk header is a "match" line unless it is the top of the file (`@@ -1 +1`, `@@ -0,0 +1`).

`DiffFile.resolve(old_line, new_line)` is GitLab's `line_for_position`: the line whose
`old_line` (None for added lines) and `new_line` (None for removed lines) equal the position's.
An unchanged line between hunks also resolves when both numbers are given and agree with the
offset of the next hunk, as GitLab unfolds the diff for it (`Gitlab::Diff::LinesUnfolder`);
lines after the last hunk do not (GitLab would check them against the old file, which the fake
does not have). `line_code` is GitLab's `<sha1 of path>_<old_pos>_<new_pos>`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchedFile, PatchSet

META_KINDS = frozenset({"match", "nonewline"})


@dataclass(frozen=True)
class DiffLine:
    """One line of a file's diff: kind is "match" (hunk header), "new", "old", "context" or
    "nonewline" ("\\ No newline at end of file")."""

    kind: str
    old_pos: int
    new_pos: int

    @property
    def old_line(self) -> int | None:
        return None if self.kind in META_KINDS or self.kind == "new" else self.old_pos

    @property
    def new_line(self) -> int | None:
        return None if self.kind in META_KINDS or self.kind == "old" else self.new_pos


@dataclass(frozen=True)
class DiffFile:
    """A changed file as GitLab's diffs API lists it, with its lines."""

    old_path: str
    new_path: str
    new_file: bool
    renamed_file: bool
    deleted_file: bool
    a_mode: str
    b_mode: str
    diff: str
    lines: tuple[DiffLine, ...] = ()
    added: int = 0
    removed: int = 0

    @property
    def file_path(self) -> str:
        return self.new_path or self.old_path

    def line_code(self, line: DiffLine) -> str:
        digest = hashlib.sha1(self.file_path.encode()).hexdigest()
        return f"{digest}_{line.old_pos}_{line.new_pos}"

    def resolve(self, old_line: int | None, new_line: int | None) -> DiffLine | None:
        """The line a text position names, or None (GitLab: no line code)."""
        if old_line is None and new_line is None:
            return None
        for line in reversed(self.lines):
            if line.old_line == old_line and line.new_line == new_line:
                return line
        return self._unfolded(old_line, new_line)

    def _unfolded(self, old_line: int | None, new_line: int | None) -> DiffLine | None:
        if old_line is None or new_line is None or self.new_file or self.deleted_file:
            return None
        for index, line in enumerate(self.lines):
            if line.kind == "match" and line.old_pos > old_line:
                before = self.lines[index - 1].old_pos if index > 0 else 0
                offset = line.new_pos - line.old_pos
                if old_line > before and new_line == old_line + offset:
                    return DiffLine("context", old_line, new_line)
                return None
        return None


def files_from_diff(diff: str) -> list[DiffFile]:
    """The files of a unified diff as produced by `git diff` (renames and binaries included)."""
    try:
        patch_set = PatchSet(diff)
    except UnidiffParseError as error:
        raise ValueError(f"the merge request diff does not parse: {error}") from error
    return [_diff_file(patched) for patched in patch_set]


def _diff_file(patched: PatchedFile) -> DiffFile:
    old_path = _strip(patched.source_file, "a/")
    new_path = _strip(patched.target_file, "b/")
    if patched.is_added_file:
        old_path = new_path
    elif patched.is_removed_file:
        new_path = old_path
    a_mode, b_mode = _modes(str(patched.patch_info), patched)
    return DiffFile(
        old_path=old_path,
        new_path=new_path,
        new_file=patched.is_added_file,
        renamed_file=patched.is_rename,
        deleted_file=patched.is_removed_file,
        a_mode=a_mode,
        b_mode=b_mode,
        diff="".join(str(hunk) for hunk in patched),
        lines=tuple(_lines(patched)),
        added=patched.added,
        removed=patched.removed,
    )


def _lines(patched: PatchedFile) -> list[DiffLine]:
    lines: list[DiffLine] = []
    for hunk in patched:
        old, new = hunk.source_start, hunk.target_start
        if not (old <= 1 and new <= 1):  # GitLab drops the header at the top of the file
            lines.append(DiffLine("match", old, new))
        for line in hunk:
            if line.line_type == "\\":
                lines.append(DiffLine("nonewline", old, new))
                continue
            kind = {"+": "new", "-": "old"}.get(line.line_type, "context")
            lines.append(DiffLine(kind, old, new))
            old += kind != "new"
            new += kind != "old"
    return lines


def _strip(path: str, prefix: str) -> str:
    return "" if path == "/dev/null" else path.removeprefix(prefix)


def _modes(header: str, patched: PatchedFile) -> tuple[str, str]:
    """`a_mode`/`b_mode` from git's header lines; "0" on the missing side of an add/delete."""
    index = re.search(r"^index \S+ (\d{6})$", header, re.MULTILINE)
    same = index[1] if index else "100644"
    old = re.search(r"^(?:old|deleted file) mode (\d+)$", header, re.MULTILINE)
    new = re.search(r"^new (?:file )?mode (\d+)$", header, re.MULTILINE)
    a_mode = "0" if patched.is_added_file else (old[1] if old else same)
    b_mode = "0" if patched.is_removed_file else (new[1] if new else same)
    return a_mode, b_mode
