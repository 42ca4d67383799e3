"""Turning a unified diff, as git prints it, into a `ChangeSet`.

Hunks, line numbers and "\\ No newline at end of file" markers are parsed by unidiff. The
file names and kinds of change come from git's extended header lines (`rename from`,
`new file mode`, `--- a/…`, …), read here, because unidiff splits `diff --git a/x y b/x y`
at the wrong space and leaves C-quoted names (`"a/caf\\303\\251.py"`) quoted.

Decoding: the diff is read as UTF-8 with invalid bytes replaced by U+FFFD, so every name
and line is printable and serializable. A line's text drops its `\\n` and a `\\r` before it;
numbering is unaffected. A file whose name is not valid UTF-8 cannot be found under `root`
afterwards. Prefixes `a/`, `b/` (and git's mnemonic `c/ i/ o/ w/`, `1/ 2/`) are removed.

A diff without `diff --git` headers (plain `diff -u` output) is parsed by unidiff alone.

A diff may come from anyone (`--diff FILE`), so its names and counts are checked: a path that
is absolute, has a `..` or `.git` part, or is empty is a `UsageError` (nothing outside the
repository is ever read); so is a `+` line past the count its hunk header gives, which unidiff
would silently drop. Two files whose names decode to the same text cannot be told apart:
`IncompleteReviewError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from unidiff.constants import DEV_NULL, RE_PATCH_FILE_PREFIX
from unidiff.errors import UnidiffParseError
from unidiff.patch import Hunk as UnidiffHunk
from unidiff.patch import PatchSet

from baton.change.model import ChangedFile, ChangeSet, FileStatus, Hunk
from baton.errors import IncompleteReviewError, UsageError

_NAME_TAGS = ("rename from ", "rename to ", "copy from ", "copy to ")
_FLAG_TAGS = ("new file mode ", "deleted file mode ", "old mode ", "new mode ")
_SECTION = re.compile(r"^diff --git ", re.MULTILINE)
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)
_ESCAPES = {b"a": b"\a", b"b": b"\b", b"t": b"\t", b"n": b"\n", b"v": b"\v", b"f": b"\f"}
_ESCAPES |= {b"r": b"\r", b'"': b'"', b"\\": b"\\"}
_HUNK_HEADER = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")


def parse_diff(
    raw: bytes, *, root: str, base: str | None = None, head: str | None = None
) -> ChangeSet:
    """Every file of `raw`; an empty diff has none. Not a diff → `UsageError`."""
    text = raw.decode("utf-8", "replace")
    starts = [m.start() for m in _SECTION.finditer(text)]
    if starts:
        ends = [*starts[1:], len(text)]
        files = [_git_file(text[start:end]) for start, end in zip(starts, ends, strict=True)]
    elif text.strip():
        files = _plain_files(text)
    else:
        files = []
    _check_unique(files)
    return ChangeSet(root=root, base=base, head=head, files=tuple(files))


def _check_unique(files: list[ChangedFile]) -> None:
    seen: set[str] = set()
    for file in files:
        if file.status is FileStatus.DELETED:
            continue
        if file.path in seen:
            raise IncompleteReviewError(
                f"two files of the change are named {file.path!r} once their names are read "
                "as UTF-8; baton cannot tell them apart"
            )
        seen.add(file.path)


def _git_file(section: str) -> ChangedFile:
    """One `diff --git` section: header lines, then hunks (or a binary marker)."""
    lines = _split_lines(section)
    body_at = next((i for i, line in enumerate(lines) if line.startswith("@@ ")), len(lines))
    header = [line.removesuffix("\n").removesuffix("\r") for line in lines[:body_at]]
    names: dict[str, str | None] = {}
    flags: set[str] = set()
    for line in header[1:]:
        tag = next((t for t in _NAME_TAGS if line.startswith(t)), None)
        if tag is not None:
            names[tag] = _unquote(line[len(tag) :])
        elif line.startswith(("--- ", "+++ ")):
            names[line[:3]] = _patch_name(line[4:])
        elif line.startswith(_FLAG_TAGS):
            flags.add(line.rsplit(" ", 1)[0])
        elif line.startswith("Binary files ") or line == "GIT binary patch":
            flags.add("binary")
    old = names.get("rename from ") or names.get("copy from ")
    new = names.get("rename to ") or names.get("copy to ")
    if old is None and "---" in names:
        old = names["---"]
    if new is None and "+++" in names:
        new = names["+++"]
    if (old is None and "---" not in names) or (new is None and "+++" not in names):
        split = _split_header(header[0].removeprefix("diff --git "))
        if split is None:
            raise UsageError(f"the diff is malformed: cannot read the names in {header[0]!r}")
        old = split[0] if old is None and "---" not in names else old
        new = split[1] if new is None and "+++" not in names else new
    if "new file mode" in flags:
        old = None
    if "deleted file mode" in flags:
        new = None
    name = new or old or header[0]
    hunks = _hunks(lines[body_at:], name) if body_at < len(lines) else []
    binary = "binary" in flags
    if new is None:
        return _changed(old or name, None, FileStatus.DELETED, hunks, binary=binary)
    if old is None:
        status = FileStatus.ADDED
    elif "copy from " in names:
        status = FileStatus.COPIED
    elif old != new:
        status = FileStatus.RENAMED
    else:
        status = FileStatus.MODIFIED
    mode_only = status is FileStatus.MODIFIED and "new mode" in flags and not (binary or hunks)
    old_path = old if status in (FileStatus.RENAMED, FileStatus.COPIED) else None
    return _changed(new, old_path, status, hunks, binary=binary, mode_only=mode_only)


def _plain_files(text: str) -> list[ChangedFile]:
    """A diff without git headers, e.g. from `diff -u`: unidiff reads names and hunks.

    Such diffs know no renames: old and new names differ only by their top directory.
    """
    lines = _split_lines(text)
    _check_counts(lines, "the diff", headers=True)
    try:
        patch = PatchSet(lines)
    except UnidiffParseError as err:
        raise UsageError(f"the diff is malformed: {err}".strip()) from None
    if not patch:
        hint = " (it contains color codes: produce it with --no-color)" if "\x1b[" in text else ""
        raise UsageError(f"the input is not a unified diff: no file headers found{hint}")
    files = []
    for patched in patch:
        old = _patch_name(patched.source_file)
        new = _patch_name(patched.target_file)
        binary = patched.is_binary_file
        if new is None or patched.is_removed_file:
            files.append(_changed(old or "?", None, FileStatus.DELETED, patched, binary=binary))
        elif old is None or patched.is_added_file:
            files.append(_changed(new, None, FileStatus.ADDED, patched, binary=binary))
        else:
            files.append(_changed(new, None, FileStatus.MODIFIED, patched, binary=binary))
    return files


def _hunks(body: list[str], name: str) -> list[UnidiffHunk]:
    """The hunks of one file, parsed by unidiff under a placeholder file header."""
    _check_counts(body, f"the diff of {name}")
    try:
        patch = PatchSet(["--- a/_\n", "+++ b/_\n", *body])
    except UnidiffParseError as err:
        raise UsageError(f"the diff of {name} is malformed: {err}".strip()) from None
    if len(patch) != 1:
        raise UsageError(f"the diff of {name} is malformed: a file header inside its hunks")
    return list(patch[0])


def _check_counts(lines: list[str], what: str, *, headers: bool = False) -> None:
    """A `+` line after its hunk's counted lines would be dropped unread: refuse the diff.

    `headers`: the lines may hold further `--- `/`+++ ` file headers (a plain diff).
    """
    old = new = 0
    previous = ""
    for line in lines:
        header = _HUNK_HEADER.match(line)
        if header is not None:
            old = int(header.group(1) or 1)
            new = int(header.group(2) or 1)
        elif old > 0 or new > 0:
            kind = line[:1]
            old -= kind in (" ", "-", "\n", "\r")
            new -= kind in (" ", "+", "\n", "\r")
        elif line.startswith("+") and not (headers and _is_file_header(previous, line)):
            raise UsageError(
                f"{what} is malformed: an added line past the count of its hunk header "
                f"({line[:60].rstrip()!r})"
            )
        previous = line


def _is_file_header(previous: str, line: str) -> bool:
    return line.startswith("+++ ") and previous.startswith("--- ")


def _changed(
    path: str,
    old_path: str | None,
    status: FileStatus,
    hunks: Iterable[UnidiffHunk],
    *,
    binary: bool = False,
    mode_only: bool = False,
) -> ChangedFile:
    """Build the model from unidiff hunks: numbers of every line, text of new-side ones."""
    _check_path(path)
    if old_path is not None:
        _check_path(old_path)
    lines: dict[int, str] = {}
    old_lines: dict[int, str] = {}
    added_all: list[int] = []
    built: list[Hunk] = []
    for hunk in hunks:
        added: list[int] = []
        removed: list[int] = []
        context: list[tuple[int, int]] = []
        for line in hunk:
            kind = line.line_type
            if kind == "+" and line.target_line_no is not None:
                added.append(line.target_line_no)
                lines[line.target_line_no] = _text(line.value)
            elif kind == "-" and line.source_line_no is not None:
                removed.append(line.source_line_no)
                old_lines[line.source_line_no] = _text(line.value)
            elif (
                kind == " " and line.source_line_no is not None and line.target_line_no is not None
            ):
                context.append((line.source_line_no, line.target_line_no))
                lines[line.target_line_no] = _text(line.value)
        added_all.extend(added)
        built.append(
            Hunk(
                old_start=hunk.source_start,
                old_count=hunk.source_length,
                new_start=hunk.target_start,
                new_count=hunk.target_length,
                added=tuple(added),
                removed=tuple(removed),
                context=tuple(context),
            )
        )
    if status is FileStatus.DELETED:
        lines, added_all = {}, []
    return ChangedFile(
        path=path,
        old_path=old_path,
        status=status,
        binary=binary,
        mode_only=mode_only,
        hunks=tuple(built),
        lines=lines,
        added_lines=frozenset(added_all),
        old_lines=old_lines,
    )


def _check_path(path: str) -> None:
    """A path the diff names must stay inside the repository."""
    parts = path.split("/")
    escapes = path.startswith("/") or any(p in ("", ".", "..") for p in parts)
    if escapes or any(p.lower() == ".git" for p in parts):
        raise UsageError(f"the diff names a path outside the repository: {path!r}")


def _text(value: str) -> str:
    """A diff line's content without its line ending (`\\n`, and a `\\r` before it)."""
    return value.removesuffix("\n").removesuffix("\r")


