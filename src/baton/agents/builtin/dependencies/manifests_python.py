"""Python dependency manifests: requirements*.txt and pyproject.toml (`[project]`, PEP 735
`[dependency-groups]` and Poetry's tables), read into PyPI `Declared` entries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

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
    one_line,
    pep503,
    shown,
)
from baton.agents.builtin.dependencies.reading import Lines, load_toml

MAX_REQUIREMENT = 4096
"""A requirement line longer than this is not one (a hostile or broken file): skipped."""

_COMMENT = re.compile(r"(?:^|\s)#.*")
_OPTION = re.compile(r"\s-{1,2}[A-Za-z]")  # per-requirement options: --hash=…, --config-settings
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_EGG = re.compile(r"#(?:.*&)?egg=([^&\s]+)")
_ARCHIVE = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2")
_WRITTEN_SPEC = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*([^;]*)")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_EXACT = re.compile(r"(?:==)?\s*([0-9][0-9A-Za-z.!+-]*)")
_QUOTED = re.compile(r""""([^"\n]*)"|'([^'\n]*)'""")
_KEY = re.compile(
    r"""^[ \t]*(?:"([^"\n]+)"|'([^'\n]+)'|([\w.-]+))[ \t]*=|^\[[^\]\n]*dependencies\.([\w.-]+)\]""",
    re.M,
)


def parse_requirements(text: str, path: str) -> Parsed:
    """A pip requirements file: pins, ranges, extras and markers; options (`-r`, `-c`, `-e`,
    `--index-url`) are not entries; URLs and paths are skipped."""
    out = Parsed()
    for number, logical in _logical_lines(text):
        line = _COMMENT.sub("", logical).strip()
        if not line or line.startswith("-"):
            continue
        option = _OPTION.search(line)
        requirement(line[: option.start()] if option else line, number, path, out)
    return out


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Each line with its `\\` continuations joined, and the number of its first line."""
    parts: list[str] = []
    first = 1
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        if not parts:
            first = number
        if line.endswith("\\"):
            parts.append(line[:-1])
            continue
        parts.append(line)
        yield first, " ".join(parts)
        parts = []
    if parts:
        yield first, " ".join(parts)


def requirement(text: str, line: int, path: str, out: Parsed) -> None:
    """One PEP 508 requirement string, as an entry or a skip."""
    text = text.strip()
    if len(text) > MAX_REQUIREMENT:
        reason = f"a line of {len(text)} characters, too long for a requirement"
        out.skips.append(Skip(shown(text, 40), line, reason, text[:200]))
        return
    if _SCHEME.match(text) or text.startswith((".", "/", "~", "file:")) or text.endswith(_ARCHIVE):
        egg = _EGG.search(text)
        name = pep503(egg[1]) if egg else shown(text)
        out.skips.append(Skip(name, line, _url_reason(text), text))
        return
    try:
        parsed = Requirement(text)
    except (InvalidRequirement, RecursionError) as error:
        first = _NAME.match(text)
        reason = f"not a requirement pip reads: {one_line(str(error))}"
        out.skips.append(Skip(first[0] if first else shown(text), line, reason, text))
        return
    name = pep503(parsed.name)
    if parsed.url is not None:
        out.skips.append(Skip(name, line, _url_reason(parsed.url), text))
        return
    written = _WRITTEN_SPEC.match(text)
    spec = written[1].strip() if written else str(parsed.specifier)
    if spec.startswith("(") and spec.endswith(")"):
        spec = spec[1:-1].strip()
    out.entries.append(Declared(Ecosystem.PYPI, name, _pinned(parsed), spec, path, line))


def _pinned(parsed: Requirement) -> str | None:
    specifiers = list(parsed.specifier)
    if len(specifiers) != 1:
        return None
    only = specifiers[0]
    if only.operator == "===" or (only.operator == "==" and "*" not in only.version):
        return only.version
    return None


def _url_reason(url: str) -> str:
    if url.startswith(("git+", "git://", "git@")):
        return GIT
    if url.startswith(("hg+", "svn+", "bzr+")):
        return VCS
    if _SCHEME.match(url) and not url.startswith("file:"):
        return URL
    return LOCAL


def parse_pyproject(text: str, path: str) -> Parsed:
    """pyproject.toml: `[project]` dependencies and optional-dependencies, PEP 735
    `[dependency-groups]`, and Poetry's dependency tables (`python` is not a package). Each
    table's entries are looked for from its header on."""
    data = load_toml(text)
    out = Parsed()
    project = _table(data.get("project"), "[project]")
    strings = Lines.matching(text, _QUOTED)
    strings.seek(_header(text, "project"))
    _pep508_list(project.get("dependencies"), "dependencies", strings, path, out)
    strings.seek(_header(text, "project.optional-dependencies", "project"))
    for group, items in _table(
        project.get("optional-dependencies"), "optional-dependencies"
    ).items():
        _pep508_list(items, f"optional-dependencies.{group}", strings, path, out)
    strings.seek(_header(text, "dependency-groups"))
    for group, items in _table(data.get("dependency-groups"), "dependency-groups").items():
        if isinstance(items, list):  # an `{include-group = …}` table is not a package
            _pep508_list([i for i in items if isinstance(i, str)], group, strings, path, out)
    poetry = _table(_table(data.get("tool"), "[tool]").get("poetry"), "[tool.poetry]")
    tables = [(where, poetry.get(where)) for where in ("dependencies", "dev-dependencies")]
    for group, table in _table(poetry.get("group"), "[tool.poetry.group]").items():
        inner = table.get("dependencies") if isinstance(table, dict) else None
        tables.append((f"group.{group}.dependencies", inner))
    keys = Lines.matching(text, _KEY)
    for where, table in tables:
        keys.seek(_header(text, f"tool.poetry.{where}", "tool.poetry"))
        for name, value in _table(table, f"[tool.poetry.{where}]").items():
            if name.lower() != "python":
                _poetry(name, value, keys.line(name), path, out)
    return out


def _header(text: str, *tables: str) -> int:
    """The offset of the first of `tables`' `[headers]` in `text`, else 0."""
    for table in tables:
        header = re.search(rf"^[ \t]*\[{re.escape(table)}\][ \t]*(?:#.*)?$", text, re.M)
        if header is not None:
            return header.start()
    return 0


def _table(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Unreadable(f"{what} is not a table")
    return value


def _pep508_list(items: Any, what: str, lines: Lines, path: str, out: Parsed) -> None:
    if items is None:
        return
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise Unreadable(f"{what} is not an array of strings")
    for item in items:
        requirement(item, lines.line(item), path, out)


def _poetry(name: str, value: Any, line: int, path: str, out: Parsed) -> None:
    """A Poetry dependency: `"^1.2"`, `{version = "^1.2", …}`, a git/path/url table, or a
    list of tables by marker."""
    if isinstance(value, list):
        for item in value:
            _poetry(name, item, line, path, out)
        return
    if isinstance(value, dict):
        for key, reason in (("git", GIT), ("path", LOCAL), ("file", LOCAL), ("url", URL)):
            if key in value:
                out.skips.append(Skip(pep503(name), line, reason, f"{key}={value[key]}"))
                return
        value = value.get("version")
    if not isinstance(value, str):
        out.skips.append(Skip(pep503(name), line, NO_VERSION, repr(value)[:200]))
        return
    spec = value.strip()
    exact = _EXACT.fullmatch(spec)
    version = exact[1] if exact else None
    out.entries.append(Declared(Ecosystem.PYPI, pep503(name), version, spec, path, line))
