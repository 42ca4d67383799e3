"""The files the tools read: the reviewed revision's changed files, written to the run's folder.

`build_workspace` writes every changed file that exists in the reviewed revision twice: its
bytes under `raw/PATH` (what bandit reads: Python honours a file's own coding cookie) and a
UTF-8 copy under `text/PATH` (what ruff and detect-secrets read). A symbolic link becomes a
file holding the path it names, so no tool ever follows one. The tools run inside these
folders, which hold no configuration of the change's own: they see only what baton passes
them from the trusted revision, written under `config/`.

Every file's text is checked against the diff: each added line must be the file's line of
that number, else the file cannot be reviewed (`mismatched`). A file larger than
`max_file_bytes` is not read: its `text/` copy holds the diff's lines at their numbers with
blank lines between, so its added lines are still scanned for secrets. For a binary file
that existed before, the base version's text goes to `base/PATH`, so a secret scan can tell
what the change added.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from baton.change.model import ChangedFile, ChangeSet, FileStatus
from baton.change.revision import WORKING_TREE, Entry, Revision, revision_at
from baton.change.text import LineMap, decode, is_binary, line_map


@dataclass(frozen=True)
class Workspace:
    folder: Path
    revision: str
    """Where the bytes came from: `commit 1a2b…` or `working tree`."""
    entries: dict[str, Entry] = field(default_factory=dict)
    line_maps: dict[str, LineMap] = field(default_factory=dict)
    binary: frozenset[str] = frozenset()
    """Paths whose content is binary (a NUL byte near the start)."""
    mismatched: dict[str, str] = field(default_factory=dict)
    """Paths whose content disagrees with the diff (or could not be written), and why."""
    with_base: frozenset[str] = frozenset()
    """Binary files whose base version's text is under `base/`."""
    model_root: Path | None = None
    """Where model agents read the repository (`change.checkout`); None: the checkout."""

    @property
    def raw(self) -> Path:
        return self.folder / "raw"

    @property
    def text(self) -> Path:
        return self.folder / "text"

    @property
    def config(self) -> Path:
        return self.folder / "config"

    @property
    def base(self) -> Path:
        return self.folder / "base"

    def has_text(self, path: str) -> bool:
        return path not in self.mismatched and (self.text / path).is_file()

    def git_line(self, path: str, tool_line: int) -> int:
        found = self.line_maps.get(path)
        return tool_line if found is None else found.git_line(tool_line)


def build_workspace(
    change: ChangeSet,
    folder: Path,
    *,
    max_file_bytes: int,
    tool_configs: Mapping[str, str] | None = None,
    revision: Revision | None = None,
) -> Workspace:
    """Write the change's files (and the trusted tool configuration) under `folder`."""
    source = revision or revision_at(Path(change.root), change.head)
    present = [f for f in change.files if f.status is not FileStatus.DELETED]
    entries = source.entries(f.path for f in present)
    files = {f.path: f for f in present}
    writer = _Writer(folder)
    for path, text in (tool_configs or {}).items():
        writer.put(folder / "config" / path, text.encode("utf-8"))
    large = {p for p, e in entries.items() if e.readable and e.size > max_file_bytes}
    for path in sorted(large):
        writer.sparse(files[path])
    wanted = {p: e for p, e in entries.items() if e.readable and p not in large}
    for path, data in source.contents(wanted):
        writer.file(files[path], data)
    with_base = _base_versions(change, [files[p] for p in sorted(writer.binary)], writer)
    return Workspace(
        folder=folder,
        revision=source.label,
        entries=entries,
        line_maps=writer.line_maps,
        binary=frozenset(writer.binary),
        mismatched=writer.mismatched,
        with_base=with_base,
    )


class _Writer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.line_maps: dict[str, LineMap] = {}
        self.binary: set[str] = set()
        self.mismatched: dict[str, str] = {}

    def file(self, changed: ChangedFile, data: bytes) -> None:
        path = changed.path
        text = decode(data, path)
        if is_binary(data):
            self.binary.add(path)
        else:
            wrong = _first_mismatch(changed, data)
            if wrong is not None:
                self.mismatched[path] = f"the diff does not match the file (line {wrong})"
                return
            found = line_map(text)
            if found is not None:
                self.line_maps[path] = found
        self.put(self.folder / "raw" / path, data, path)
        self.put(self.folder / "text" / path, text.encode("utf-8", "replace"), path)

    def sparse(self, changed: ChangedFile) -> None:
        """The diff's lines of a file too large to read, at their numbers, blank between."""
        last = max(changed.lines, default=0)
        text = "\n".join(changed.lines.get(n, "") for n in range(1, last + 1)) + "\n"
        found = line_map(text)
        if found is not None:
            self.line_maps[changed.path] = found
        self.put(self.folder / "text" / changed.path, text.encode("utf-8"), changed.path)

    def put(self, target: Path, data: bytes, path: str | None = None) -> None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as err:
            if path is not None:
                self.mismatched[path] = f"cannot be written for the tools: {err.strerror or err}"


def _first_mismatch(file: ChangedFile, data: bytes) -> int | None:
    """The first added line whose text the file does not hold at that number."""
    if not file.added_lines:
        return None
    lines = data.split(b"\n")
    for number in sorted(file.added_lines):
        held = lines[number - 1] if number <= len(lines) else None
        text = None if held is None else held.decode("utf-8", "replace").removesuffix("\r")
        if text != file.lines.get(number):
            return number
    return None


def _base_versions(
    change: ChangeSet, binary: Iterable[ChangedFile], writer: _Writer
) -> frozenset[str]:
    """Write the base version's text of each binary file that had one; their paths."""
    older = {f.path: f.old_path or f.path for f in binary if f.status is not FileStatus.ADDED}
    if not older or change.base is None:
        return frozenset()
    base = revision_at(Path(change.root), change.base)
    if base.label == WORKING_TREE:
        return frozenset()
    entries = base.entries(older.values())
    by_old = {old: new for new, old in older.items()}
    written = set()
    for old, data in base.contents({p: e for p, e in entries.items() if e.readable}):
        new = by_old[old]
        writer.put(writer.folder / "base" / new, decode(data, old).encode("utf-8", "replace"))
        written.add(new)
    return frozenset(written)