def _split_lines(text: str) -> list[str]:
    """Lines ending in `\\n` only: `str.splitlines` would also split at `\\r`, `\\f`, …"""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _patch_name(value: str) -> str | None:
    """The name in a `--- a/x` / `+++ b/x` line; None for /dev/null."""
    value = value.removesuffix("\r")
    quoted = _QUOTED.match(value)
    name = _unquote(quoted.group(0)) if quoted else value.split("\t", 1)[0]
    return None if name == DEV_NULL else _strip(name)


def _split_header(rest: str) -> tuple[str, str] | None:
    """The two names of `diff --git A B`, which git leaves ambiguous only when A == B."""
    first = _QUOTED.match(rest)
    if first:
        a, b = first.group(0), rest[first.end() + 1 :]
    elif rest.endswith('"') and ' "' in rest:
        a, b = rest.split(' "', 1)
        b = '"' + b
    else:
        half = len(rest) // 2
        a, b = rest[:half], rest[half + 1 :]
        if rest[half : half + 1] != " " or _strip(a) != _strip(b):
            a, _, b = rest.partition(" ")
    old, new = _strip(_unquote(a)), _strip(_unquote(b))
    return (old, new) if old and new else None


def _strip(name: str) -> str:
    """`name` without a leading `a/`, `b/`, … prefix."""
    return RE_PATCH_FILE_PREFIX.sub("", name, count=1)


def _unquote(name: str) -> str:
    """Undo git's C-style quoting: `"caf\\303\\251.py"` → `café.py`."""
    if len(name) < 2 or not (name.startswith('"') and name.endswith('"')):
        return name

    def one(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if code[:1] in b"01234567":
            return bytes([int(code, 8) & 0xFF])
        return _ESCAPES.get(code, code)

    return _ESCAPE.sub(one, name[1:-1].encode()).decode("utf-8", "replace")
