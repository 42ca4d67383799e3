"""Shared pieces of the built-in agents: reading tool JSON, paths, and file filters."""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from baton.change.model import ChangedFile
from baton.change.workspace import Workspace
from baton.errors import AgentError
from baton.findings.model import Finding
from baton.tool_config import PYPROJECT, tool_tables

PYTHON_SUFFIXES = frozenset({".py", ".pyi"})


def is_python(file: ChangedFile) -> bool:
    return file.suffix in PYTHON_SUFFIXES


def load_json(tool: str, text: str) -> Any:
    """Parse a tool's JSON output; anything else means the tool misbehaved."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        snippet = text.strip().splitlines()[0][:80] if text.strip() else "empty output"
        raise AgentError(f"{tool} output is not JSON ({err.msg}): {snippet!r}") from err


def repo_relative(filename: str, root: Path) -> str:
    """A tool's file name (absolute, `./x` or relative) as a repository-relative POSIX path."""
    path = Path(filename)
    if path.is_absolute():
        try:
            path = path.resolve().relative_to(root.resolve())
        except ValueError:
            return Path(os.path.relpath(path, root)).as_posix()
    return posixpath.normpath(path.as_posix())


def expect(condition: bool, tool: str, what: str) -> None:
    """Guard the shape of a tool's output; a surprise is an agent failure, not a silent drop."""
    if not condition:
        raise AgentError(f"{tool} output has an unexpected shape: {what}")


def files_phrase(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


def at_git_lines(findings: Iterable[Finding], workspace: Workspace) -> list[Finding]:
    """Findings with a tool's line numbers turned into git's (they differ at bare `\r`)."""
    placed = []
    for finding in findings:
        if finding.path not in workspace.line_maps or finding.line is None:
            placed.append(finding)
            continue
        line = workspace.git_line(finding.path, finding.line)
        end = workspace.git_line(finding.path, finding.end_line) if finding.end_line else None
        placed.append(finding.model_copy(update={"line": line, "end_line": end}))
    return placed


def pyproject_tools(config: Path) -> dict[str, Any]:
    """The `[tool]` table of the pyproject.toml in `config`; empty when there is none."""
    try:
        return tool_tables((config / PYPROJECT).read_text("utf-8"))
    except (OSError, UnicodeDecodeError):
        return {}
