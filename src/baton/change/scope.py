"""Which changed files are reviewed, and a short stable reason for each one that is not.

A file is skipped, first reason wins, when it is: deleted, a mode change only, excluded by
a gitignore-style glob of the `exclude` setting, not reviewable (absent from the reviewed
revision, or its text disagrees with the diff), binary, vendored (a `vendor/`,
`third_party/`, `node_modules/`, `.venv/` or `site-packages/` path part, or
`linguist-vendored`), generated (a lock file, `*_pb2.py`, `*.min.js`, `*.map`,
`linguist-generated`, or `@generated` / `DO NOT EDIT` in its first lines), a symlink, a
submodule or other non-regular file, or bigger than `max_file_bytes`.
`linguist-generated=false` and `linguist-vendored=false` override the path rules, as on
GitHub. Attributes come from the trusted revision's `.gitattributes` (`trusted_attributes`),
never from the change's own.

Most of these reasons are in the hands of the change's author, so a file skipped for one of
them is still scanned for secrets (`Scope.secrets_only`); only deleted, mode-only, excluded
and unreviewable files are not. An unreviewable file makes the review incomplete.
`language_of` names the language of a path, for agents that review only one.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pathspec import GitIgnoreSpec

from baton.change.model import ChangedFile, ChangeSet, FileStatus, SkippedFile
from baton.change.revision import WORKING_TREE, EntryKind
from baton.change.source import outside_work_tree
from baton.change.workspace import Workspace
from baton.globs import path_globs

DELETED = "deleted"
BINARY = "binary"
MODE_ONLY = "mode change only"
GENERATED = "generated"
VENDORED = "vendored"
MISSING = "missing from the reviewed revision"
SYMLINK = "symlink"
SUBMODULE = "submodule"
NOT_A_FILE = "not a regular file"

GENERATED_NAMES = frozenset(
    {
        "poetry.lock",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "Cargo.lock",
        "uv.lock",
        "pdm.lock",
        "Pipfile.lock",
        "composer.lock",
        "Gemfile.lock",
        "go.sum",
    }
)
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py", ".min.js", ".min.css", ".map")
VENDORED_DIRS = frozenset({"vendor", "third_party", "node_modules", ".venv", "site-packages"})
GENERATED_MARKER = re.compile(rb"@generated|DO NOT EDIT")
MARKER_LINES = 5
"""How many leading lines of a file are searched for a generated-file marker."""

_LANGUAGES = {
    ".py": "python",
    ".pyi": "python",
    ".pyw": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".kt": "kotlin",
    ".rb": "ruby",
    ".php": "php",
    ".c": "c",
    ".h": "c",
    ".cc": "c++",
    ".cpp": "c++",
    ".cxx": "c++",
    ".hpp": "c++",
    ".cs": "c#",
    ".swift": "swift",
    ".scala": "scala",
    ".sh": "shell",
    ".bash": "shell",
    ".sql": "sql",
    ".html": "html",
    ".css": "css",
    ".md": "markdown",
    ".rst": "restructuredtext",
    ".json": "json",
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".xml": "xml",
}
_LANGUAGE_NAMES = {"Dockerfile": "dockerfile", "Makefile": "make"}


def language_of(path: str) -> str | None:
    """The language a path is written in, judged by its name: "python" for `x.py`, …"""
    pure = PurePosixPath(path)
    return _LANGUAGE_NAMES.get(pure.name) or _LANGUAGES.get(pure.suffix.lower())


@dataclass(frozen=True)
class Scope:
    selected: list[ChangedFile] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    secrets_only: list[ChangedFile] = field(default_factory=list)
    """Skipped files whose added lines are still scanned for secrets."""


def select_files(
    change: ChangeSet,
    workspace: Workspace,
    *,
    exclude: Sequence[str],
    max_file_bytes: int,
    attributes: Mapping[str, Mapping[str, bool]] | None = None,
) -> Scope:
    """Split the change into the files to review and the skipped ones, keeping its order."""
    spec = path_globs(exclude)
    scope = Scope()
    for file in change.files:
        trusted = _trusted_reason(file, spec, workspace)
        reason = trusted or _reason(
            file, workspace, (attributes or {}).get(file.path, {}), max_file_bytes
        )
        if reason is None:
            scope.selected.append(file)
            continue
        unreviewable = file.path in workspace.mismatched or reason == MISSING
        scope.skipped.append(SkippedFile(path=file.path, reason=reason, unreviewable=unreviewable))
        if trusted is None and workspace.has_text(file.path):
            scope.secrets_only.append(file)
    return scope


def _trusted_reason(
    file: ChangedFile, spec: GitIgnoreSpec | None, workspace: Workspace
) -> str | None:
    """Reasons the change's author cannot bring about: nothing of the file is scanned."""
    if file.status is FileStatus.DELETED:
        return DELETED
    if file.mode_only:
        return MODE_ONLY
    if spec is not None:
        result = spec.check_file(file.path)
        if result.include and result.index is not None:
            return f"excluded by {getattr(spec.patterns[result.index], 'pattern', '?')}"
    if file.path in workspace.mismatched:
        return workspace.mismatched[file.path]
    entry = workspace.entries.get(file.path)
    if entry is None or entry.kind is EntryKind.MISSING:
        return MISSING
    return None


