"""The reviewed repository's own configuration, read from a revision the review can trust.

A change under review must not weaken its own gate or rewrite an agent's prompt. So when
the change has a base commit, `.baton.toml`, `[tool.baton]` in `pyproject.toml`,
`.claude/agents/*.md` and the prompt files they name are read from that **base** commit
(`git show BASE:PATH`, or the platform's API when the checkout lacks the commit), and a
change that edits them gets a note: its configuration applies after it is merged.
The tools' own configuration files come from the same revision (`tool_config`).
`trust_head_config` (`--trust-head-config`) and diff-file reviews read the working tree;
there, a `tools` table naming executables and analysers' `command`s are not used unless the
operator vouches for them (`--trust-head-config`, `--config`): a diff file's checkout is the
change itself. `trust_head_config` lets the change run commands of its choosing: it is for
repositories whose every writer is trusted, never for pull requests from forks.
"""

from __future__ import annotations

import subprocess
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from baton.errors import IncompleteReviewError, UsageError
from baton.tool_config import changed_tool_configs, read_tool_configs

ReadText = Callable[[str], str | None]
"""Reads a repository file by relative path; None when it does not exist."""

ListFiles = Callable[[str], list[str]]
"""Repository-relative paths of the files directly in a folder; [] when it does not exist."""

CLAUDE_AGENTS = ".claude/agents"
MAX_CONFIG_BYTES = 1_000_000


@dataclass(frozen=True)
class RepoFiles:
    """The repository's files at one revision: `working tree` or a commit."""

    revision: str
    read: ReadText
    list: ListFiles


@dataclass(frozen=True)
class RepoConfig:
    """Everything baton reads from the repository, and where it read it."""

    values: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    revision: str = "working tree"
    claude_agents: dict[str, str] = field(default_factory=dict)
    """`.claude/agents/NAME.md` path → text."""
    prompts: dict[str, str] = field(default_factory=dict)
    """`prompt_file` path → text, for every agent table that names one."""
    tool_configs: dict[str, str] = field(default_factory=dict)
    """Path → text of the ruff and bandit configuration files the tools get."""


def worktree_files(root: Path) -> RepoFiles:
    def read(relative: str) -> str | None:
        path = root / relative
        if not path.is_file():
            return None
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise UsageError(f"cannot read {path}: {err}") from err

    def listing(folder: str) -> list[str]:
        where = root / folder
        if not where.is_dir():
            return []
        return sorted(p.relative_to(root).as_posix() for p in where.iterdir() if p.is_file())

    return RepoFiles("working tree", read, listing)


def commit_files(root: Path, commit: str) -> RepoFiles | None:
    """The files of `commit` from local git; None when the checkout does not have it."""
    if _git(root, "cat-file", "-e", f"{commit}^{{commit}}").returncode != 0:
        return None

    def read(relative: str) -> str | None:
        done = _git(root, "show", f"{commit}:{relative}")
        if done.returncode != 0:
            return None
        try:
            return done.stdout.decode("utf-8")
        except UnicodeDecodeError as err:
            raise UsageError(f"{relative} at {commit[:12]} is not UTF-8 text") from err

    def listing(folder: str) -> list[str]:
        done = _git(root, "ls-tree", "--name-only", commit, f"{folder.rstrip('/')}/")
        if done.returncode != 0:
            return []
        return sorted(line for line in done.stdout.decode("utf-8", "replace").splitlines() if line)

    return RepoFiles(commit, read, listing)


def read_repo_config(files: RepoFiles, explicit: Path | None = None) -> RepoConfig:
    """The baton table, the Claude Code agent files and the prompt files at one revision.

    `explicit` (`--config FILE`) replaces the repository's baton table; agent and prompt
    files still come from `files`.
    """
    if explicit is not None:
        values, source = _explicit_table(explicit)
    else:
        values, source = _repository_table(files)
        if source and files.revision != "working tree":
            source = f"{source} at {files.revision[:12]}"
    claude_agents = {}
    for path in files.list(CLAUDE_AGENTS):
        if path.endswith(".md"):
            text = files.read(path)
            if text is not None:
                claude_agents[path] = text
    prompts = {}
    agents = values.get("agents")
    for name, table in (agents if isinstance(agents, dict) else {}).items():
        wanted = table.get("prompt_file") if isinstance(table, dict) else None
        if isinstance(wanted, str) and wanted not in prompts:
            text = files.read(_relative(wanted, f"agents.{name}.prompt_file"))
            if text is None:
                raise UsageError(
                    f"agents.{name}.prompt_file: {wanted} not found in the {_where(files)}"
                )
            prompts[wanted] = text
    tools = read_tool_configs(files.read)
    return RepoConfig(values, source, files.revision, claude_agents, prompts, tools)


def changed_config(
    trusted: RepoConfig, head: RepoConfig, changed_paths: Iterable[str] = ()
) -> list[str]:
    """What the change edits in the review configuration (empty when nothing)."""
    changed = []
    if trusted.values != head.values:
        changed.append(head.source or trusted.source or "baton configuration")
    for path in sorted(set(trusted.claude_agents) | set(head.claude_agents)):
        if trusted.claude_agents.get(path) != head.claude_agents.get(path):
            changed.append(path)
    both = sorted(set(trusted.prompts) & set(head.prompts))
    changed.extend(path for path in both if trusted.prompts[path] != head.prompts[path])
    changed.extend(changed_tool_configs(trusted.tool_configs, head.tool_configs, changed_paths))
    return changed


