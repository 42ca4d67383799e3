"""The tools' own configuration, read from the same trusted revision as baton's.

ruff and bandit would read configuration files from beside the files they check — files a
change can add or edit (`ruff.toml` with `select = []`, `[tool.bandit] skips`). baton runs
them where no such file exists and hands them the trusted revision's root configuration
instead: `.ruff.toml`, `ruff.toml` or `pyproject.toml` (with every file a ruff config names in
`extend`, inside the repository), and `[tool.bandit]` in `pyproject.toml`. shellcheck,
hadolint and zizmor run with no configuration file of the change's either (`--norc`, an
explicit `--config`, `--no-config`). hadolint gets the trusted revision's root
`.hadolint.yaml` or `.hadolint.yml` (`HADOLINT_FILES`), else baton's empty configuration. A change
to any of these, or to `.gitattributes`, `.secrets.baseline`, `setup.cfg`, `.bandit`,
`.flake8` or `tox.ini` anywhere in the tree, is noted in the review: it applies after merge.
"""

from __future__ import annotations

import posixpath
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

ReadText = Callable[[str], str | None]

RUFF_FILES = (".ruff.toml", "ruff.toml")
HADOLINT_FILES = (".hadolint.yaml", ".hadolint.yml")
PYPROJECT = "pyproject.toml"
TOOL_TABLES = ("ruff", "bandit")
NOTED_NAMES = frozenset(
    {
        ".ruff.toml",
        "ruff.toml",
        ".gitattributes",
        ".secrets.baseline",
        "setup.cfg",
        ".bandit",
        ".flake8",
        "tox.ini",
        ".shellcheckrc",
        "shellcheckrc",
        ".hadolint.yaml",
        ".hadolint.yml",
        "zizmor.yml",
        "zizmor.yaml",
    }
)
"""Files that steer a tool or git wherever they are, so a change to them is worth a note."""
MAX_EXTENDS = 8


def read_tool_configs(read: ReadText) -> dict[str, str]:
    """Repository path → text of every tool configuration file the tools get."""
    found: dict[str, str] = {}
    pyproject = read(PYPROJECT)
    if pyproject is not None:
        found[PYPROJECT] = pyproject
    ruff = next(((name, text) for name in RUFF_FILES if (text := read(name)) is not None), None)
    if ruff is None and pyproject is not None and "ruff" in tool_tables(pyproject):
        ruff = (PYPROJECT, pyproject)
    if ruff is not None:
        found.update(_extends(*ruff, read))
    hadolint = next(
        ((name, text) for name in HADOLINT_FILES if (text := read(name)) is not None), None
    )
    if hadolint is not None:
        found[hadolint[0]] = hadolint[1]
    return found


def changed_tool_configs(
    trusted: Mapping[str, str], head: Mapping[str, str], changed_paths: Iterable[str]
) -> list[str]:
    """What the change edits in the tools' configuration (empty when nothing)."""
    changed: list[str] = []
    for path in sorted(set(trusted) | set(head)):
        before, after = trusted.get(path), head.get(path)
        if path == PYPROJECT and before is not None and after is not None:
            old, new = tool_tables(before), tool_tables(after)
            edited = [name for name in TOOL_TABLES if old.get(name) != new.get(name)]
            changed.extend(f"{PYPROJECT} [tool.{name}]" for name in edited)
        elif before != after:
            changed.append(path)
    changed.extend(
        path
        for path in sorted(changed_paths)
        if PurePosixPath(path).name in NOTED_NAMES and path not in trusted and path not in head
    )
    return changed


def tool_tables(pyproject: str) -> dict[str, Any]:
    """The `[tool]` table of a pyproject.toml's text; empty when there is none or it is broken."""
    try:
        tool = tomllib.loads(pyproject).get("tool")
    except tomllib.TOMLDecodeError:
        return {}
    return tool if isinstance(tool, dict) else {}


def _extends(path: str, text: str, read: ReadText) -> dict[str, str]:
    """`path` and the files its `extend` chain names, while they stay inside the repository."""
    found = {path: text}
    for _ in range(MAX_EXTENDS):
        target = _extend_target(path, text)
        if target is None or target in found:
            break
        following = read(target)
        if following is None:
            break
        found[target] = following
        path, text = target, following
    return found


def _extend_target(path: str, text: str) -> str | None:
    try:
        table: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    if path.endswith(PYPROJECT):
        table = tool_tables(text).get("ruff")
    extend = table.get("extend") if isinstance(table, dict) else None
    if not isinstance(extend, str) or extend.startswith(("/", "~")):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), extend))
    return None if joined == ".." or joined.startswith("../") else joined
