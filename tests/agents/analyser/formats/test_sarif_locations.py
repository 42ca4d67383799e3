"""SARIF 2.1.0 locations as repository paths and lines; runs, empty logs and bad logs."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from baton.agents.analyser.formats import ReportError
from baton.errors import AgentError
from tests.agents.analyser.formats.sarif_logs import at, only, read, result, sarif


@pytest.mark.parametrize(
    ("locations", "line", "end_line"),
    [
        (at(startLine=3, endLine=5), 3, 5),
        (at(startLine=3), 3, 3),
        (at(startLine=5, endLine=2), 5, 5),
        (at(), None, None),
        (at(startLine=0), None, None),
        (at(startLine=-3, endLine=4), None, None),
        (at(startLine=10**9), 10**9, 10**9),
        (at(charOffset=40), None, None),
    ],
)
def test_lines(locations: list[dict[str, Any]], line: int | None, end_line: int | None) -> None:
    finding = only(sarif(result(locations=locations)))

    assert (finding.path, finding.line, finding.end_line) == ("src/a.py", line, end_line)


@pytest.mark.parametrize(
    "locations",
    [[], [{"logicalLocations": [{"name": "f"}]}], at(None), [{"physicalLocation": {}}]],
)
def test_result_naming_no_file_is_dropped_and_noted(locations: list[dict[str, Any]]) -> None:
    report = read(sarif(result(locations=locations)))

    assert report.findings == ()
    assert report.unplaced == ("(no file named)",)


BASES = {
    "REPO": {"uri": "file:///home/runner/work/app/app/"},
    "SRC": {"uri": "src/", "uriBaseId": "REPO"},
    "LOCAL": {"uri": "file:///builds/app"},
    "LOOP1": {"uri": "x/", "uriBaseId": "LOOP2"},
    "LOOP2": {"uri": "y/", "uriBaseId": "LOOP1"},
    "UNDEFINED": {},
}


@pytest.mark.parametrize(
    ("artifact", "path"),
    [
        ({"uri": "src/a.py", "uriBaseId": "REPO"}, "src/a.py"),
        ({"uri": "a.py", "uriBaseId": "SRC"}, "src/a.py"),
        ({"uri": "lib/new.py", "uriBaseId": "LOCAL"}, "lib/new.py"),
        ({"uri": "src/a.py", "uriBaseId": "%SRCROOT%"}, "src/a.py"),
        ({"uri": "src/a.py", "uriBaseId": "UNDEFINED"}, "src/a.py"),
        ({"uri": "a.py", "uriBaseId": "LOOP1"}, "y/x/a.py"),
        ({"uri": "file:///builds/app/src/a.py", "uriBaseId": "REPO"}, "src/a.py"),
        ({"uri": "src/x%20y.py", "uriBaseId": "%SRCROOT%"}, "src/x y.py"),
        ({"index": 0}, "src/a.py"),
        ({"index": 1}, "lib/new.py"),
    ],
)
def test_artifact_location(artifact: dict[str, Any], path: str) -> None:
    locations = [{"physicalLocation": {"artifactLocation": artifact, "region": {"startLine": 1}}}]
    artifacts = [
        {"location": {"uri": "src/a.py", "uriBaseId": "REPO"}},
        {"location": {"uri": "file:///builds/app/lib/new.py"}},
    ]
    text = sarif(result(locations=locations), originalUriBaseIds=BASES, artifacts=artifacts)

    report = read(text, known=frozenset({"src/a.py"}))

    assert [f.path for f in report.findings] == [path]


@pytest.mark.parametrize(
    ("artifact", "unplaced"),
    [
        ({"uri": "src/other.py", "uriBaseId": "REPO"}, "/home/runner/work/app/app/src/other.py"),
        ({"uri": "../../etc/passwd", "uriBaseId": "%SRCROOT%"}, "../../etc/passwd"),
        ({"uri": "https://example.com/a.py"}, "https://example.com/a.py"),
        ({"index": 9}, "(no file named)"),
    ],
)
def test_artifact_outside_the_repository(artifact: dict[str, Any], unplaced: str) -> None:
    locations = [{"physicalLocation": {"artifactLocation": artifact}}]
    text = sarif(result(locations=locations), originalUriBaseIds=BASES)

    report = read(text, known=frozenset({"src/a.py"}))

    assert (report.findings, report.unplaced) == ((), (unplaced,))


def test_every_run_is_read_and_the_first_tool_named() -> None:
    run = {"tool": {"driver": {"name": "second"}}, "results": [result(ruleId="R2")]}
    log = json.loads(sarif(result()))
    log["runs"].append(run)

    report = read(json.dumps(log))

    assert report.tool == "scanner"
    assert [f.rule_id for f in report.findings] == ["R1", "R2"]


@pytest.mark.parametrize(
    "text",
    [
        '{"runs": []}',
        '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}}]}',
        '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": null}]}',
    ],
)
def test_log_without_results(text: str) -> None:
    assert read(text).findings == ()


def test_text_that_is_not_unicode_everywhere_still_gives_printable_findings() -> None:
    text = sarif(result(ruleId="R\udcff", message={"text": "bad \udcff byte \ud800"}))

    finding = only(text)

    assert finding.message == "bad \ufffd byte \ufffd"
    assert finding.rule_id == "R\ufffd"
    finding.model_dump_json()


RESULTS_2 = '"results": [{}, {}, {"locations": {}}]'


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "no report in the tool's output"),
        ("  \n", "no report in the tool's output"),
        ("{", "SARIF report is not JSON (Expecting property name enclosed in double quotes"),
        ("<xml/>", "SARIF report is not JSON (Expecting value: line 1 column 1 (char 0))"),
        ("[]", "SARIF report does not follow the 2.1.0 schema: the top level: Input should be"),
        ('{"version": "2.0.0", "runs": []}', "SARIF version '2.0.0' is not supported"),
        ('{"version": 2, "runs": []}', "SARIF version '2' is not supported"),
        ('{"version": "2.1.0"}', "SARIF report does not follow the 2.1.0 schema: runs: Field"),
        ('{"diagnostics": []}', "SARIF report does not follow the 2.1.0 schema: runs: Field"),
        ('{"runs": [{}]}', "schema: runs[0].tool: Field required"),
        (
            '{"runs": [{"tool": {"driver": {}}, ' + RESULTS_2 + "}]}",
            "SARIF report does not follow the 2.1.0 schema: runs[0].results[2].locations: "
            "Input should be a valid list",
        ),
        (
            sarif(result(level="critical")),
            "runs[0].results[0].level: Input should be 'none', 'note', 'warning' or 'error'",
        ),
        (
            sarif(result(locations=at(startLine="three"))),
            "runs[0].results[0].locations[0].physicalLocation.region.startLine: Input should be",
        ),
        (sarif(result(), rules=[{"name": "no id"}]), "runs[0].tool.driver.rules[0].id: Field"),
        ("[" * 100_000, "SARIF report is nested too deeply to read"),
    ],
)
def test_bad_log_is_one_line_report_error(text: str, error: str) -> None:
    with pytest.raises(ReportError) as raised:
        read(text)

    assert isinstance(raised.value, AgentError)
    assert error in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.slow
def test_fifty_megabytes_of_message_less_results_read_in_reasonable_time() -> None:
    one = json.dumps({"ruleId": "R1", "locations": at("src/a.py", startLine=3)})
    count = 50_000_000 // (len(one) + 1)
    text = sarif(rules=[{"id": "R1", "shortDescription": {"text": "Rule one"}}]).replace(
        '"results": []', '"results": [' + ",".join([one] * count) + "]"
    )
    assert len(text) >= 50_000_000

    started = time.monotonic()
    report = read(text)
    elapsed = time.monotonic() - started

    assert len(report.findings) == count
    assert report.findings[-1].title == "Rule one"
    assert elapsed < 120, f"{elapsed:.1f} s"
