"""SARIF 2.1.0 results as findings: rules, severities, messages, tags and fixes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from baton.findings.model import Confidence, Severity
from tests.agents.analyser.formats.sarif_logs import only, read, result, sarif


@pytest.mark.parametrize(
    ("fields", "rules", "expected"),
    [
        ({"level": "error"}, None, Severity.HIGH),
        ({"level": "warning"}, None, Severity.MEDIUM),
        ({"level": "note"}, None, Severity.LOW),
        ({"level": "none"}, None, Severity.INFO),
        ({}, None, Severity.MEDIUM),
        ({}, [{"id": "R1", "defaultConfiguration": {"level": "error"}}], Severity.HIGH),
        (
            {"level": "note"},
            [{"id": "R1", "defaultConfiguration": {"level": "error"}}],
            Severity.LOW,
        ),
        (
            {"level": "note"},
            [{"id": "R1", "properties": {"security-severity": "9.8"}}],
            Severity.CRITICAL,
        ),
        ({"properties": {"security-severity": 9.0}}, None, Severity.CRITICAL),
        ({"properties": {"security-severity": 7.5}}, None, Severity.HIGH),
        ({"properties": {"security-severity": "4.0"}}, None, Severity.MEDIUM),
        ({"properties": {"security-severity": "0.1"}}, None, Severity.LOW),
        ({"level": "error", "properties": {"security-severity": "0"}}, None, Severity.HIGH),
        ({"level": "note", "properties": {"security-severity": "high"}}, None, Severity.LOW),
        ({"level": "note", "properties": {"security-severity": "NaN"}}, None, Severity.LOW),
        ({"level": "note", "properties": {"security-severity": True}}, None, Severity.LOW),
        (
            {"properties": {"security-severity": "3.1"}},
            [{"id": "R1", "properties": {"security-severity": "9.9"}}],
            Severity.LOW,
        ),
        ({"kind": "review", "level": "error"}, None, Severity.INFO),
        ({"kind": "open"}, None, Severity.INFO),
        ({"kind": "fail", "level": "error"}, None, Severity.HIGH),
        ({"baselineState": "new", "level": "error"}, None, Severity.HIGH),
    ],
)
def test_severity(
    fields: dict[str, Any], rules: list[dict[str, Any]] | None, expected: Severity
) -> None:
    assert only(sarif(result(**fields), rules=rules)).severity is expected


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "pass"},
        {"kind": "notApplicable"},
        {"kind": "informational"},
        {"baselineState": "absent", "level": "error"},
    ],
)
def test_results_that_are_no_problems_are_skipped(fields: dict[str, Any]) -> None:
    report = read(sarif(result(**fields)))

    assert report.findings == ()
    assert report.unplaced == ()


def test_suppressed_result_is_kept_and_says_so() -> None:
    suppressions = [
        {"kind": "inSource", "justification": "tests only"},
        {"kind": "external", "status": "underReview"},
        {},
    ]

    finding = only(sarif(result(level="error", suppressions=suppressions)))

    assert finding.severity is Severity.HIGH
    assert finding.title == "Something is wrong"
    assert (
        "suppressed (inSource: tests only; external, status underReview; unspecified kind)"
        in finding.message
    )


def test_empty_suppressions_add_nothing() -> None:
    assert only(sarif(result(suppressions=[]))).message == "Something is wrong"


RULES: list[dict[str, Any]] = [
    {"id": "R0", "helpUri": "https://rules/R0"},
    {
        "id": "R1",
        "helpUri": "https://rules/R1",
        "shortDescription": {"text": "Short one"},
        "fullDescription": {"text": "Full one"},
        "messageStrings": {"default": {"text": "Value {0} flows to {1}; {{literal}}"}},
        "properties": {"tags": ["security", "external/cwe/cwe-079"], "precision": "very-high"},
    },
]


@pytest.mark.parametrize(
    ("fields", "rule_id", "rule_url"),
    [
        ({"ruleId": "R1"}, "R1", "https://rules/R1"),
        ({"ruleId": "R1/variant"}, "R1/variant", "https://rules/R1"),
        ({"ruleId": None, "rule": {"id": "R0"}}, "R0", "https://rules/R0"),
        ({"ruleId": None, "ruleIndex": 1}, "R1", "https://rules/R1"),
        ({"ruleId": None, "rule": {"index": 0}}, "R0", "https://rules/R0"),
        ({"ruleId": None, "ruleIndex": 7}, "scanner", None),
        ({"ruleId": "X9"}, "X9", None),
        ({"ruleId": None}, "scanner", None),
    ],
)
def test_rule(fields: dict[str, Any], rule_id: str, rule_url: str | None) -> None:
    finding = only(sarif(result(**fields), rules=RULES))

    assert (finding.rule_id, finding.rule_url) == (rule_id, rule_url)


@pytest.mark.parametrize(
    "fields",
    [
        {"ruleId": None, "rule": {"index": 0, "toolComponent": {"index": 0}}},
        {"ruleId": None, "rule": {"id": "js/xss", "toolComponent": {"name": "pack"}}},
        {"ruleId": "js/xss"},
        {"ruleId": "js/xss", "rule": {"toolComponent": {"name": "unknown"}}},
    ],
)
def test_rule_of_an_extension(fields: dict[str, Any]) -> None:
    log = json.loads(sarif(result(**fields)))
    log["runs"][0]["tool"]["extensions"] = [
        {"name": "pack", "rules": [{"id": "js/xss", "helpUri": "https://pack/xss"}]}
    ]

    finding = only(json.dumps(log))

    assert (finding.rule_id, finding.rule_url) == ("js/xss", "https://pack/xss")


def test_rule_id_falls_back_to_the_agent_without_a_tool_name() -> None:
    log = {"runs": [{"tool": {"driver": {}}, "results": [result(ruleId=None)]}]}

    assert only(json.dumps(log)).rule_id == "scan"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ({"text": "Plain text"}, "Plain text"),
        ({"markdown": "**Bold**"}, "**Bold**"),
        ({"id": "default", "arguments": ["x", "sink"]}, "Value x flows to sink; {literal}"),
        ({"id": "default", "arguments": ["x"]}, "Value x flows to {1}; {literal}"),
        ({"id": "global"}, "From the driver"),
        ({"id": "unknown"}, "Short one"),
        ({"text": "Line {0}", "arguments": ["one"]}, "Line one"),
        (None, "Short one"),
    ],
)
def test_message(message: dict[str, Any] | None, expected: str) -> None:
    log = json.loads(sarif(result(message=message), rules=RULES))
    log["runs"][0]["tool"]["driver"]["globalMessageStrings"] = {
        "global": {"text": "From the driver"}
    }

    assert only(json.dumps(log)).message == expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"id": "R1", "fullDescription": {"text": "Full only"}}, "Full only"),
        ({"id": "R1", "shortDescription": {"markdown": "*Short*"}}, "*Short*"),
        ({"id": "R1", "shortDescription": {"text": ""}, "name": "RuleName"}, "RuleName"),
        ({"id": "R1"}, ""),
    ],
)
def test_message_less_result_takes_its_rule_text(rule: dict[str, Any], expected: str) -> None:
    assert only(sarif(result(message={"text": ""}), rules=[rule])).message == expected


def test_message_less_result_without_a_rule_is_titled_by_its_rule_id() -> None:
    finding = only(sarif(result(message=None)))

    assert (finding.title, finding.message) == ("R1", "")


def test_title_is_the_first_line_at_most_120_characters() -> None:
    text = "\n\n" + "x" * 300 + "\nsecond line"

    finding = only(sarif(result(message={"text": text})))

    assert finding.title == "x" * 119 + "…"
    assert finding.message == text.strip()


@pytest.mark.parametrize(
    ("tags", "cwe"),
    [
        (["external/cwe/cwe-079"], 79),
        (["CWE-89: SQL Injection"], 89),
        (["cwe-1333"], 1333),
        (["security", 7, None], None),
        ([], None),
    ],
)
def test_cwe_from_tags(tags: list[Any], cwe: int | None) -> None:
    assert only(sarif(result(properties={"tags": tags}))).cwe == cwe


def test_cwe_and_precision_of_the_rule() -> None:
    finding = only(sarif(result(), rules=RULES))

    assert (finding.cwe, finding.confidence) == (79, Confidence.HIGH)


@pytest.mark.parametrize(
    ("precision", "confidence"),
    [
        ("very-high", Confidence.HIGH),
        ("high", Confidence.HIGH),
        ("low", Confidence.LOW),
        ("medium", Confidence.MEDIUM),
        (None, Confidence.MEDIUM),
        (3, Confidence.MEDIUM),
    ],
)
def test_confidence(precision: Any, confidence: Confidence) -> None:
    assert only(sarif(result(properties={"precision": precision}))).confidence is confidence


def test_fix_descriptions_are_the_recommendation() -> None:
    fixes = [{"description": {"text": "Quote it"}}, {"description": {"markdown": "Or **escape**"}}]

    assert only(sarif(result(fixes=fixes))).recommendation == "Quote it\nOr **escape**"
    assert only(sarif(result())).recommendation is None
