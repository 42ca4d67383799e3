"""Every agent a review can run, by name: baton's own and the ones the repository defines.

baton's own: `security`, `quality`, `coverage` (built-in tools, and Claude beside them with a
model credential), the tool-only built-in agents of the registry (`workflows`, `shell`, …)
and `synthesizer` (Claude only). The repository defines more: an analyser with an agent table
that has a `command` (an external tool whose report becomes findings), or a Claude agent with
a table that has a prompt (`[tool.baton.agents.NAME] prompt = "…"` or `prompt_file`) or with
Claude Code's own `.claude/agents/NAME.md`; a table of the same name adjusts such a file's
agent. Results imported from earlier CI steps (`--import`) are agents too, named after the
tool that wrote them.
A defined agent's tools are kept only where baton's read-only set allows; `extra_tools`
widens the set on purpose. `baton agents` shows the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from baton.agent_config import AgentConfig, ReportFormat
from baton.agents import REGISTRY
from baton.agents.analyser.agent import FILES
from baton.agents.analyser.imported import imported_sources
from baton.agents.claude.roles import READ_ONLY_TOOLS, ROLES, Role
from baton.agents.claude.subagents import Subagent, parse_subagent
from baton.agents.claude.synthesizer import ROLE as SYNTHESIZER_ROLE
from baton.errors import UsageError
from baton.repo_config import RepoConfig
from baton.settings import MODEL_LAYER, Settings

BUILTIN_AGENTS = ("security", "quality", "coverage")
"""baton's agents that a Claude agent reviews beside when a model is available."""
SYNTHESIZER = "synthesizer"
ANALYSER_KEYS = ("command", "format", "output", "files", "filter")
"""Agent table keys that only an analyser (a table with `command`) takes."""


class AgentKind(StrEnum):
    """What runs for an agent name."""

    BUILTIN = "builtin"
    """security, quality, coverage: built-in tools, and Claude beside them."""
    TOOL = "tool"
    """A built-in agent with no Claude counterpart (workflows, shell, …)."""
    ANALYSER = "analyser"
    """An external tool the trusted configuration names (`command`)."""
    IMPORTED = "imported"
    """Results an earlier CI step wrote (`--import`)."""
    CLAUDE = "claude"
    """A Claude agent the repository defines, or the synthesizer."""


@dataclass(frozen=True)
class AgentSpec:
    """What one agent is before an engine is chosen for it."""

    name: str
    description: str
    source: str
    role: Role | None
    """The Claude role (prompt, tools and model) of an agent that can run on Claude."""
    dropped_tools: tuple[str, ...] = ()
    """Tools the definition asked for that the read-only set does not allow."""
    enabled: bool = True
    kind: AgentKind = AgentKind.CLAUDE

    @property
    def has_builtin_engine(self) -> bool:
        return self.kind in (AgentKind.BUILTIN, AgentKind.TOOL)


def agent_specs(settings: Settings, config: RepoConfig) -> dict[str, AgentSpec]:
    """baton's agents, imported results, then `.claude/agents/*.md`, then agent tables with
    a command or a prompt."""
    specs: dict[str, AgentSpec] = {}
    for name in BUILTIN_AGENTS:
        specs[name] = _builtin(name, settings.options_for(name))
    for name, agent in REGISTRY.items():
        if name not in BUILTIN_AGENTS:
            _check_no_prompt(name, settings.options_for(name))
            specs[name] = AgentSpec(
                name,
                agent.description,
                "baton",
                None,
                enabled=settings.options_for(name).enabled,
                kind=AgentKind.TOOL,
            )
    for name, source in imported_sources(settings.imports, taken=set(specs)).items():
        specs[name] = AgentSpec(
            name, f"results imported from {source.path}", "--import", None, kind=AgentKind.IMPORTED
        )
    specs[SYNTHESIZER] = AgentSpec(
        SYNTHESIZER,
        SYNTHESIZER_ROLE.description,
        "baton",
        SYNTHESIZER_ROLE,
        enabled=settings.options_for(SYNTHESIZER).enabled,
    )
    files: dict[str, Subagent] = {}
    for path, text in sorted(config.claude_agents.items()):
        parsed = parse_subagent(path, text)
        if parsed.name in specs or parsed.name in files:
            raise UsageError(f"{path}: agent name {parsed.name} is already taken")
        files[parsed.name] = parsed
    for name in sorted(set(files) | set(settings.agents)):
        if name in specs:
            continue
        _check_not_reserved(name)
        table = settings.options_for(name)
        if table.command is not None:
            specs[name] = _analyser(name, table, config, clash=files.get(name))
            continue
        _check_no_analyser_keys(name, table)
        sub = files.get(name)
        prompt = _prompt(name, table, config) or (sub.prompt if sub else None)
        if prompt is None:
            raise UsageError(
                f"agents.{name}: not an agent baton knows; a new agent needs command (an "
                f"analyser), prompt or prompt_file (known: {', '.join(sorted(specs))})"
            )
        requested = table.tools if table.tools is not None else (sub.tools if sub else None)
        tools, dropped = effective_tools(requested, table.extra_tools)
        description = table.description or (sub.description if sub else f"{name} reviewer")
        specs[name] = AgentSpec(
            name=name,
            description=description,
            source=sub.path if sub else f"{config.source or 'config'} agents.{name}",
            role=Role(
                name, description, tools=tools, prompt=prompt, model=sub.model if sub else None
            ),
            dropped_tools=dropped,
            enabled=table.enabled,
        )
    return specs


