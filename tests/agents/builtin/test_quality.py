"""The quality agent with the real ruff: bug rules by default, the repository's config wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.agents.builtin.quality import QualityAgent
from baton.findings.model import Severity
from baton.settings import Settings
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


@pytest.mark.parametrize("name", ["ruff.toml", ".ruff.toml", "pyproject.toml"])
def test_trusted_repository_config_wins(tmp_path: Path, name: str) -> None:
    table = (
        '[tool.ruff.lint]\nselect = ["W291"]\n'
        if name == "pyproject.toml"
        else ('[lint]\nselect = ["W291"]\n')
    )
    file = new_file(tmp_path, "pkg/mod.py", CODE)
    output = run_agent(QualityAgent(), tmp_path, [file], tool_configs={name: table})
    assert {(f.rule_id, f.line, f.severity) for f in output.findings} == {
        ("W291", 9, Severity.INFO)
    }
    assert "repository ruff config" in (output.summary or "")


@pytest.mark.parametrize("where", ["ruff.toml", "pkg/ruff.toml", "pkg/.ruff.toml"])
def test_config_files_beside_the_reviewed_files_are_not_obeyed(tmp_path: Path, where: str) -> None:
    silencer = new_file(tmp_path, where, "[lint]\nselect = []\n")
    file = new_file(tmp_path, "pkg/mod.py", CODE)
    output = run_agent(QualityAgent(), tmp_path, [silencer, file])
    assert ("F821", 5) in {(f.rule_id, f.line) for f in output.findings}
    assert "baton's rule set" in (output.summary or "")


def test_noqa_is_ignored_unless_the_configuration_honours_it(tmp_path: Path) -> None:
    file = new_file(tmp_path, "mod.py", "# ruff: noqa\nprint(undefined)  # noqa: F821\n")
    output = run_agent(QualityAgent(), tmp_path, [file])
    assert [(f.rule_id, f.line) for f in output.findings] == [("F821", 2)]
    honored = run_agent(
        QualityAgent(), tmp_path, [file], settings=Settings(honor_tool_suppressions=True)
    )
    assert honored.findings == []


def test_syntax_error_is_a_high_finding(tmp_path: Path) -> None:
    file = new_file(tmp_path, "bad.py", "def f(:\n    pass\n")
    output = run_agent(QualityAgent(), tmp_path, [file])
    assert output.findings
    assert {f.rule_id for f in output.findings} == {"invalid-syntax"}
    assert {f.severity for f in output.findings} == {Severity.HIGH}


def test_only_python_is_accepted(tmp_path: Path) -> None:
    readme = new_file(tmp_path, "README.md", "hi\n")
    assert QualityAgent().accepts(readme) == "not Python"


@pytest.mark.parametrize(
    "name", ["-x.py", "--select=E501.py", "@args.py", " lead.py", "new\nline.py", "--.py"]
)
def test_ruff_reads_a_hostile_name_as_a_file(tmp_path: Path, name: str) -> None:
    file = new_file(tmp_path, name, "print(undefined_name)\n")
    output = run_agent(QualityAgent(), tmp_path, [file])
    assert [(f.path, f.rule_id) for f in output.findings] == [(name, "F821")]
