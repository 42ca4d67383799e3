"""A diff rebuilt from a platform's per-file patches parses like git's own."""

from __future__ import annotations

from baton.change.model import FileStatus
from baton.change.parse import parse_diff
from baton.platforms.patches import FilePatch, unified_diff


def test_statuses_and_missing_patches() -> None:
    patches = [
        FilePatch("new.py", "new.py", "added", "@@ -0,0 +1,2 @@\n+a = 1\n+b = 2"),
        FilePatch("app.py", "app.py", "modified", "@@ -1,2 +1,2 @@\n x = 1\n-y = 2\n+y = 3"),
        FilePatch("gone.py", "gone.py", "removed", "@@ -1 +0,0 @@\n-z = 1"),
        FilePatch("old.py", "moved.py", "renamed", None),
        FilePatch("logo.png", "logo.png", "added", None),
    ]
    change = parse_diff(unified_diff(patches).encode(), root=".")
    by_path = {f.path: f for f in change.files}
    assert by_path["new.py"].status is FileStatus.ADDED
    assert by_path["new.py"].added_lines == {1, 2}
    assert by_path["app.py"].lines[2] == "y = 3" and by_path["app.py"].added_lines == {2}
    assert by_path["gone.py"].status is FileStatus.DELETED
    assert by_path["moved.py"].status is FileStatus.RENAMED
    assert by_path["moved.py"].old_path == "old.py"
    assert by_path["logo.png"].binary
