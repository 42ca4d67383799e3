"""The quality agent with the real ruff: bug rules by default, the repository's config wins."""

from __future__ import annotations

from pathlib import Path

from baton.agents.builtin.quality import QualityAgent
from baton.findings.model import Severity
from tests.agents.builtin.agent_harness import new_file, run_agent

CODE = (
    "import os\n\n\n"
    "def f(items=[]):\n"
    "    return undefined_name + len(items)\n\n\n"
    "def g(x):\n"
    "    return x    \n"
)


def test_default_rules_find_bugs_not_style(tmp_path: Path) -> None:
    file = new_file(tmp_path, "pkg/mod.py", CODE)
    output = run_agent(QualityAgent(), tmp_path, [file])
    found = {(f.rule_id, f.line): f.severity for f in output.findings}
    assert found == {
        ("F401", 1): Severity.LOW,
        ("B006", 4): Severity.MEDIUM,
        ("F821", 5): Severity.HIGH,
    }
    assert "baton's rule set" in (output.summary or "")
    assert all(f.rule_url and f.rule_url.startswith("https://") for f in output.findings)


def test_repository_config_wins(tmp_path: Path) -> None:
    (tmp_path / "ruff.toml").write_text('[lint]\nselect = ["W291"]\n')
    file = new_file(tmp_path, "pkg/mod.py", CODE)
    output = run_agent(QualityAgent(), tmp_path, [file])
    assert {(f.rule_id, f.line, f.severity) for f in output.findings} == {
        ("W291", 9, Severity.INFO)
    }
    assert "repository ruff config" in (output.summary or "")


def test_syntax_error_is_a_high_finding(tmp_path: Path) -> None:
    file = new_file(tmp_path, "bad.py", "def f(:\n    pass\n")
    output = run_agent(QualityAgent(), tmp_path, [file])
    assert output.findings
    assert {f.rule_id for f in output.findings} == {"invalid-syntax"}
    assert {f.severity for f in output.findings} == {Severity.HIGH}


def test_only_python_is_accepted(tmp_path: Path) -> None:
    readme = new_file(tmp_path, "README.md", "hi\n")
    assert QualityAgent().accepts(readme) == "not Python"
