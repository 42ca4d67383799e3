"""Which agent reviews under each selected name: a Claude Code agent or a built-in one.

`engine = auto` (the default) picks Claude when a model credential is configured and
claude-agent-sdk is installed, the built-in agent otherwise; `claude` and `builtin` force
one. The choice is said in the log, and every agent's engine is shown in the comment.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping

from baton.agents import REGISTRY
from baton.agents.base import Agent
from baton.agents.claude.agent import ClaudeAgent
from baton.agents.claude.environment import model_credential
from baton.agents.claude.roles import ROLES
from baton.errors import UsageError
from baton.settings import Engine, Settings

INSTALL_HINT = "pip install 'baton-review[claude]'"


def sdk_installed() -> bool:
    return importlib.util.find_spec("claude_agent_sdk") is not None


def choose_agents(
    settings: Settings, environ: Mapping[str, str], say: Callable[[str], None]
) -> list[Agent]:
    credential = model_credential(environ)
    installed = sdk_installed()
    chosen: list[Agent] = []
    notes: set[str] = set()
    for name in settings.agents:
        engine = settings.engine_for(name)
        if engine is Engine.AUTO:
            if credential is not None and installed and name in ROLES:
                engine = Engine.CLAUDE
                notes.add(f"engine auto: claude ({credential} is set)")
            else:
                engine = Engine.BUILTIN
                why = "no model credential" if credential is None else f"no {INSTALL_HINT}"
                notes.add(f"engine auto: builtin ({why})")
        if engine is Engine.CLAUDE:
            _check_claude_usable(name, credential, installed)
            chosen.append(ClaudeAgent(ROLES[name]))
        else:
            chosen.append(REGISTRY[name])
    for note in sorted(notes):
        say(note)
    return chosen


def _check_claude_usable(name: str, credential: str | None, installed: bool) -> None:
    if name not in ROLES:
        raise UsageError(f"agent {name} has no Claude engine; use engine = builtin")
    if not installed:
        raise UsageError(f"agent {name} uses engine claude, which needs: {INSTALL_HINT}")
    if credential is None:
        raise UsageError(
            f"agent {name} uses engine claude but no model credential is set "
            "(ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, CLAUDE_CODE_USE_BEDROCK, "
            "CLAUDE_CODE_USE_VERTEX or ANTHROPIC_BASE_URL)"
        )
