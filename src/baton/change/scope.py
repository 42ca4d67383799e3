"""Which changed files are reviewed, and a short stable reason for each one that is not.

A file is skipped, first reason wins, when it is: deleted, binary, a mode change only,
excluded by a gitignore-style glob of the `exclude` setting, vendored (a `vendor/`,
`third_party/`, `node_modules/`, `.venv/` or `site-packages/` path part, or
`linguist-vendored` in `.gitattributes`), generated (a lock file, `*_pb2.py`, `*.min.js`,
`*.map`, `linguist-generated`, or `@generated` / `DO NOT EDIT` in its first lines), absent
under the root, a symlink or other non-regular file, or bigger than `max_file_bytes`.
`linguist-generated=false` and `linguist-vendored=false` override the path rules, as on
GitHub. `language_of` names the language of a path, for agents that review only one.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from pathspec import GitIgnoreSpec

from baton.change.model import ChangedFile, ChangeSet, FileStatus, SkippedFile
from baton.errors import UsageError

DELETED = "deleted"
BINARY = "binary"
MODE_ONLY = "mode change only"
GENERATED = "generated"
VENDORED = "vendored"
MISSING = "missing from checkout"
SYMLINK = "symlink"
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


def select_files(
    change: ChangeSet, *, exclude: Sequence[str], max_file_bytes: int
) -> tuple[list[ChangedFile], list[SkippedFile]]:
    """Split the change into the files to review and the skipped ones, keeping its order."""
    spec = path_globs(exclude)
    root = Path(change.root)
    attributes = _attributes(root, [f.path for f in change.files if f.status != FileStatus.DELETED])
    selected: list[ChangedFile] = []
    skipped: list[SkippedFile] = []
    for file in change.files:
        reason = _reason(file, root, spec, attributes.get(file.path, {}), max_file_bytes)
        if reason is None:
            selected.append(file)
        else:
            skipped.append(SkippedFile(path=file.path, reason=reason))
    return selected, skipped


def _reason(
    file: ChangedFile,
    root: Path,
    spec: GitIgnoreSpec | None,
    attributes: Mapping[str, bool],
    max_file_bytes: int,
) -> str | None:
    if file.status is FileStatus.DELETED:
        return DELETED
    if file.binary:
        return BINARY
    if file.mode_only:
        return MODE_ONLY
    if spec is not None:
        result = spec.check_file(file.path)
        if result.include and result.index is not None:
            return f"excluded by {getattr(spec.patterns[result.index], 'pattern', '?')}"
    if attributes.get("linguist-vendored", _vendored_path(file.path)):
        return VENDORED
    if attributes.get("linguist-generated", _generated_name(file.path)):
        return GENERATED
    try:
        info = os.lstat(root / file.path)
    except OSError:
        return MISSING
    if stat.S_ISLNK(info.st_mode):
        return SYMLINK
    if not stat.S_ISREG(info.st_mode):
        return NOT_A_FILE
    if info.st_size > max_file_bytes:
        return f"too large ({info.st_size} bytes)"
    if "linguist-generated" not in attributes and _has_marker(root / file.path):
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


def path_globs(globs: Sequence[str], setting: str = "exclude") -> GitIgnoreSpec | None:
    """Globs with .gitignore's meaning (`tests/`, `**/*.min.js`); None when there are none."""
    cleaned = [glob.strip() for glob in globs if glob.strip()]
    if not cleaned:
        return None
    try:
        return GitIgnoreSpec.from_lines(cleaned)
    except ValueError as err:
        raise UsageError(f"invalid {setting} glob: {err}") from None


def _attributes(root: Path, paths: Sequence[str]) -> dict[str, dict[str, bool]]:
    """`linguist-generated` / `linguist-vendored` per path, where `.gitattributes` sets them.

    Empty when root is not in a git repository: attributes are a bonus, not a requirement.
    """
    if not paths or not root.is_dir():
        return {}
    try:
        done = subprocess.run(
            ["git", "check-attr", "-z", "--stdin", "linguist-generated", "linguist-vendored"],
            cwd=root,
            input=b"".join(os.fsencode(path) + b"\0" for path in paths),
            capture_output=True,
            check=False,
        )
    except OSError:
        return {}
    if done.returncode != 0:
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
