"""What the dependency parsers return: a declared package, an entry left out and why, a file
that does not parse; and the rules a package name and version must pass to be asked about."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class Ecosystem(StrEnum):
    """OSV ecosystem names, exactly as OSV spells them."""

    PYPI = "PyPI"
    NPM = "npm"
    GO = "Go"
    CRATES = "crates.io"
    RUBYGEMS = "RubyGems"


@dataclass(frozen=True)
class Declared:
    """One package a manifest or lockfile declares, named as OSV expects."""

    ecosystem: Ecosystem
    name: str
    """PyPI: PEP 503-normalised; npm as written (`@scope/name`); a Go module path; a crate or
    gem name."""
    version: str | None
    """The exact version when the entry pins one (`==1.2.3`, a lockfile entry), else None."""
    spec: str
    """The requirement as written: `>=2,<3`, `^4.17.0`, `==5.3`, `v1.2.3`."""
    path: str
    line: int
    """1-based line in the head version of the file where the entry is declared."""
    previous: str | None = None
    """The base version's exact version for the same name in the same file, when it differs."""
    lockfile: bool = False


@dataclass(frozen=True)
class Unparsed:
    """A file whose head does not parse; `reason` is one line naming the file and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class SkippedEntry:
    """An entry that cannot be asked about (a git URL, a local path, an odd name), and why."""

    path: str
    line: int | None
    name: str
    reason: str


class Unreadable(Exception):
    """A file does not parse: `reason` is one line, without the file's name."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Skip:
    """A parser's skipped entry; `written` (the entry's text) tells base and head apart."""

    name: str
    line: int | None
    reason: str
    written: str = ""


@dataclass
class Parsed:
    """Everything one version of one file declares, in file order."""

    entries: list[Declared] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)


GIT = "a git URL, not a registry version"
VCS = "a version-control URL, not a registry version"
URL = "a URL, not a registry version"
LOCAL = "a local path, not a registry version"
WORKSPACE = "a workspace package, not a registry version"
NO_VERSION = "no version"
BAD_NAME = "name with characters no registry allows"
BAD_VERSION = "version with characters no registry allows"
BAD_SPEC = "requirement with characters no registry allows"

_NAMES = {
    Ecosystem.PYPI: re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"),
    Ecosystem.NPM: re.compile(r"(?:@[A-Za-z0-9~-][\w.~-]*/)?[A-Za-z0-9~-][\w.~-]*", re.ASCII),
    Ecosystem.GO: re.compile(r"[\w.~-]+(?:/[\w.~-]+)*", re.ASCII),
    Ecosystem.CRATES: re.compile(r"[A-Za-z][\w-]*", re.ASCII),
    Ecosystem.RUBYGEMS: re.compile(r"[A-Za-z0-9_][\w.-]*", re.ASCII),
}
"""Per ecosystem, the characters a registry allows in a name (PyPI's after PEP 503)."""
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_~!-]{0,127}")
_SPEC = re.compile(r"[\x20-\x7e]{0,256}")
_MAX_NAME = 214


def pep503(name: str) -> str:
    """A PyPI name as OSV keys it: lowercase, runs of `-`, `_` and `.` as one `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def problem_with(entry: Declared) -> str | None:
    """Why `entry` cannot be asked about (its name, version or requirement), or None."""
    name = entry.name
    if len(name) > _MAX_NAME or ".." in name or not _NAMES[entry.ecosystem].fullmatch(name):
        return BAD_NAME
    if entry.version is not None and not _VERSION.fullmatch(entry.version):
        return BAD_VERSION
    if not _SPEC.fullmatch(entry.spec):
        return BAD_SPEC
    return None


def shown(text: str, limit: int = 100) -> str:
    """`text` fit for one line of a report: anything but printable ASCII (and the `…` this
    adds) escaped, at most `limit` characters kept. Showing a shown text changes nothing."""
    kept = "".join(c if " " <= c <= "~" or c == "…" else ascii(c)[1:-1] for c in text[:limit])
    return kept + "…" if len(text) > limit else kept


def one_line(text: str) -> str:
    """The first line of `text` (an exception's message), shown."""
    return shown(text.strip().split("\n", 1)[0], 200)