def _repository_table(files: RepoFiles) -> tuple[dict[str, Any], str]:
    dedicated_text = files.read(".baton.toml")
    pyproject_text = files.read("pyproject.toml")
    dedicated = _parse_toml(dedicated_text, ".baton.toml") if dedicated_text is not None else None
    in_pyproject: Any = None
    if pyproject_text is not None:
        in_pyproject = _baton_table(_parse_toml(pyproject_text, "pyproject.toml"))
    if dedicated is not None and in_pyproject is not None:
        raise UsageError(
            "both .baton.toml and [tool.baton] in pyproject.toml configure baton; keep one"
        )
    if dedicated is not None:
        return dedicated, ".baton.toml"
    if in_pyproject is not None:
        if not isinstance(in_pyproject, dict):
            raise UsageError("pyproject.toml: [tool.baton] must be a table")
        return in_pyproject, "pyproject.toml [tool.baton]"
    return {}, ""


def _explicit_table(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read config file {path}: {err}") from err
    table = _parse_toml(text, str(path))
    if path.name == "pyproject.toml":
        table = _baton_table(table) or {}
    return table, str(path)


def _baton_table(pyproject: dict[str, Any]) -> Any:
    tool = pyproject.get("tool")
    return tool.get("baton") if isinstance(tool, dict) else None


def _parse_toml(text: str, where: str) -> dict[str, Any]:
    if len(text) > MAX_CONFIG_BYTES:
        raise UsageError(f"{where}: larger than {MAX_CONFIG_BYTES} bytes")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"{where}: invalid TOML: {err}") from err


def _relative(path: str, key: str) -> str:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts:
        raise UsageError(f"{key}: {path} must be a path inside the repository")
    return pure.as_posix()


def _where(files: RepoFiles) -> str:
    if files.revision == "working tree":
        return "working tree"
    return f"base commit {files.revision[:12]}"


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except OSError as err:
        raise IncompleteReviewError(f"git could not be started: {err.strerror or err}") from err


def trusted_config(
    root: Path,
    base: str | None,
    *,
    trust_head: bool,
    explicit: Path | None = None,
    fallback: Callable[[str], RepoFiles] | None = None,
    head: str | None = None,
    changed_paths: Iterable[str] = (),
) -> tuple[RepoConfig, list[str]]:
    """The configuration to review with, and notes for the reader.

    With a base commit (and without `trust_head`) that is the base's configuration; the
    head commit's (or, without one here, the working tree's) is read only to tell whether
    the change edits it. `fallback` reads the base commit another way (the platform's API)
    when the checkout does not have it. `changed_paths` (the change's files) tell which tool
    configuration files elsewhere in the tree the change touches.
    """
    if base is None or trust_head:
        config = read_repo_config(worktree_files(root), explicit)
        if base is None and not trust_head and explicit is None:
            return _without_executables(config)
        return config, []
    files = commit_files(root, base) or (fallback(base) if fallback is not None else None)
    if files is None:
        raise IncompleteReviewError(
            f"cannot read the review configuration at the base commit {base[:12]}: the "
            "checkout does not have it (fetch it, e.g. fetch-depth: 0)"
        )
    trusted = read_repo_config(files, explicit)
    head_files = (commit_files(root, head) if head else None) or worktree_files(root)
    try:
        changed = read_repo_config(head_files, explicit)
    except UsageError as err:
        return trusted, [f"{APPLIES_AFTER_MERGE}; as changed it is invalid: {err}"]
    edited = changed_config(trusted, changed, changed_paths)
    if not edited:
        return trusted, []
    return trusted, [f"{APPLIES_AFTER_MERGE} ({', '.join(edited)})"]


def _without_executables(config: RepoConfig) -> tuple[RepoConfig, list[str]]:
    """A working tree's configuration without what names programs to run: the `tools`
    table and analysers' `command`s (the agents they define are dropped)."""
    values = dict(config.values)
    notes = []
    if values.pop("tools", None) is not None:
        notes.append(UNTRUSTED_TOOLS.format(where=config.source))
    agents = values.get("agents")
    if isinstance(agents, dict):
        commands = sorted(n for n, t in agents.items() if isinstance(t, dict) and "command" in t)
        values["agents"] = {n: t for n, t in agents.items() if n not in commands}
        if commands:
            notes.append(UNTRUSTED_COMMANDS.format(where=config.source, names=", ".join(commands)))
    return replace(config, values=values), notes


APPLIES_AFTER_MERGE = (
    "review configuration changed in this change; this review used the base commit's, and "
    "the new one applies after merge"
)
UNTRUSTED_COMMANDS = (
    "analysers {names} in {where} (working tree) not run: commands come only from a base "
    "commit's configuration, --config or --trust-head-config"
)
UNTRUSTED_TOOLS = (
    "tools in {where} (working tree) not used: executables come only from a base commit's "
    "configuration, --config, --trust-head-config or BATON_TOOLS__NAME"
)
