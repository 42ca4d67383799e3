"""The folder model agents read: the checkout itself, or a copy of the reviewed commit.

Claude sessions may read any file of the repository for context, so they must see the
reviewed commit, not uncommitted edits or another checked-out commit. When the checkout is
at the head commit with no tracked file modified, it is used as it is (untracked files such
as a coverage report stay visible). Otherwise the head commit's whole tree is written from
git's objects into the run's folder — no checkout, so no hooks, filters or attributes run;
symbolic links are written as files holding the path they name.
"""

from __future__ import annotations

from pathlib import Path

from baton.change.revision import GitRevision
from baton.change.source import has_commit, head_commit, run_git


def checkout_for_models(root: Path, head: str | None, folder: Path) -> Path:
    """`root` when it holds `head` unmodified (or there is no head commit), else a copy."""
    if head is None or not has_commit(root, head) or not _differs(root, head):
        return root
    revision = GitRevision(root, head)
    entries = {path: entry for path, entry in revision.every_entry() if entry.readable}
    for path, data in revision.contents(entries):
        target = folder / path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError:
            continue  # a name this file system cannot hold: the model cannot read it
    return folder


def _differs(root: Path, head: str) -> bool:
    if head_commit(root) != head:
        return True
    status = run_git(root, "status", "--porcelain=v1", "-z", "--untracked-files=no")
    return status.returncode != 0 or bool(status.stdout.strip(b"\0"))
