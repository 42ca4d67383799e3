"""The pipeline a configuration makes: the built-in agents always, Claude agents beside them."""

from __future__ import annotations

from typing import Any

import pytest

from baton.agents.catalog import plan_phases
from baton.agents.specs import agent_specs
from baton.errors import UsageError
from baton.repo_config import RepoConfig
from baton.settings import load_settings

KEY = {"ANTHROPIC_API_KEY": "sk-test"}


def plan(environ: dict[str, str], **values: Any) -> tuple[list[list[tuple[str, str]]], list[str]]:
    """(agent name and engine per phase, log lines) for settings made of `values`."""
    settings = load_settings({}, values)
    said: list[str] = []
    phases = plan_phases(settings, agent_specs(settings, RepoConfig()), environ, said.append)
    return [[(agent.name, agent.engine) for agent in phase] for phase in phases], said


ONE_KIND_EACH = [
    ("workflows", "builtin"),
    ("shell", "builtin"),
    ("dockerfile", "builtin"),
    ("dependencies", "builtin"),
]
FLOOR = [("security", "builtin"), ("quality", "builtin"), ("coverage", "builtin"), *ONE_KIND_EACH]


def test_without_a_model_only_the_built_in_agents_run() -> None:
    phases, said = plan({})
    assert phases == [FLOOR]
    assert said == ["engine auto: built-in agents only (no model credential)"]


def test_a_model_reviews_beside_each_built_in_agent_never_instead() -> None:
    phases, said = plan(KEY)
    assert phases == [
        [
            ("security", "builtin"),
            ("claude-security", "claude"),
            ("quality", "builtin"),
            ("claude-quality", "claude"),
            ("coverage", "builtin"),
            ("claude-coverage", "claude"),
            *ONE_KIND_EACH,
        ],
        [("synthesizer", "claude")],
    ]
    assert said == ["engine auto: claude beside the built-in agents (ANTHROPIC_API_KEY is set)"]


@pytest.mark.parametrize("engine", ["claude", "auto"])
def test_forcing_claude_still_keeps_the_floor(engine: str) -> None:
    phases, _ = plan(KEY, agents={"security": {"engine": engine}}, only=["security"])
    assert phases == [[("security", "builtin"), ("claude-security", "claude")]]


def test_engine_builtin_leaves_that_model_out() -> None:
    phases, _ = plan(KEY, agents={"quality": {"engine": "builtin"}}, engine="auto")
    assert ("claude-quality", "claude") not in phases[0]
    assert ("quality", "builtin") in phases[0] and ("claude-security", "claude") in phases[0]


def test_engine_builtin_everywhere_is_the_floor_alone() -> None:
    phases, _ = plan(KEY, engine="builtin")
    assert phases == [FLOOR]


def test_claude_without_a_credential_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="agent security uses engine claude but no model"):
        plan({}, engine="claude")


@pytest.mark.parametrize(
    "values",
    [{"only": []}, {"only": " , "}, {"phases": []}, {"phases": [[], []]}, {"phases": ";;"}],
)
def test_a_pipeline_without_agents_is_a_usage_error(values: dict[str, Any]) -> None:
    with pytest.raises(UsageError, match="no agent to run"):
        plan({}, **values)


def test_the_model_agent_shares_its_roles_table() -> None:
    settings = load_settings({}, {"agents": {"security": {"model": "m1", "retries": 0}}})
    assert settings.model_for("claude-security") == "m1"
    assert settings.retries_for("claude-security") == 0
    assert settings.options_for("claude-license") == settings.options_for("nothing")
