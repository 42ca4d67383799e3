"""Python lockfiles: poetry.lock and uv.lock (TOML `[[package]]` tables) and Pipfile.lock
(JSON `default`/`develop`), read into exact PyPI `Declared` entries."""

from __future__ import annotations

from typing import Any

from baton.agents.builtin.dependencies.declared import (
    GIT,
    LOCAL,
    NO_VERSION,
    URL,
    VCS,
    Declared,
    Ecosystem,
    Parsed,
    Skip,
    Unreadable,
    pep503,
    shown,
)
from baton.agents.builtin.dependencies.reading import (
    TOML_NAME,
    Lines,
    load_json,
    load_toml,
)

_POETRY_SOURCES = {"git": GIT, "directory": LOCAL, "file": LOCAL, "url": URL}
"""poetry.lock `[package.source]` types that are not an index (`legacy` is a private index)."""
_PIPFILE_SOURCES: tuple[tuple[str, str | None], ...] = (
    ("git", GIT),
    ("hg", VCS),
    ("svn", VCS),
    ("bzr", VCS),
    ("path", LOCAL),
    ("file", None),
)
"""Pipfile.lock keys that are not an index; a `file` is a URL or a local path."""
_UV_SOURCES = {"git": GIT, "path": LOCAL, "directory": LOCAL, "url": URL}
"""uv.lock `source` keys that are not a registry; `editable` and `virtual` are the project's
own workspace members, left out without a word."""


def packages(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A TOML lockfile's `[[package]]` tables (each checked to be a table)."""
    found = data.get("package", [])
    if not isinstance(found, list) or not all(isinstance(p, dict) for p in found):
        raise Unreadable("`package` is not an array of tables")
    return found


def parse_poetry_lock(text: str, path: str) -> Parsed:
    """poetry.lock: each `[[package]]` name and version; git, directory and URL sources are
    skipped."""
    out = Parsed()
    lines = Lines.matching(text, TOML_NAME)
    for package in packages(load_toml(text)):
        name, line = _name(package, lines)
        source = package.get("source")
        kind = source.get("type") if isinstance(source, dict) else None
        reason = _POETRY_SOURCES.get(kind) if isinstance(kind, str) else None
        if reason is not None:
            assert isinstance(source, dict)
            out.skips.append(Skip(name, line, reason, str(source.get("url", ""))[:200]))
            continue
        _locked(name, package.get("version"), line, path, out)
    return out


def parse_uv_lock(text: str, path: str) -> Parsed:
    """uv.lock: each `[[package]]` name and version from a registry; git, path and URL
    sources are skipped, workspace members (`editable`, `virtual`) left out."""
    out = Parsed()
    lines = Lines.matching(text, TOML_NAME)
    for package in packages(load_toml(text)):
        name, line = _name(package, lines)
        source = package.get("source")
        if isinstance(source, dict):
            if "editable" in source or "virtual" in source:
                continue
            kind = next((key for key in _UV_SOURCES if key in source), None)
            if kind is not None:
                written = str(source[kind])[:200]
                out.skips.append(Skip(name, line, _UV_SOURCES[kind], written))
                continue
        _locked(name, package.get("version"), line, path, out)
    return out


def parse_pipfile_lock(text: str, path: str) -> Parsed:
    """Pipfile.lock: `default` and `develop` entries pinned `"version": "==1.2.3"`; git, path
    and file entries are skipped."""
    data = load_json(text)
    if not isinstance(data, dict):
        raise Unreadable("the top level is not a JSON object")
    out = Parsed()
    lines = Lines.json_objects(text)
    for section in ("default", "develop"):
        entries = data.get(section, {})
        if not isinstance(entries, dict):
            raise Unreadable(f"`{section}` is not an object")
        lines.line(section)
        for raw, info in entries.items():
            name, line = pep503(raw), lines.line(raw)
            if not isinstance(info, dict):
                out.skips.append(Skip(shown(name), line, NO_VERSION, repr(info)[:200]))
                continue
            _pipfile_entry(name, info, line, path, out)
    return out


def _pipfile_entry(name: str, info: dict[str, Any], line: int, path: str, out: Parsed) -> None:
    for key, kind in _PIPFILE_SOURCES:
        where = info.get(key)
        if isinstance(where, str):
            reason = kind or (URL if where.startswith(("http://", "https://")) else LOCAL)
            out.skips.append(Skip(name, line, reason, where[:200]))
            return
    spec = info.get("version")
    if not isinstance(spec, str):
        out.skips.append(Skip(name, line, NO_VERSION, repr(spec)[:200]))
        return
    exact = spec.removeprefix("===") if spec.startswith("===") else spec.removeprefix("==")
    version = exact if exact != spec else None
    out.entries.append(Declared(Ecosystem.PYPI, name, version, spec, path, line, lockfile=True))


def _name(package: dict[str, Any], lines: Lines) -> tuple[str, int]:
    """A `[[package]]`'s PyPI name and line (`?` and line 1 without a name)."""
    name = package.get("name")
    if not isinstance(name, str):
        return "?", 1
    return pep503(name), lines.line(name)


def _locked(name: str, version: Any, line: int, path: str, out: Parsed) -> None:
    if not isinstance(version, str):
        out.skips.append(Skip(name, line, NO_VERSION, repr(version)[:200]))
        return
    out.entries.append(Declared(Ecosystem.PYPI, name, version, version, path, line, lockfile=True))
