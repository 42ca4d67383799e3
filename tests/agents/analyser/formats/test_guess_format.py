"""Which format an imported report file holds: by its name, else by its content."""

from __future__ import annotations

import json

import pytest

from baton.agents.analyser.formats import ReportFormat, guess_format

SARIF_ONE_LINE = json.dumps({"$schema": "x", "runs": [], "version": "2.1.0"})
SARIF_PRETTY = json.dumps({"version": "2.1.0", "runs": [{"results": []}]}, indent=2)
SARIF_SCHEMA_FIRST = json.dumps(
    {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "x": [1], "runs": []}, indent=2
)
RDJSON_PRETTY = json.dumps({"source": {"name": "ruff"}, "diagnostics": []}, indent=2)
RDJSONL = json.dumps({"message": "m", "location": {"path": "a"}}) + "\n" + "{}\n"
CHECKSTYLE = "<?xml version='1.0' encoding='UTF-8'?>\n<checkstyle version='4.3'>\n</checkstyle>"


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("results.sarif", "", ReportFormat.SARIF),
        ("out/RESULTS.SARIF.JSON", "", ReportFormat.SARIF),
        ("lint.rdjson", "", ReportFormat.RDJSON),
        ("lint.rdjsonl", "", ReportFormat.RDJSONL),
        ("lint.jsonl", "", ReportFormat.RDJSONL),
        ("checkstyle-result.xml", "", ReportFormat.CHECKSTYLE),
        ("report.xml", SARIF_ONE_LINE, ReportFormat.CHECKSTYLE),
        ("report.json", SARIF_ONE_LINE, ReportFormat.SARIF),
        ("report.json", SARIF_PRETTY, ReportFormat.SARIF),
        ("report.json", SARIF_SCHEMA_FIRST, ReportFormat.SARIF),
        ("report.json", "\ufeff" + SARIF_PRETTY, ReportFormat.SARIF),
        ("report.json", RDJSON_PRETTY, ReportFormat.RDJSON),
        ("report.json", json.dumps({"diagnostics": []}), ReportFormat.RDJSON),
        ("report.json", RDJSONL, ReportFormat.RDJSONL),
        ("report", CHECKSTYLE, ReportFormat.CHECKSTYLE),
        ("report", "  \n<checkstyle/>", ReportFormat.CHECKSTYLE),
        ("report", "<testsuites/>", None),
        ("report", "", None),
        ("report", "just words", None),
        ("report.json", "[1, 2]", None),
        ("report.json", '{\n  "something": "else"\n}', None),
        ("report.json", "{" * 100_000, None),
        ("report.json", '{"runs": [' + "1," * 100_000 + "1]}", ReportFormat.SARIF),
    ],
)
def test_guess_format(name: str, text: str, expected: ReportFormat | None) -> None:
    assert guess_format(name, text) == expected
