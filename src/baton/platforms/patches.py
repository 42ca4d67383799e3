"""A unified diff rebuilt from a platform's per-file patches, for checkouts without history.

GitHub's `GET /pulls/{n}/files` and GitLab's `GET /merge_requests/{iid}/diffs` both list the
changed files with the hunks of each (paginated; neither fails on large changes the way the
whole-diff endpoints do). A file sent without hunks (binary, or too large to show) becomes
a binary entry, so it is listed as skipped rather than silently reviewed as empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Status = Literal["added", "removed", "modified", "renamed", "copied"]


@dataclass(frozen=True)
class FilePatch:
    old_path: str
    new_path: str
    status: Status
    patch: str | None


def unified_diff(patches: Iterable[FilePatch]) -> str:
    sections = []
    for file in patches:
        old, new = file.old_path, file.new_path
        lines = [f"diff --git a/{old} b/{new}"]
        if file.status == "added":
            lines.append("new file mode 100644")
        elif file.status == "removed":
            lines.append("deleted file mode 100644")
        elif file.status in ("renamed", "copied") and old != new:
            verb = "rename" if file.status == "renamed" else "copy"
            lines += [f"{verb} from {old}", f"{verb} to {new}"]
        if not file.patch:
            if file.status not in ("renamed", "copied"):
                lines.append(f"Binary files a/{old} and b/{new} differ")
            sections.append("\n".join(lines))
            continue
        source = "/dev/null" if file.status == "added" else f"a/{old}"
        target = "/dev/null" if file.status == "removed" else f"b/{new}"
        lines += [f"--- {source}", f"+++ {target}", file.patch.rstrip("\n")]
        sections.append("\n".join(lines))
    return "\n".join(sections) + ("\n" if sections else "")
