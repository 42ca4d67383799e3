"""A unified diff rebuilt from `GET /pulls/{n}/files`, for checkouts without history.

The files endpoint is paginated (PyGithub follows the pages; GitHub lists at most 3,000
files) and, unlike the diff media type, does not fail on large pull requests. A file GitHub
sends without a `patch` (binary, or too large to show) becomes a binary entry, so it is
listed as skipped rather than silently reviewed as empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class PullFile(Protocol):
    @property
    def filename(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def patch(self) -> str | None: ...
    @property
    def previous_filename(self) -> str | None: ...


def diff_from_files(files: Iterable[PullFile]) -> str:
    sections = []
    for file in files:
        new = file.filename
        old = file.previous_filename or new
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
