"""Which files are dependency manifests and lockfiles, and what a change adds to one:
`changed_entries` parses the head and base versions of a file and returns the packages the head
adds or changes, the entries it cannot ask about and why, or why the head does not parse."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from baton.agents.builtin.dependencies.declared import (
    Declared,
    Parsed,
    Skip,
    SkippedEntry,
    Unparsed,
    Unreadable,
    problem_with,
    shown,
)
from baton.agents.builtin.dependencies.locks_js import parse_pnpm_lock, parse_yarn_lock
from baton.agents.builtin.dependencies.locks_python import (
    parse_pipfile_lock,
    parse_poetry_lock,
    parse_uv_lock,
)
from baton.agents.builtin.dependencies.manifests_js import parse_package_json, parse_package_lock
from baton.agents.builtin.dependencies.manifests_other import (
    parse_cargo_lock,
    parse_gemfile_lock,
    parse_go_mod,
)
from baton.agents.builtin.dependencies.manifests_python import parse_pyproject, parse_requirements

__all__ = ["Changed", "changed_entries", "is_manifest"]

Parser = Callable[[str, str], Parsed]

PARSERS: dict[str, Parser] = {
    "pyproject.toml": parse_pyproject,
    "poetry.lock": parse_poetry_lock,
    "uv.lock": parse_uv_lock,
    "Pipfile.lock": parse_pipfile_lock,
    "package.json": parse_package_json,
    "package-lock.json": parse_package_lock,
    "yarn.lock": parse_yarn_lock,
    "pnpm-lock.yaml": parse_pnpm_lock,
    "go.mod": parse_go_mod,
    "Cargo.lock": parse_cargo_lock,
    "Gemfile.lock": parse_gemfile_lock,
}
"""The parser for each manifest by file name; requirements files are matched by pattern."""

_CONFLICT = re.compile(r"^(?:<{7}|>{7})(?: |$)", re.M)


@dataclass
class Changed:
    """What one file's change adds: entries added or changed versus the base, entries that
    cannot be asked about, or the reason the head does not parse (and nothing else)."""

    entries: list[Declared] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)
    problem: Unparsed | None = None


def _parser(path: str) -> Parser | None:
    parts = path.split("/")
    name = parts[-1]
    if name in PARSERS:
        return PARSERS[name]
    if name.endswith(".txt") and (
        name.startswith("requirements") or (len(parts) > 1 and parts[-2] == "requirements")
    ):
        return parse_requirements
    return None


def is_manifest(path: str) -> bool:
    """Whether `path` (a repository path, `/`-separated) is a manifest or lockfile baton
    reads, by file name: requirements*.txt and requirements/*.txt, pyproject.toml,
    poetry.lock, uv.lock, Pipfile.lock, package.json, package-lock.json, yarn.lock,
    pnpm-lock.yaml, go.mod, Cargo.lock, Gemfile.lock."""
    return _parser(path) is not None


def changed_entries(path: str, head: str | None, base: str | None) -> Changed:
    """The entries of `path`'s `head` text whose name and version (or specifier, when none is
    pinned) are not in its `base` text (None: a new file, so every entry), each with the
    base's version of the same name as `previous`. A deleted file (`head` None) or one that
    is not a manifest gives nothing; a head that does not parse gives only a `problem`; a
    base that does not parse counts as empty."""
    parser = _parser(path)
    if parser is None or head is None:
        return Changed()
    try:
        now = _read(parser, head, path)
    except Unreadable as error:
        reason = f"{path.rsplit('/', 1)[-1]}: {error.reason}"
        return Changed(problem=Unparsed(path, shown(reason, 300)))
    before = Parsed()
    if base is not None:
        with contextlib.suppress(Unreadable):
            before = _read(parser, base, path)
    return _compare(now, before, path)


def _read(parser: Parser, text: str, path: str) -> Parsed:
    """`text` parsed (a BOM dropped, CRLF read as LF), each entry whose name, version or
    specifier no registry allows moved to the skips."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    conflict = _CONFLICT.search(text) if "<<<<<<<" in text or ">>>>>>>" in text else None
    if conflict is not None:
        line = 1 + text.count("\n", 0, conflict.start())
        raise Unreadable(f"merge conflict markers (line {line})")
    parsed = parser(text, path)
    kept: list[Declared] = []
    for entry in parsed.entries:
        reason = problem_with(entry)
        if reason is None:
            kept.append(entry)
        else:
            written = f"{entry.spec[:200]} {entry.version or ''}"
            parsed.skips.append(Skip(shown(entry.name), entry.line, reason, written))
    parsed.entries = kept
    parsed.skips.sort(key=lambda skip: skip.line or 0)
    return parsed


def _key(entry: Declared) -> tuple[str, str]:
    return entry.name, entry.version if entry.version is not None else entry.spec


def _compare(now: Parsed, before: Parsed, path: str) -> Changed:
    """`now`'s entries not in `before` (each once, with `previous` set), and its skips."""
    known = {_key(entry) for entry in before.entries}
    was: dict[str, list[str]] = {}
    for entry in before.entries:
        if entry.version is not None and entry.version not in was.setdefault(entry.name, []):
            was[entry.name].append(entry.version)
    kept: dict[str, set[str]] = {}
    if was:
        for entry in now.entries:
            if entry.version is not None and entry.name in was:
                kept.setdefault(entry.name, set()).add(entry.version)
    changed = Changed()
    for entry in now.entries:
        key = _key(entry)
        if key in known:
            continue
        known.add(key)
        others = [v for v in was.get(entry.name, ()) if v != entry.version]
        if not others:
            changed.entries.append(entry)
            continue
        gone = [v for v in others if v not in kept.get(entry.name, ())]
        changed.entries.append(replace(entry, previous=(gone or others)[0]))
    skipped = {(skip.name, skip.reason, skip.written) for skip in before.skips}
    for skip in now.skips:
        key3 = (skip.name, skip.reason, skip.written)
        if key3 not in skipped:
            skipped.add(key3)
            changed.skipped.append(SkippedEntry(path, skip.line, shown(skip.name), skip.reason))
    return changed
