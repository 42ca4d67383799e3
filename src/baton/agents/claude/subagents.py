"""Claude Code's own sub-agent files, `.claude/agents/NAME.md`, read as review agents.

The format is Claude Code's: YAML front matter between `---` lines with `name`,
`description`, and optionally `tools` (comma-separated or a list) and `model` (`sonnet`,
`opus`, `haiku`, a full model id, or `inherit`); the body is the system prompt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from baton.errors import UsageError

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Subagent:
    name: str
    description: str
    prompt: str
    tools: tuple[str, ...] | None
    """None: the file names no tools (Claude Code would give it all; baton the read-only set)."""
    model: str | None
    path: str


def parse_subagent(path: str, text: str) -> Subagent:
    """One `.claude/agents/*.md` file; `UsageError` naming the file when it is malformed."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise UsageError(f"{path}: no front matter (--- name: … description: … ---)")
    try:
        meta: Any = yaml.safe_load(match.group(1))
    except yaml.YAMLError as err:
        raise UsageError(f"{path}: invalid YAML front matter: {_first_line(err)}") from err
    if not isinstance(meta, dict):
        raise UsageError(f"{path}: the front matter must be key: value lines")
    name = meta.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise UsageError(f"{path}: name must be lowercase letters, digits, - or _ (got {name!r})")
    description = meta.get("description")
    if not isinstance(description, str) or not description.strip():
        raise UsageError(f"{path}: description is required")
    prompt = match.group(2).strip()
    if not prompt:
        raise UsageError(f"{path}: the body (the agent's system prompt) is empty")
    return Subagent(
        name=name,
        description=" ".join(description.split()),
        prompt=prompt,
        tools=_tools(meta.get("tools"), path),
        model=_model(meta.get("model"), path),
        path=path,
    )


def _tools(value: object, path: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(item.strip() for item in value if item.strip())
    raise UsageError(f"{path}: tools must be a comma-separated string or a list of names")


def _model(value: object, path: str) -> str | None:
    if value is None or value == "inherit":
        return None
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise UsageError(f"{path}: model must be a model name or inherit")


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
