"""From configuration to the pipeline: which agent runs in which phase, on which engine.

`phases` (default: baton's three agents and the repository's defined agents at once, then
the synthesizer when a model is available) lists names per phase; `only` (`--agents`)
narrows it. A pipeline with no agent at all is a usage error.

The built-in agents are the floor: `security`, `quality` and `coverage` always run their
deterministic tools. The engine only decides whether a Claude agent reviews beside each of
them (`claude-security`, …, in the same phase): `auto` (the default) adds it when a model
credential is set and claude-agent-sdk is installed, `claude` requires it, `builtin` leaves
it out. A model's findings add to the tools' findings; they never replace them. An agent
that needs a model when none is available is skipped with that reason; the choice is said
in the log, and every agent's engine is shown in the comment.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping

from baton.agent_config import Engine
from baton.agents import REGISTRY
from baton.agents.analyser.agent import AnalyserAgent
from baton.agents.analyser.imported import ImportedAgent, imported_sources
from baton.agents.base import Agent, AgentContext, AgentOutput
from baton.agents.claude.agent import ClaudeAgent
from baton.agents.claude.environment import model_credential
from baton.agents.claude.synthesizer import SynthesizerAgent
from baton.agents.specs import SYNTHESIZER, AgentKind, AgentSpec, default_phases
from baton.change.model import ChangedFile
from baton.errors import AgentSkipped, UsageError
from baton.settings import MODEL_LAYER, Settings

INSTALL_HINT = "pip install 'baton-review[claude]', or the image without -builtin"
NO_MODEL = "needs a model credential (ANTHROPIC_API_KEY or another; see README)"


def sdk_installed() -> bool:
    return importlib.util.find_spec("claude_agent_sdk") is not None


class Unavailable:
    """An agent that cannot run here (it needs a model): shown as skipped with the reason."""

    engine = "claude"
    keeps_outside_findings = False
    fails_open = False
    scans_skipped_files = False

    def __init__(self, spec: AgentSpec, reason: str) -> None:
        self.name = spec.name
        self.description = spec.description
        self.reason = reason

    def accepts(self, file: ChangedFile) -> str | None:
        return None

    async def run(self, ctx: AgentContext) -> AgentOutput:
        raise AgentSkipped(self.reason)


def plan_phases(
    settings: Settings,
    specs: Mapping[str, AgentSpec],
    environ: Mapping[str, str],
    say: Callable[[str], None],
) -> list[list[Agent]]:
    """The agents of each phase, in order; empty phases are left out."""
    credential = model_credential(environ)
    installed = sdk_installed()
    model_ready = credential is not None and installed and settings.engine is not Engine.BUILTIN
    names = phase_names(settings, specs, model_ready)
    notes: set[str] = set()
    phases: list[list[Agent]] = []
    for phase in names:
        agents = [
            agent
            for name in phase
            for agent in _agents(specs[name], settings, credential, installed, notes)
        ]
        phases.append(agents)
    for note in sorted(notes):
        say(note)
    return phases


def phase_names(
    settings: Settings, specs: Mapping[str, AgentSpec], model_ready: bool
) -> list[list[str]]:
    """`phases` (or the default) checked, narrowed by `only`, without disabled agents."""
    configured = settings.phases
    phases = (
        configured if configured is not None else default_phases(dict(specs), settings, model_ready)
    )
    seen: set[str] = set()
    for phase in phases:
        for name in phase:
            if name not in specs:
                raise UsageError(
                    f"unknown agent {name} in phases; known: {', '.join(sorted(specs))}"
                )
            if name in seen:
                raise UsageError(f"agent {name} appears twice in phases")
            seen.add(name)
    if settings.only is not None:
        unknown = [name for name in settings.only if name not in specs]
        if unknown:
            raise UsageError(
                f"unknown agent {', '.join(unknown)}; known: {', '.join(sorted(specs))}"
            )
        wanted = set(settings.only)
        phases = [[name for name in phase if name in wanted] for phase in phases]
        missing = [name for name in settings.only if name not in seen]
        phases = [phases[0] + missing, *phases[1:]] if phases else [missing]
    imported = [n for n, spec in specs.items() if spec.kind is AgentKind.IMPORTED]
    unnamed = [name for name in imported if not any(name in phase for phase in phases)]
    if unnamed:  # imports are the run's, not the pipeline's: they always run, in phase 1
        phases = [[*phases[0], *unnamed], *phases[1:]] if phases else [unnamed]
    enabled = [[name for name in phase if specs[name].enabled] for phase in phases]
    chosen = [phase for phase in enabled if phase]
    if not chosen:
        raise UsageError(
            "no agent to run: phases, --agents and enabled leave none "
            f"(known: {', '.join(sorted(specs))})"
        )
    return chosen


def _agents(
    spec: AgentSpec,
    settings: Settings,
    credential: str | None,
    installed: bool,
    notes: set[str],
) -> list[Agent]:
    """The agents one name stands for: a built-in agent and, on Claude, its model reviewer."""
    if spec.kind is AgentKind.ANALYSER:
        return [AnalyserAgent(spec.name, settings.options_for(spec.name), spec.description)]
    if spec.kind is AgentKind.IMPORTED:
        return [ImportedAgent(spec.name, imported_sources(settings.imports, set())[spec.name])]
    engine = settings.engine_for(spec.name)
    if spec.kind is AgentKind.TOOL:
        if engine is Engine.CLAUDE:
            raise UsageError(f"agent {spec.name} has no Claude engine; use engine = builtin")
        return [REGISTRY[spec.name]]
    floor: list[Agent] = [REGISTRY[spec.name]] if spec.has_builtin_engine else []
    if engine is Engine.AUTO:
        if credential is not None and installed:
            engine = Engine.CLAUDE
            notes.add(f"engine auto: claude beside the built-in agents ({credential} is set)")
        elif floor:
            why = "no model credential" if credential is None else f"no Claude CLI: {INSTALL_HINT}"
            notes.add(f"engine auto: built-in agents only ({why})")
            return floor
        else:
            why = NO_MODEL if credential is None else f"needs {INSTALL_HINT}"
            return [Unavailable(spec, why)]
    if engine is Engine.BUILTIN:
        if not floor:
            raise UsageError(f"agent {spec.name} has no built-in engine; use engine = claude")
        return floor
    _check_claude_usable(spec.name, credential, installed)
    if spec.name == SYNTHESIZER:
        return [SynthesizerAgent()]
    assert spec.role is not None  # every other kind has a Claude role
    if floor:
        return [*floor, ClaudeAgent(spec.role, name=f"{MODEL_LAYER}{spec.name}")]
    return [ClaudeAgent(spec.role)]


def _check_claude_usable(name: str, credential: str | None, installed: bool) -> None:
    if not installed:
        raise UsageError(f"agent {name} uses engine claude, which needs: {INSTALL_HINT}")
    if credential is None:
        raise UsageError(
            f"agent {name} uses engine claude but no model credential is set "
            "(ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, CLAUDE_CODE_USE_BEDROCK, "
            "CLAUDE_CODE_USE_VERTEX or ANTHROPIC_BASE_URL)"
        )