def _analyser(
    name: str, table: AgentConfig, config: RepoConfig, clash: Subagent | None
) -> AgentSpec:
    if clash is not None:
        raise UsageError(f"agents.{name}: {clash.path} defines a Claude agent of that name")
    if table.prompt is not None or table.prompt_file is not None:
        raise UsageError(f"agents.{name}: an analyser (command) takes no prompt")
    if table.format is None:
        raise UsageError(
            f"agents.{name}: an analyser needs format ({', '.join(f.value for f in ReportFormat)})"
        )
    command = table.command or []
    if FILES in command[:1] or any(FILES in arg and arg != FILES for arg in command):
        raise UsageError(f"agents.{name}: {FILES} must be a whole argument after the program")
    tool = command[0] if command else name
    return AgentSpec(
        name,
        table.description or f"{tool} ({table.format.value} report)",
        f"{config.source or 'config'} agents.{name}",
        None,
        enabled=table.enabled,
        kind=AgentKind.ANALYSER,
    )


def _check_no_analyser_keys(name: str, table: AgentConfig) -> None:
    given = [key for key in ANALYSER_KEYS if key in table.model_fields_set]
    if given:
        verb = "applies" if len(given) == 1 else "apply"
        raise UsageError(
            f"agents.{name}: {', '.join(given)} {verb} only to an analyser (a table with command)"
        )


def _check_no_prompt(name: str, table: AgentConfig) -> None:
    if table.prompt is not None or table.prompt_file is not None:
        raise UsageError(f"agents.{name}: the prompt of a built-in agent cannot be replaced")
    _check_no_analyser_keys(name, table)


def _check_not_reserved(name: str) -> None:
    role = name.removeprefix(MODEL_LAYER)
    if role != name and role in BUILTIN_AGENTS:
        raise UsageError(
            f"agents.{name}: the name {name} is reserved for the Claude agent that reviews "
            f"beside {role}; configure it in [agents.{role}]"
        )


def effective_tools(
    requested: tuple[str, ...] | list[str] | None, extra: list[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(tools offered, tools dropped): the request within the read-only set, plus `extra`."""
    wanted = READ_ONLY_TOOLS if requested is None else tuple(dict.fromkeys(requested))
    kept = tuple(tool for tool in wanted if tool in READ_ONLY_TOOLS)
    dropped = tuple(tool for tool in wanted if tool not in READ_ONLY_TOOLS and tool not in extra)
    return tuple(dict.fromkeys((*kept, *extra))), dropped


def default_phases(specs: dict[str, AgentSpec], settings: Settings, model: bool) -> list[list[str]]:
    """The pipeline when none is configured: baton's three and the agents defined with a
    table at once, then the synthesizer when a model is available."""
    first = [
        *BUILTIN_AGENTS,
        *(n for n, spec in specs.items() if spec.kind in (AgentKind.TOOL, AgentKind.IMPORTED)),
        *(n for n in settings.agents if n in specs and n not in BUILTIN_AGENTS),
    ]
    first = [name for name in dict.fromkeys(first) if name != SYNTHESIZER]
    phases = [first]
    if model:
        phases.append([SYNTHESIZER])
    return phases


def _builtin(name: str, table: AgentConfig) -> AgentSpec:
    role = ROLES[name]
    dropped: tuple[str, ...] = ()
    if table.tools is not None or table.extra_tools:
        tools, dropped = effective_tools(table.tools, table.extra_tools)
        role = Role(role.name, role.description, tools=tools)
    _check_no_prompt(name, table)
    return AgentSpec(
        name, role.description, "baton", role, dropped, table.enabled, AgentKind.BUILTIN
    )


def _prompt(name: str, table: AgentConfig, config: RepoConfig) -> str | None:
    if table.prompt is not None and table.prompt_file is not None:
        raise UsageError(f"agents.{name}: set prompt or prompt_file, not both")
    if table.prompt_file is not None:
        return config.prompts.get(table.prompt_file)
    return table.prompt.strip() if table.prompt is not None and table.prompt.strip() else None
