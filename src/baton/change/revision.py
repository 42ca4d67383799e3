"""The reviewed revision's files: what each changed path is at the head, and its bytes.

When the head is a commit the checkout has, every byte comes from git's objects (`git
ls-tree` for kind and size, `git cat-file --batch` for content): uncommitted edits, another
checked-out commit, or checkout filters (smudge, eol conversion) cannot change what is
reviewed. Without such a commit (a diff file, or a platform diff whose head the checkout
lacks) the working tree under the root is read — never through a symbolic link, never
outside the root. A symbolic link's content is the path it names, as git stores it.
"""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Protocol

from baton.change.source import has_commit, run_git
from baton.errors import IncompleteReviewError

WORKING_TREE = "working tree"


class EntryKind(StrEnum):
    FILE = "file"
    SYMLINK = "symlink"
    SUBMODULE = "submodule"
    MISSING = "missing"
    OTHER = "other"


@dataclass(frozen=True)
class Entry:
    """What a path is in the revision; `object_id` is its git blob when it has one."""

    kind: EntryKind
    size: int = 0
    object_id: str | None = None

    @property
    def readable(self) -> bool:
        return self.kind in (EntryKind.FILE, EntryKind.SYMLINK)


class Revision(Protocol):
    """Files of one revision, by repository-relative path."""

    @property
    def label(self) -> str:
        """`commit 1a2b3c4d5e6f` or `working tree`, for the log."""
        ...

    def entries(self, paths: Iterable[str]) -> dict[str, Entry]:
        """The entry of every path asked for (MISSING when it has none)."""
        ...

    def contents(self, entries: dict[str, Entry]) -> Iterator[tuple[str, bytes]]:
        """The bytes of each readable entry, in any order."""
        ...


def revision_at(root: Path, commit: str | None) -> Revision:
    """`commit` from git when the checkout has it, else the working tree under `root`."""
    if commit is not None and has_commit(root, commit):
        return GitRevision(root, commit)
    return WorktreeRevision(root)


class GitRevision:
    def __init__(self, root: Path, commit: str) -> None:
        self.root = root
        self.commit = commit

    @property
    def label(self) -> str:
        return f"commit {self.commit[:12]}"

    def entries(self, paths: Iterable[str]) -> dict[str, Entry]:
        wanted = set(paths)
        found = {path: Entry(EntryKind.MISSING) for path in wanted}
        found.update((path, entry) for path, entry in self.every_entry() if path in wanted)
        return found

    def every_entry(self) -> Iterator[tuple[str, Entry]]:
        """Every path of the commit's tree, with what it is."""
        listing = _run(self.root, "ls-tree", "-r", "-z", "-l", "--full-tree", self.commit)
        for record in listing.split(b"\0"):
            meta, tab, raw_path = record.partition(b"\t")
            if not tab:
                continue
            mode, _kind, object_id, size = meta.split()
            length = int(size) if size.isdigit() else 0
            yield (
                raw_path.decode("utf-8", "replace"),
                Entry(_kind_of(mode), length, object_id.decode()),
            )

    def contents(self, entries: dict[str, Entry]) -> Iterator[tuple[str, bytes]]:
        wanted = [(p, e.object_id) for p, e in entries.items() if e.readable and e.object_id]
        if not wanted:
            return
        process = subprocess.Popen(
            ["git", "cat-file", "--batch"],
            cwd=self.root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert process.stdin is not None and process.stdout is not None
        request = b"".join(f"{object_id}\n".encode() for _, object_id in wanted)
        feeder = threading.Thread(target=_feed, args=(process.stdin, request), daemon=True)
        feeder.start()
        try:
            for path, _ in wanted:
                header = process.stdout.readline().split()
                if len(header) != 3 or header[1] != b"blob":
                    raise IncompleteReviewError(f"git cat-file cannot read {path!r}")
                data = process.stdout.read(int(header[2]))
                process.stdout.read(1)
                yield path, data
        finally:
            process.stdout.close()
            process.kill()
            process.wait()
            feeder.join()


class WorktreeRevision:
    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def label(self) -> str:
        return WORKING_TREE

    def entries(self, paths: Iterable[str]) -> dict[str, Entry]:
        return {path: self._entry(path) for path in paths}

    def _entry(self, path: str) -> Entry:
        where = self.root
        *folders, _ = path.split("/")
        try:
            for folder in folders:  # no part of the way may be a link: it could lead out
                where = where / folder
                if not stat.S_ISDIR(os.lstat(where).st_mode):
                    return Entry(EntryKind.MISSING)
            info = os.lstat(self.root / path)
        except OSError:
            return Entry(EntryKind.MISSING)
        if stat.S_ISLNK(info.st_mode):
            return Entry(EntryKind.SYMLINK, info.st_size)
        if stat.S_ISREG(info.st_mode):
            return Entry(EntryKind.FILE, info.st_size)
        return Entry(EntryKind.OTHER, info.st_size)

    def contents(self, entries: dict[str, Entry]) -> Iterator[tuple[str, bytes]]:
        for path, entry in entries.items():
            target = self.root / path
            try:
                if entry.kind is EntryKind.SYMLINK:
                    yield path, os.fsencode(os.readlink(target))
                elif entry.kind is EntryKind.FILE:
                    handle = os.open(target, os.O_RDONLY | os.O_NOFOLLOW)
                    with os.fdopen(handle, "rb") as file:
                        yield path, file.read()
            except OSError as err:
                raise IncompleteReviewError(f"cannot read {path}: {err.strerror or err}") from err


def _kind_of(mode: bytes) -> EntryKind:
    if mode == b"120000":
        return EntryKind.SYMLINK
    if mode == b"160000":
        return EntryKind.SUBMODULE
    if mode.startswith(b"100"):
        return EntryKind.FILE
    return EntryKind.OTHER


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        pipe.write(data)
        pipe.close()
    except (BrokenPipeError, ValueError, OSError):
        pass


def _run(root: Path, *args: str) -> bytes:
    done = run_git(root, *args)
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise IncompleteReviewError(f"git {args[0]} failed: {''.join(reason) or 'no message'}")
    return done.stdout
