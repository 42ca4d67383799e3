"""End to end: reports, coverage gate, exclusions and suppressions through the real command."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.fakes.baton_cli import run_baton
from tests.fakes.repos import GitRepo

ROOT = Path(__file__).resolve().parents[1]
AWS_KEY = "AKIAZ3MHQX7TQ2VJ5K4P"


@pytest.fixture
def feature_repo(repo: GitRepo) -> GitRepo:
    repo.write("pkg/__init__.py", "")
    repo.commit("base")
    repo.branch("feature")
    return repo


def test_all_reports_are_written_and_valid(feature_repo: GitRepo, tmp_path: Path) -> None:
    feature_repo.write("pkg/keys.py", f'import os\nKEY = "{AWS_KEY}"\n')
    feature_repo.commit("key")
    out = tmp_path / "out"

    done = run_baton(
        "review",
        "--base",
        "main",
        "--json",
        str(out / "r.json"),
        "--sarif",
        str(out / "r.sarif"),
        "--codequality",
        str(out / "cq.json"),
        "--markdown",
        str(out / "comment.md"),
        cwd=feature_repo.path,
    )

    assert done.code == 1
    report = json.loads((out / "r.json").read_text())
    schema = json.loads((ROOT / "schema" / "report.schema.json").read_text())
    jsonschema.validate(report, schema)
    sarif = json.loads((out / "r.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    rule_ids = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert {"security/secret-aws-access-key", "quality/F401"} <= rule_ids
    quality = json.loads((out / "cq.json").read_text())
    assert {(e["location"]["path"], e["severity"]) for e in quality} >= {("pkg/keys.py", "blocker")}
    assert (out / "comment.md").read_text() == done.stdout


def test_diff_coverage_below_minimum_fails_the_gate(feature_repo: GitRepo) -> None:
    feature_repo.write(
        "pkg/calc.py",
        "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n",
    )
    feature_repo.commit("calc")
    feature_repo.write(
        "coverage.xml",
        '<?xml version="1.0" ?>\n<coverage version="7"><sources><source>.</source></sources>'
        '<packages><package name="pkg"><classes><class name="calc.py" filename="pkg/calc.py">'
        '<lines><line number="1" hits="1"/><line number="2" hits="1"/>'
        '<line number="5" hits="1"/><line number="6" hits="0"/></lines>'
        "</class></classes></package></packages></coverage>\n",
    )

    done = run_baton("review", "--base", "main", "--json", "r.json", cwd=feature_repo.path)

    assert done.code == 1, done.stderr
    report = json.loads((feature_repo.path / "r.json").read_text())
    assert report["gate"]["reasons"] == ["coverage: diff coverage 75.0% is below the 80% minimum"]
    assert [(f["path"], f["line"]) for f in report["findings"]] == [("pkg/calc.py", 6)]
    passing = run_baton(
        "review", "--base", "main", "--min-diff-coverage", "75", cwd=feature_repo.path
    )
    assert passing.code == 0


def test_excluded_and_generated_files_are_listed_not_reviewed(feature_repo: GitRepo) -> None:
    feature_repo.write("docs/keys.md", f"key: {AWS_KEY}\n")
    feature_repo.write("poetry.lock", f"# {AWS_KEY}\n")
    feature_repo.commit("docs")

    done = run_baton(
        "review",
        "--base",
        "main",
        "--exclude",
        "docs/**",
        "--json",
        "r.json",
        cwd=feature_repo.path,
    )

    assert done.code == 0, done.stdout
    report = json.loads((feature_repo.path / "r.json").read_text())
    reasons = {s["path"]: s["reason"] for s in report["skipped"]}
    assert reasons["docs/keys.md"].startswith("excluded")
    assert reasons["poetry.lock"] == "generated"
    assert "docs/keys.md" in done.stdout


def test_inline_suppression_clears_the_gate_and_is_reported(feature_repo: GitRepo) -> None:
    feature_repo.write(
        "pkg/keys.py", f'KEY = "{AWS_KEY}"  # baton: ignore[secret-aws-access-key] AWS docs key\n'
    )
    feature_repo.commit("key, acknowledged")

    done = run_baton("review", "--base", "main", "--json", "r.json", cwd=feature_repo.path)

    assert done.code == 0, done.stdout
    report = json.loads((feature_repo.path / "r.json").read_text())
    assert [(f["rule_id"], f["severity"], f["line"]) for f in report["findings"]] == [
        ("baton-suppression-added", "INFO", 1)
    ]
    assert [(s["reason"], s["justification"]) for s in report["suppressed"]] == [
        ("baton: ignore[secret-aws-access-key]", "AWS docs key")
    ]


def test_uncommitted_edits_are_warned_about(feature_repo: GitRepo) -> None:
    feature_repo.write("pkg/calc.py", "X = 1\n")
    feature_repo.commit("calc")
    feature_repo.write("pkg/calc.py", "X = 2\n")

    done = run_baton("review", "--base", "main", cwd=feature_repo.path)

    assert "uncommitted edits" in done.stderr
    assert "pkg/calc.py" in done.stderr
