"""Settings: one model fed by flags, BATON_* variables and the repository's config file."""

from __future__ import annotations

import pytest

from baton.errors import UsageError
from baton.findings.model import Severity
from baton.settings import FailOn, load_settings


def test_defaults() -> None:
    settings = load_settings({}, {})
    assert settings.fail_on is FailOn.CRITICAL
    assert settings.only is None
    assert settings.phases is None
    assert settings.stop_on is FailOn.CRITICAL
    assert settings.retries == 2
    assert settings.min_diff_coverage == 80.0


def test_precedence_cli_then_env_then_file(monkeypatch: pytest.MonkeyPatch) -> None:
    file_values = {"fail_on": "low", "timeout": 10, "min_diff_coverage": 50}
    monkeypatch.setenv("BATON_FAIL_ON", "medium")
    monkeypatch.setenv("BATON_TIMEOUT", "20")
    settings = load_settings({"fail_on": "high", "timeout": None}, file_values)
    assert settings.fail_on is FailOn.HIGH
    assert settings.timeout == 20
    assert settings.min_diff_coverage == 50


def test_comma_lists_and_nested_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATON_AGENTS__SECURITY__TIMEOUT", "7")
    monkeypatch.setenv("BATON_EXCLUDE", "docs/**,*.md")
    monkeypatch.setenv("BATON_PHASES", "security, quality; synthesizer")
    settings = load_settings({}, {})
    assert settings.timeout_for("security") == 7
    assert settings.timeout_for("quality") == 300
    assert settings.exclude == ["docs/**", "*.md"]
    assert settings.phases == [["security", "quality"], ["synthesizer"]]


def test_agent_names_select_without_replacing_the_files_agent_tables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BATON_AGENTS", "security, license")
    file_values = {"agents": {"license": {"prompt": "Check licenses.", "retries": 0}}}
    settings = load_settings({}, file_values)
    assert settings.only == ["security", "license"]
    assert settings.retries_for("license") == 0
    assert settings.options_for("license").prompt == "Check licenses."


def test_phases_in_toml_take_names_or_lists() -> None:
    settings = load_settings({}, {"phases": [["security", "quality"], "review", ["a", "b"]]})
    assert settings.phases == [["security", "quality"], ["review"], ["a", "b"]]


def test_severity_overrides_global_and_per_agent() -> None:
    values = {"severity": {"B101": "info"}, "agents": {"security": {"severity": {"B101": "low"}}}}
    settings = load_settings({}, values)
    assert settings.severity_for("security", "B101") is Severity.LOW
    assert settings.severity_for("quality", "B101") is Severity.INFO
    assert settings.severity_for("quality", "F401") is None


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"fail_on": "hihg"}, "fail_on: Input should be 'critical'"),
        ({"min_diff_coverage": 120}, "min_diff_coverage: Input should be less than or equal"),
        ({"agents": {"security": {"timeot": 3}}}, "agents.security.timeot: Extra inputs"),
        ({"agent": {"security": {}}}, "unknown key agent (agent tables are [agents.NAME])"),
        ({"base": "main"}, "base can only be set by a flag or the environment"),
        ({"trust_head_config": True}, "trust_head_config can only be set by a flag"),
        ({"agents": {"security": {"severity": {"B101": "meh"}}}}, "agents.security.severity.B101"),
        ({"retries": -1}, "retries: Input should be greater than or equal to 0"),
        ({"colour": "red"}, "unknown key colour"),
    ],
)
def test_bad_values_are_one_line_usage_errors(values: dict[str, object], needle: str) -> None:
    with pytest.raises(UsageError) as caught:
        load_settings({}, values, ".baton.toml")
    assert needle in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_env_setting_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATON_FAILON", "high")
    with pytest.raises(UsageError, match="BATON_FAILON"):
        load_settings({}, {})
