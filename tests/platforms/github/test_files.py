"""A diff rebuilt from the pull request files API parses like git's own."""

from __future__ import annotations

from dataclasses import dataclass

from baton.change.model import FileStatus
from baton.change.parse import parse_diff
from baton.platforms.github.files import diff_from_files


@dataclass
class File:
    filename: str
    status: str
    patch: str | None
    previous_filename: str | None = None


def test_statuses_and_missing_patches() -> None:
    files = [
        File("new.py", "added", "@@ -0,0 +1,2 @@\n+a = 1\n+b = 2"),
        File("app.py", "modified", "@@ -1,2 +1,2 @@\n x = 1\n-y = 2\n+y = 3"),
        File("gone.py", "removed", "@@ -1 +0,0 @@\n-z = 1"),
        File("moved.py", "renamed", None, previous_filename="old.py"),
        File("logo.png", "added", None),
    ]
    change = parse_diff(diff_from_files(files).encode(), root=".")
    by_path = {f.path: f for f in change.files}
    assert by_path["new.py"].status is FileStatus.ADDED
    assert by_path["new.py"].added_lines == {1, 2}
    assert by_path["app.py"].lines[2] == "y = 3" and by_path["app.py"].added_lines == {2}
    assert by_path["gone.py"].status is FileStatus.DELETED
    assert by_path["moved.py"].status is FileStatus.RENAMED
    assert by_path["moved.py"].old_path == "old.py"
    assert by_path["logo.png"].binary
