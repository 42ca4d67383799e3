"""What a change is: the files it touches and, per file, which new-revision lines it adds.

Line numbers are 1-based. Added and context lines use the new file's numbering; removed
lines use the old file's. These values are built once by `change.parse` and never mutated.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import PurePosixPath

from pydantic import BaseModel, ConfigDict, Field


class FileStatus(StrEnum):
    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"
    COPIED = "copied"


class Hunk(BaseModel):
    """One `@@ -a,b +c,d @@` block of a file's diff."""

    model_config = ConfigDict(frozen=True)

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    added: tuple[int, ...] = Field(description="New-file numbers of the `+` lines.")
    removed: tuple[int, ...] = Field(description="Old-file numbers of the `-` lines.")
    context: tuple[tuple[int, int], ...] = Field(
        description="(old, new) numbers of the unchanged lines shown around the change."
    )

    def contains_new(self, line: int) -> bool:
        """Whether a new-file line lies inside this hunk's new-side range."""
        return self.new_start <= line < self.new_start + max(self.new_count, 1)


class ChangedFile(BaseModel):
    """One file of the change, with the new-side text of every line the diff shows."""

    model_config = ConfigDict(frozen=True)

    path: str = Field(description="New path (the old path for a deleted file).")
    old_path: str | None = Field(
        default=None, description="Previous path of a renamed file, or source of a copied one."
    )
    status: FileStatus
    binary: bool = False
    mode_only: bool = Field(default=False, description="Only the file mode changed.")
    hunks: tuple[Hunk, ...] = ()
    lines: dict[int, str] = Field(
        default_factory=dict,
        description="New-file line number → text (no line ending) for added and context lines.",
    )
    added_lines: frozenset[int] = frozenset()
    old_lines: dict[int, str] = Field(
        default_factory=dict, description="Old-file line number → text for removed lines."
    )

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.path).suffix.lower()

    @property
    def added_count(self) -> int:
        return len(self.added_lines)

    def is_added(self, line: int) -> bool:
        return line in self.added_lines

    def is_shown(self, line: int) -> bool:
        """Whether the line is visible in the diff (added or context)."""
        return line in self.lines

    def hunk_for(self, line: int) -> Hunk | None:
        for hunk in self.hunks:
            if hunk.contains_new(line):
                return hunk
        return None


class ChangeSet(BaseModel):
    """Every file a review looks at, and where their new contents can be read."""

    model_config = ConfigDict(frozen=True)

    root: str = Field(description="Directory holding the new revision's files.")
    base: str | None = Field(default=None, description="Commit the change is compared to.")
    head: str | None = Field(default=None, description="Commit under review.")
    files: tuple[ChangedFile, ...] = ()

    @property
    def added_count(self) -> int:
        return sum(f.added_count for f in self.files)

    def by_path(self) -> dict[str, ChangedFile]:
        return {f.path: f for f in self.files}


class SkippedFile(BaseModel):
    """A changed file that was not reviewed, and why (binary, deleted, vendored, …)."""

    model_config = ConfigDict(frozen=True)

    path: str
    reason: str
    unreviewable: bool = Field(
        default=False,
        description="It could not be read as the diff shows it: the review is incomplete.",
    )
    other_kind: bool = Field(
        default=False,
        description="Not the kind of file the agent reviews (not Python, not a Dockerfile, …).",
    )
