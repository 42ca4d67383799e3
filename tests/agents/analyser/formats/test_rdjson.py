"""rdjson and rdjsonl (reviewdog's proto/rdf/reviewdog.proto) diagnostics as findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from baton.agents.analyser.formats import ReportError, ReportFormat, ToolReport, parse_report
from baton.findings.model import Finding, Severity

ROOT = Path("/builds/app")


def diagnostic(**fields: Any) -> dict[str, Any]:
    """A diagnostic on src/a.py line 3, with `fields` added or replaced."""
    base: dict[str, Any] = {
        "message": "Something is wrong",
        "location": {"path": "src/a.py", "range": {"start": {"line": 3, "column": 2}}},
    }
    return base | fields


def rdjson(*diagnostics: dict[str, Any], **result: Any) -> str:
    return json.dumps({"diagnostics": list(diagnostics), **result})


def rdjsonl(*diagnostics: dict[str, Any]) -> str:
    return "\n".join(json.dumps(d) for d in diagnostics) + "\n"


def read(fmt: ReportFormat, text: str, known: frozenset[str] = frozenset()) -> ToolReport:
    return parse_report(fmt, text, root=ROOT, agent="lint", known_paths=known)


def only(fmt: ReportFormat, text: str) -> Finding:
    report = read(fmt, text)
    assert len(report.findings) == 1, report
    return report.findings[0]


@pytest.mark.parametrize(
    ("diagnostic_severity", "result_severity", "expected"),
    [
        ("ERROR", None, Severity.HIGH),
        ("WARNING", None, Severity.MEDIUM),
        ("INFO", None, Severity.LOW),
        (1, None, Severity.HIGH),
        (3, None, Severity.LOW),
        ("error", None, Severity.HIGH),
        (None, None, Severity.MEDIUM),
        ("UNKNOWN_SEVERITY", None, Severity.MEDIUM),
        (0, None, Severity.MEDIUM),
        (None, "ERROR", Severity.HIGH),
        ("UNKNOWN_SEVERITY", "INFO", Severity.LOW),
        ("WARNING", "ERROR", Severity.MEDIUM),
    ],
)
def test_rdjson_severity(
    diagnostic_severity: str | int | None, result_severity: str | None, expected: Severity
) -> None:
    fields = {} if diagnostic_severity is None else {"severity": diagnostic_severity}
    result = {} if result_severity is None else {"severity": result_severity}

    finding = only(ReportFormat.RDJSON, rdjson(diagnostic(**fields), **result))

    assert finding.severity is expected


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        ("ERROR", Severity.HIGH),
        ("WARNING", Severity.MEDIUM),
        ("INFO", Severity.LOW),
        (None, Severity.MEDIUM),
    ],
)
def test_rdjsonl_severity(severity: str | None, expected: Severity) -> None:
    fields = {} if severity is None else {"severity": severity}

    assert only(ReportFormat.RDJSONL, rdjsonl(diagnostic(**fields))).severity is expected


@pytest.mark.parametrize(
    ("span", "line", "end_line"),
    [
        ({"start": {"line": 3}}, 3, 3),
        ({"start": {"line": 3}, "end": {"line": 5}}, 3, 5),
        ({"start": {"line": 3, "column": 1}, "end": {"line": 5, "column": 4}}, 3, 5),
        ({"start": {"line": 3, "column": 1}, "end": {"line": 5, "column": 1}}, 3, 4),
        ({"start": {"line": 3, "column": 1}, "end": {"line": 3, "column": 1}}, 3, 3),
        ({"start": {"line": 5}, "end": {"line": 2}}, 5, 5),
        ({"start": {"line": 0}}, None, None),
        ({"start": {"line": -3}, "end": {"line": 4}}, None, None),
        ({"start": {"line": 10**9}}, 10**9, 10**9),
        ({"start": {}}, None, None),
        ({}, None, None),
        (None, None, None),
    ],
)
def test_lines(span: dict[str, Any] | None, line: int | None, end_line: int | None) -> None:
    location: dict[str, Any] = {"path": "src/a.py"}
    if span is not None:
        location["range"] = span

    finding = only(ReportFormat.RDJSONL, rdjsonl(diagnostic(location=location)))

    assert (finding.line, finding.end_line) == (line, end_line)


@pytest.mark.parametrize(
    ("fields", "rule_id", "rule_url"),
    [
        ({"code": {"value": "E501", "url": "https://rules/E501"}}, "E501", "https://rules/E501"),
        ({"code": {"value": "E501"}}, "E501", None),
        ({"source": {"name": "mylint"}}, "mylint", None),
        ({}, "tool-of-result", None),
    ],
)
def test_rule(fields: dict[str, Any], rule_id: str, rule_url: str | None) -> None:
    text = rdjson(diagnostic(**fields), source={"name": "tool-of-result"})

    finding = only(ReportFormat.RDJSON, text)

    assert (finding.rule_id, finding.rule_url) == (rule_id, rule_url)


def test_rule_falls_back_to_the_agent() -> None:
    assert only(ReportFormat.RDJSONL, rdjsonl(diagnostic())).rule_id == "lint"


def test_tool_name_from_the_result_or_the_first_diagnostic() -> None:
    named = diagnostic(source={"name": "golint"})

    assert read(ReportFormat.RDJSON, rdjson(named, source={"name": "top"})).tool == "top"
    assert read(ReportFormat.RDJSON, rdjson(diagnostic(), named)).tool == "golint"
    assert read(ReportFormat.RDJSONL, rdjsonl(diagnostic(), named)).tool == "golint"
    assert read(ReportFormat.RDJSONL, rdjsonl(diagnostic())).tool is None


def test_message_title_and_suggestions() -> None:
    suggestions = [
        {
            "range": {"start": {"line": 3, "column": 1}, "end": {"line": 5, "column": 1}},
            "text": "y = 1\n",
        },
        {"range": {"start": {"line": 7, "column": 1}, "end": {"line": 7, "column": 9}}, "text": ""},
    ]
    text = rdjson(diagnostic(message="First line\nmore detail", suggestions=suggestions))

    finding = only(ReportFormat.RDJSON, text)

    assert (finding.title, finding.message) == ("First line", "First line\nmore detail")
    assert finding.recommendation == (
        "Suggested replacement (lines 3-4):\ny = 1\nSuggested fix: delete the code (line 7)."
    )
    assert only(ReportFormat.RDJSON, rdjson(diagnostic())).recommendation is None


def test_paths_outside_the_repository_are_dropped_and_noted() -> None:
    diagnostics = [
        diagnostic(location={"path": "/home/runner/work/app/app/src/a.py"}),
        diagnostic(location={"path": "C:\\work\\app\\src\\b.py"}),
        diagnostic(location={"path": "../../etc/passwd"}),
        diagnostic(location={"path": ""}),
        diagnostic(location=None),
    ]

    report = read(ReportFormat.RDJSON, rdjson(*diagnostics), known=frozenset({"src/a.py"}))

    assert [f.path for f in report.findings] == ["src/a.py"]
    assert report.unplaced == ("C:\\work\\app\\src\\b.py", "../../etc/passwd", "(no file named)")


@pytest.mark.parametrize(
    "text",
    [
        '{"diagnostics": []}',
        "{}",
        '{"source": {"name": "ruff"}, "severity": "WARNING"}',
    ],
)
def test_rdjson_without_diagnostics(text: str) -> None:
    assert read(ReportFormat.RDJSON, text).findings == ()


@pytest.mark.parametrize("text", ["\n", "\n\n  \n"])
def test_rdjsonl_of_blank_lines(text: str) -> None:
    assert read(ReportFormat.RDJSONL, text).findings == ()


def test_rdjsonl_skips_blank_lines_between_diagnostics() -> None:
    text = json.dumps(diagnostic()) + "\n\n\r\n" + json.dumps(diagnostic(message="two"))

    assert [f.message for f in read(ReportFormat.RDJSONL, text).findings] == [
        "Something is wrong",
        "two",
    ]


@pytest.mark.parametrize(
    ("fmt", "text", "error"),
    [
        (ReportFormat.RDJSON, "", "no report in the tool's output"),
        (ReportFormat.RDJSONL, "", "no report in the tool's output"),
        (ReportFormat.RDJSON, "{oops", "rdjson report is not JSON (Expecting property name"),
        (
            ReportFormat.RDJSON,
            "[1, 2]",
            "DiagnosticResult: the top level: Input should be an object",
        ),
        (
            ReportFormat.RDJSON,
            '{"version": "2.1.0", "runs": []}',
            "rdjson report does not follow reviewdog's DiagnosticResult: it has no diagnostics, "
            "only runs, version",
        ),
        (
            ReportFormat.RDJSON,
            '{"diagnostics": {}}',
            "rdjson report does not follow reviewdog's DiagnosticResult: diagnostics: Input should "
            "be a valid list",
        ),
        (
            ReportFormat.RDJSON,
            rdjson(diagnostic(), diagnostic(severity="FATAL")),
            "diagnostics[1].severity: Input should be 'UNKNOWN_SEVERITY', 'ERROR', 'WARNING' or "
            "'INFO'",
        ),
        (
            ReportFormat.RDJSON,
            rdjson(diagnostic(location={"path": "a", "range": {"start": {"line": "x"}}})),
            "diagnostics[0].location.range.start.line: Input should be a valid integer",
        ),
        (
            ReportFormat.RDJSON,
            rdjson(diagnostic(location={"path": 7})),
            "diagnostics[0].location.path: Input should be a valid string",
        ),
        (
            ReportFormat.RDJSONL,
            rdjsonl(diagnostic()) + "not json\n",
            "rdjsonl report line 2 is not JSON (Expecting value",
        ),
        (
            ReportFormat.RDJSONL,
            rdjsonl(diagnostic()) + "\n[]\n",
            "rdjsonl report line 3 does not follow reviewdog's Diagnostic: the top level: Input",
        ),
        (
            ReportFormat.RDJSONL,
            '{"runs": []}\n',
            "rdjsonl report line 1 does not follow reviewdog's Diagnostic: it has neither a "
            "message nor a location",
        ),
        (
            ReportFormat.RDJSONL,
            rdjsonl(diagnostic(suggestions=[{"text": 5}])),
            "rdjsonl report line 1 does not follow reviewdog's Diagnostic: suggestions[0].text: ",
        ),
        (ReportFormat.RDJSONL, "[" * 100_000, "rdjsonl report line 1 is nested too deeply to read"),
    ],
)
def test_bad_report_is_one_line_report_error(fmt: ReportFormat, text: str, error: str) -> None:
    with pytest.raises(ReportError) as raised:
        read(fmt, text)

    assert error in str(raised.value)
    assert "\n" not in str(raised.value)
