"""Settings: one model fed by flags, BATON_* variables and the repository's config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.errors import UsageError
from baton.settings import FailOn, load_settings, read_config_file


def reader(files: dict[str, str]):
    return files.get


def test_defaults() -> None:
    settings = load_settings({}, {})
    assert settings.fail_on is FailOn.CRITICAL
    assert settings.agents == ["security", "quality", "coverage"]
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
    monkeypatch.setenv("BATON_AGENTS", "security, quality")
    monkeypatch.setenv("BATON_AGENT__SECURITY__TIMEOUT", "7")
    monkeypatch.setenv("BATON_EXCLUDE", "docs/**,*.md")
    settings = load_settings({}, {})
    assert settings.agents == ["security", "quality"]
    assert settings.timeout_for("security") == 7
    assert settings.timeout_for("quality") == 300
    assert settings.exclude == ["docs/**", "*.md"]


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"fail_on": "hihg"}, "fail_on: Input should be 'critical'"),
        ({"min_diff_coverage": 120}, "min_diff_coverage: Input should be less than or equal"),
        ({"agents": ["security", "vibes"]}, "unknown agent vibes"),
        ({"agent": {"security": {"timeot": 3}}}, "agent.security.timeot: Extra inputs"),
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


def test_config_from_dedicated_file_or_pyproject() -> None:
    assert read_config_file(reader({".baton.toml": 'fail_on = "high"'})) == (
        {"fail_on": "high"},
        ".baton.toml",
    )
    pyproject = '[project]\nname = "x"\n[tool.baton]\nfail_on = "low"\n'
    assert read_config_file(reader({"pyproject.toml": pyproject})) == (
        {"fail_on": "low"},
        "pyproject.toml [tool.baton]",
    )
    assert read_config_file(reader({"pyproject.toml": "[project]\n"})) == ({}, "")


def test_both_config_files_is_an_error() -> None:
    files = {".baton.toml": 'fail_on = "high"', "pyproject.toml": "[tool.baton]\n"}
    with pytest.raises(UsageError, match="keep one"):
        read_config_file(reader(files))


def test_invalid_toml_names_the_file() -> None:
    with pytest.raises(UsageError, match=r"\.baton\.toml: invalid TOML"):
        read_config_file(reader({".baton.toml": "fail_on = "}))


def test_explicit_config_path(tmp_path: Path) -> None:
    config = tmp_path / "review.toml"
    config.write_text('fail_on = "never"\n')
    assert read_config_file(reader({}), config) == ({"fail_on": "never"}, str(config))
    with pytest.raises(UsageError, match="cannot read config file"):
        read_config_file(reader({}), tmp_path / "missing.toml")
