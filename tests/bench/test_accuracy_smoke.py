"""The accuracy benchmark still runs end to end, and its corpus stays well-formed."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from bench.accuracy.benign import load_commits
from bench.accuracy.cli import main
from bench.accuracy.corpus import SEVERITIES, load_cases

CASES = ("aws-keys-python-settings", "yaml-load-full-loader-class", "issue-title-echo")
CASE_FIELDS = {"id", "category", "group", "min_severity", "found", "at_severity", "on_line"}


def test_a_few_cases_run_and_a_committed_aws_key_is_critical(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "accuracy.json"
    args = [arg for case in CASES for arg in ("--case", case)]

    code = main([*args, "--json", str(out), "--quiet"])

    table = capsys.readouterr().out
    assert code == 0
    assert "| group | category | cases | found | recall |" in table
    document = json.loads(out.read_text())
    assert set(document) == {"meta", "categories", "cases", "benign", "benign_summary"}
    assert document["benign"] == []
    results = {case["id"]: case for case in document["cases"]}
    assert set(results) == set(CASES)
    assert all(set(case) >= CASE_FIELDS for case in results.values())
    aws = results["aws-keys-python-settings"]
    assert aws["found"] and aws["at_severity"] and aws["on_line"], aws
    assert any(f.startswith("secret-aws-access-key CRITICAL") for f in aws["on_file"]), aws
    rows = {row["category"]: row for row in document["categories"]}
    assert rows["provider-credential"]["recall_at_severity"] == 1.0


def test_every_category_has_enough_distinct_cases_with_a_source() -> None:
    cases = load_cases()
    per_category = Counter(case.category for case in cases)
    assert len(per_category) >= 15
    assert min(per_category.values()) >= 8, per_category
    for case in cases:
        assert case.min_severity in SEVERITIES
        assert case.source.startswith("https://") and case.licence, case.id
        assert case.lines or case.whole_file, case.id


def test_benign_commits_name_full_commits() -> None:
    commits = load_commits()
    assert len(commits) >= 20
    assert len({c.repository for c in commits}) >= 6
    for commit in commits:
        assert re.fullmatch(r"[0-9a-f]{40}", commit.commit), commit.id
        assert re.fullmatch(r"[0-9a-f]{40}", commit.parent), commit.id
        assert 0 < len(commit.paths) <= 15, commit.id
