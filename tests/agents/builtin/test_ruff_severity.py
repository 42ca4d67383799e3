"""ruff's severity map over every rule ruff knows: style never above MEDIUM, HIGH only for
what fails at run time, flake8-bandit weighed as bandit weighs its twin."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from baton.agents.builtin.quality import QualityAgent
from baton.agents.builtin.ruff import CRASH_RULES, family, severity_for
from baton.agents.builtin.security import SecurityAgent
from baton.agents.tools import ToolRunner
from baton.findings.merge import rule_family
from baton.findings.model import Severity
from tests.agents.builtin.agent_harness import new_file, run_agent

STYLE_LINTERS = frozenset(
    {"pycodestyle", "pydocstyle", "pydoclint", "pep8-naming", "isort", "pyupgrade"}
    | {"flake8-quotes", "flake8-commas", "flake8-comprehensions", "flake8-simplify"}
    | {"flake8-return", "flake8-annotations", "flake8-implicit-str-concat", "flake8-pie"}
    | {"flake8-pytest-style", "flake8-pyi", "flake8-todos", "flake8-fixme", "flake8-copyright"}
    | {"flake8-errmsg", "flake8-no-pep420", "flake8-import-conventions", "flake8-type-checking"}
    | {"flake8-tidy-imports", "flake8-use-pathlib", "flake8-boolean-trap", "flake8-raise"}
    | {"flake8-logging-format", "flake8-slots", "flake8-future-annotations", "eradicate"}
    | {"flynt", "refurb", "mccabe"}
)
"""Linters whose every rule is about how code looks, not whether it runs."""
STYLE_CATEGORIES = frozenset({"style", "formatting"})
"""ruff's own category for rules about presentation."""


@pytest.fixture(scope="module")
def every_rule() -> list[dict[str, Any]]:
    ruff = ToolRunner({}).resolve("ruff")
    done = subprocess.run(
        [ruff, "rule", "--all", "--output-format", "json"], capture_output=True, check=True
    )
    rules: list[dict[str, Any]] = json.loads(done.stdout)
    return rules


def _code(rule: dict[str, Any]) -> str:
    return str(rule["code"] or rule["name"])


def _may_be_high(code: str) -> bool:
    """What the map allows above MEDIUM: run-time failures and bandit's twins."""
    crash = code == "invalid-syntax" or code.startswith(("E9", "PLE")) or code in CRASH_RULES
    return crash or (code.startswith("S") and code[1:].isdigit())


def test_no_style_rule_ruff_knows_rates_above_medium(every_rule: list[dict[str, Any]]) -> None:
    assert len(every_rule) > 900  # the walk really covers ruff's rule set
    too_high = [
        f"{_code(rule)} {rule['name']} ({rule['linter']}, {rule['category']}): "
        f"{severity_for(_code(rule))}"
        for rule in every_rule
        if (
            (rule["linter"] in STYLE_LINTERS and not _code(rule).startswith("E9"))
            or rule["category"] in STYLE_CATEGORIES
        )
        and severity_for(_code(rule)).rank > Severity.MEDIUM.rank
    ]
    assert too_high == []


def test_only_run_time_failures_and_bandit_twins_rate_high(
    every_rule: list[dict[str, Any]],
) -> None:
    wrongly_high = [
        f"{_code(rule)} {rule['name']}: {severity_for(_code(rule))}"
        for rule in every_rule
        if severity_for(_code(rule)).at_least(Severity.HIGH) and not _may_be_high(_code(rule))
    ]
    assert wrongly_high == []


def test_style_families_are_info_everywhere(every_rule: list[dict[str, Any]]) -> None:
    """The named style linters are not merely below MEDIUM: they are INFO."""
    not_info = sorted(
        _code(rule)
        for rule in every_rule
        if rule["linter"] in STYLE_LINTERS
        and not _code(rule).startswith("E9")
        and severity_for(_code(rule)) is not Severity.INFO
    )
    assert not_info == []


def test_every_rule_of_a_crash_family_is_high(every_rule: list[dict[str, Any]]) -> None:
    codes = {_code(rule) for rule in every_rule}
    crashes = {c for c in codes if c.startswith(("E9", "PLE", "F70", "F82"))} | CRASH_RULES
    assert crashes <= codes  # every listed crash rule exists in this ruff
    assert {c: severity_for(c) for c in crashes if severity_for(c) is not Severity.HIGH} == {}


SAFE = "`subprocess` call with `shell=True` seems safe, but may be changed in the future"
UNSAFE = "`subprocess` call with `shell=True` identified, security issue"


