"""GitLab Code Quality: the documented fields, the severity map and unique, stable fingerprints."""

from __future__ import annotations

import json
import random

from baton.findings.model import Severity
from baton.render.codequality import render_codequality
from tests.render.reviews import SCENARIOS, agent, finding, review


def test_each_finding_becomes_one_issue_with_the_gitlab_fields() -> None:
    issues = render_codequality(SCENARIOS["fail"]())
    assert len(issues) == 6
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert isinstance(issue["location"]["path"], str)
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["location"]["lines"]["begin"] >= 1
    first = issues[0]
    assert first == {
        "type": "issue",
        "description": "AWS access key committed",
        "check_name": "security/aws-access-key",
        "fingerprint": first["fingerprint"],
        "severity": "blocker",
        "location": {"path": "config/settings.py", "lines": {"begin": 4}},
    }
    json.dumps(issues)


def test_ranges_and_whole_file_findings() -> None:
    issues = {i["check_name"]: i for i in render_codequality(SCENARIOS["fail"]())}
    assert issues["security/B602"]["location"]["lines"] == {"begin": 12, "end": 14}
    assert issues["quality/I001"]["location"]["lines"] == {"begin": 1}


def test_severity_map() -> None:
    found = [
        finding(sev, line=i + 1, rule_id=sev.value) for i, sev in enumerate(Severity.ordered())
    ]
    issues = render_codequality(review(found, [agent("quality", found)]))
    assert {i["check_name"]: i["severity"] for i in issues} == {
        "quality/CRITICAL": "blocker",
        "quality/HIGH": "critical",
        "quality/MEDIUM": "major",
        "quality/LOW": "minor",
        "quality/INFO": "info",
    }


def test_fingerprints_are_unique_even_for_identical_findings() -> None:
    same = [finding(fingerprint="dup") for _ in range(3)]
    missing = [finding(fingerprint="", line=i + 1) for i in range(3)]
    other_agent = [finding(fingerprint="dup", agent="security")]
    found = [*same, *missing, *other_agent]
    issues = render_codequality(review(found, [agent("quality", found)]))
    prints = [i["fingerprint"] for i in issues]
    assert len(prints) == 7
    assert len(set(prints)) == 7


def test_fingerprints_are_stable_across_runs_and_input_order() -> None:
    original = SCENARIOS["fail"]()
    expected = render_codequality(original)
    findings = list(original.findings)
    random.Random(11).shuffle(findings)
    again = render_codequality(original.model_copy(update={"findings": tuple(findings)}))
    assert again == expected
    moved = [f.model_copy(update={"line": (f.line or 0) + 5}) for f in original.findings]
    shifted = render_codequality(original.model_copy(update={"findings": tuple(moved)}))
    assert {i["fingerprint"] for i in shifted} == {i["fingerprint"] for i in expected}


def test_suppressed_findings_are_not_reported() -> None:
    issues = render_codequality(SCENARIOS["fail"]())
    assert all(i["check_name"] != "security/B101" for i in issues)