def _reason(
    file: ChangedFile,
    workspace: Workspace,
    attributes: Mapping[str, bool],
    max_file_bytes: int,
) -> str | None:
    entry = workspace.entries[file.path]
    if file.binary or file.path in workspace.binary:
        return BINARY
    if attributes.get("linguist-vendored", _vendored_path(file.path)):
        return VENDORED
    if attributes.get("linguist-generated", _generated_name(file.path)):
        return GENERATED
    if entry.kind is EntryKind.SYMLINK:
        return SYMLINK
    if entry.kind is EntryKind.SUBMODULE:
        return SUBMODULE
    if entry.kind is not EntryKind.FILE:
        return NOT_A_FILE
    if entry.size > max_file_bytes:
        return f"too large ({entry.size} bytes)"
    if "linguist-generated" not in attributes and _has_marker(workspace.raw / file.path):
        return GENERATED
    return None


def _vendored_path(path: str) -> bool:
    return not VENDORED_DIRS.isdisjoint(PurePosixPath(path).parts[:-1])


def _generated_name(path: str) -> bool:
    name = PurePosixPath(path).name
    return name in GENERATED_NAMES or name.endswith(GENERATED_SUFFIXES)


def _has_marker(path: Path) -> bool:
    """Whether `@generated` or `DO NOT EDIT` appears in the file's first lines."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError:
        return False
    return GENERATED_MARKER.search(b"\n".join(head.split(b"\n")[:MARKER_LINES])) is not None


def trusted_attributes(
    root: Path, revision: str, paths: Sequence[str]
) -> dict[str, dict[str, bool]]:
    """`linguist-generated` / `linguist-vendored` per path, as the trusted revision sets them.

    `revision` is a commit (its `.gitattributes` files, read through a scratch index) or
    `working tree`. Empty when the commit is not in the checkout or root is not a git
    repository: attributes are a bonus, not a requirement.
    """
    if not paths or not root.is_dir():
        return {}
    query = b"".join(os.fsencode(path) + b"\0" for path in paths)
    args = ("check-attr", "-z", "--stdin", "linguist-generated", "linguist-vendored")
    done: subprocess.CompletedProcess[bytes] | None
    try:
        if revision == WORKING_TREE:
            done = subprocess.run(
                ["git", *args], cwd=root, input=query, capture_output=True, check=False
            )
        else:
            done = _check_attr_at(root, revision, args, query)
    except OSError:
        return {}
    if done is None or done.returncode != 0:
        return {}
    found: dict[str, dict[str, bool]] = {}
    fields = done.stdout.split(b"\0")
    for at in range(0, len(fields) - 2, 3):
        path, attribute, value = (field.decode("utf-8", "replace") for field in fields[at : at + 3])
        if value in ("set", "true"):
            found.setdefault(path, {})[attribute] = True
        elif value in ("unset", "false"):
            found.setdefault(path, {})[attribute] = False
    return found


def _check_attr_at(
    root: Path, commit: str, args: tuple[str, ...], query: bytes
) -> subprocess.CompletedProcess[bytes] | None:
    """`git check-attr --cached` against an index holding `commit`'s tree, nothing else."""
    with tempfile.TemporaryDirectory(prefix="baton-attr-") as scratch:
        index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        if outside_work_tree(root, "read-tree", commit, env=index).returncode != 0:
            return None
        return outside_work_tree(root, args[0], "--cached", *args[1:], env=index, stdin=query)