TARGETED = [
    ("E711", "Comparison to `None` should be `cond is None`", Severity.INFO),
    ("E712", "Avoid equality comparisons to `True`", Severity.INFO),
    ("E501", "Line too long", Severity.INFO),
    ("W291", "Trailing whitespace", Severity.INFO),
    ("D100", "", Severity.INFO),
    ("N802", "", Severity.INFO),
    ("I001", "", Severity.INFO),
    ("UP006", "", Severity.INFO),
    ("C401", "", Severity.INFO),
    ("C901", "", Severity.INFO),
    ("SIM108", "", Severity.INFO),
    ("PLR0913", "", Severity.INFO),
    ("PLC0415", "", Severity.INFO),
    ("invalid-syntax", "", Severity.HIGH),
    ("E902", "", Severity.HIGH),
    ("F821", "", Severity.HIGH),
    ("F822", "", Severity.HIGH),
    ("F823", "", Severity.HIGH),
    ("F701", "", Severity.HIGH),
    ("F706", "", Severity.HIGH),
    ("F707", "", Severity.HIGH),
    ("F524", "", Severity.HIGH),
    ("PLE1142", "", Severity.HIGH),
    ("B006", "", Severity.MEDIUM),
    ("BLE001", "", Severity.MEDIUM),
    ("F632", "", Severity.MEDIUM),
    ("F401", "", Severity.LOW),
    ("F841", "", Severity.LOW),
    ("T201", "", Severity.LOW),
    ("RUF005", "", Severity.LOW),
    ("S602", UNSAFE, Severity.CRITICAL),
    ("S602", SAFE, Severity.LOW),
    ("S605", "Starting a process with a shell, possible injection detected", Severity.CRITICAL),
    ("S701", "", Severity.CRITICAL),
    ("S103", "`os.chmod` setting a permissive mask `0o777` on file", Severity.HIGH),
    ("S103", "`os.chmod` setting a permissive mask `0o750` on file", Severity.MEDIUM),
    ("S324", "", Severity.HIGH),
    ("S501", "", Severity.HIGH),
    ("S301", "", Severity.HIGH),  # unsafe deserialization: raised, as bandit's B301
    ("S506", "", Severity.HIGH),
    ("S608", "", Severity.MEDIUM),
    ("S105", "", Severity.LOW),
    ("S101", "", Severity.LOW),
    ("S113", "", Severity.LOW),
    ("S999", "", Severity.MEDIUM),
]


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    TARGETED,
    ids=[f"{code}-{expected.value.lower()}" for code, _, expected in TARGETED],
)
def test_rule_severity(code: str, message: str, expected: Severity) -> None:
    assert severity_for(code, message) is expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("C401", "C4"),
        ("C901", "C90"),
        ("T201", "T20"),
        ("T100", "T10"),
        ("PLE0101", "PLE"),
        ("SIM108", "SIM"),
        ("S101", "S"),
        ("E711", "E"),
        ("invalid-syntax", "invalid-syntax"),
    ],
)
def test_family(code: str, expected: str) -> None:
    assert family(code) == expected


TWINS = """\
import os
import pickle
import subprocess

import yaml

subprocess.run("ls", shell=True)
subprocess.run(input(), shell=True)
os.system(input())
os.chmod("/srv/data", 0o777)
os.chmod("/srv/data", 0o750)
pickle.loads(input().encode())
yaml.load(input())
eval(input())
password = "hunter2hunter2"
"""


def test_ruff_s_rules_weigh_what_bandit_weighs_on_the_same_lines(tmp_path: Path) -> None:
    """The real bandit and the real ruff (`select = ["S"]`) over one file: every line both
    report grades the same. (`S608` is left out: bandit's confidence depends on whether the
    query reaches `execute`, which ruff does not say.)"""
    code = new_file(tmp_path, "app/twins.py", TWINS)
    bandit = run_agent(SecurityAgent(), tmp_path, [code])
    ruff = run_agent(
        QualityAgent(), tmp_path, [code], tool_configs={"ruff.toml": '[lint]\nselect = ["S"]\n'}
    )
    by_bandit = {(f.line, rule_family(f.rule_id)): f.severity for f in bandit.findings}
    by_ruff = {(f.line, rule_family(f.rule_id)): f.severity for f in ruff.findings}
    shared = sorted(set(by_bandit) & set(by_ruff))
    assert len(shared) >= 8
    assert {k: (by_bandit[k], by_ruff[k]) for k in shared if by_bandit[k] != by_ruff[k]} == {}
    assert by_ruff[(8, "B602")] is Severity.CRITICAL
    assert by_ruff[(7, "B602")] is Severity.LOW


def test_style_findings_from_a_repository_config_stay_info(tmp_path: Path) -> None:
    code = new_file(tmp_path, "app/cmp.py", "def f(x):\n    return x == None or x == True\n")
    output = run_agent(
        QualityAgent(),
        tmp_path,
        [code],
        tool_configs={"ruff.toml": '[lint]\nselect = ["E7", "F"]\n'},
    )
    found = {f.rule_id: f.severity for f in output.findings}
    assert found == {"E711": Severity.INFO, "E712": Severity.INFO}
