"""Checkstyle XML as findings, and XML that must be refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.agents.analyser.formats import ReportError, ReportFormat, ToolReport, parse_report
from baton.findings.model import Severity

ROOT = Path("/builds/app")


def checkstyle(*files: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<checkstyle version="10.12">'
        + "".join(files)
        + "</checkstyle>"
    )


def file(name: str, *errors: str) -> str:
    return f'<file name="{name}">' + "".join(errors) + "</file>"


def error(**attributes: str) -> str:
    base = {"line": "3", "severity": "warning", "message": "Something is wrong", "source": "Rule"}
    return "<error " + " ".join(f'{k}="{v}"' for k, v in (base | attributes).items()) + "/>"


def read(text: str, known: frozenset[str] = frozenset()) -> ToolReport:
    return parse_report(ReportFormat.CHECKSTYLE, text, root=ROOT, agent="lint", known_paths=known)


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        ("error", Severity.HIGH),
        ("warning", Severity.MEDIUM),
        ("info", Severity.LOW),
        ("ignore", Severity.INFO),
        ("Warning", Severity.MEDIUM),
    ],
)
def test_severity(severity: str, expected: Severity) -> None:
    (finding,) = read(checkstyle(file("src/a.py", error(severity=severity)))).findings

    assert finding.severity is expected


def test_error_without_severity_is_an_error() -> None:
    text = checkstyle(file("a.py", '<error line="2" message="m" source="R"/>'))

    (finding,) = read(text).findings

    assert finding.severity is Severity.HIGH


@pytest.mark.parametrize(
    ("line", "expected"),
    [("3", 3), ("0", None), ("-3", None), ("", None), (str(10**9), 10**9)],
)
def test_line(line: str, expected: int | None) -> None:
    (finding,) = read(checkstyle(file("a.py", error(line=line)))).findings

    assert (finding.line, finding.end_line) == (expected, expected)


def test_error_without_line_is_a_whole_file_finding() -> None:
    (finding,) = read(checkstyle(file("a.py", '<error severity="info" message="m"/>'))).findings

    assert (finding.line, finding.rule_id, finding.title) == (None, "lint", "m")


def test_fields_of_a_finding() -> None:
    text = checkstyle(
        file(
            "src/A.java",
            error(
                line="12",
                message="Line is longer than 100 characters (found 120).&#10;Second line",
                source="com.puppycrawl.tools.checkstyle.checks.sizes.LineLengthCheck",
            ),
        )
    )

    (finding,) = read(text).findings

    assert finding.path == "src/A.java"
    assert finding.line == 12
    assert finding.rule_id == "com.puppycrawl.tools.checkstyle.checks.sizes.LineLengthCheck"
    assert finding.title == "Line is longer than 100 characters (found 120)."
    assert finding.message == "Line is longer than 100 characters (found 120).\nSecond line"
    assert (finding.rule_url, finding.recommendation, finding.cwe) == (None, None, None)


def test_files_outside_the_repository_and_other_elements() -> None:
    text = checkstyle(
        file("/home/ci/app/src/a.py", error()),
        file("/home/ci/app/src/gone.py", error(), error(line="9")),
        file("src\\win.py", error(), "<exception>stack</exception>"),
        "<!-- a comment -->",
        "<summary/>",
    )

    report = read(text, known=frozenset({"src/a.py"}))

    assert [(f.path, f.line) for f in report.findings] == [("src/a.py", 3), ("src/win.py", 3)]
    assert report.unplaced == ("/home/ci/app/src/gone.py",)


@pytest.mark.parametrize(
    "text",
    [
        "<checkstyle/>",
        '<?xml version="1.0"?><checkstyle version="4.3"></checkstyle>',
        "\ufeff<checkstyle version='4.3'>\n<file name='ok.sh' >\n</file>\n</checkstyle>\n",
        '<cs:checkstyle xmlns:cs="urn:x"/>',
    ],
)
def test_report_without_errors(text: str) -> None:
    report = read(text)

    assert (report.findings, report.unplaced, report.tool) == ((), (), None)


ENTITY_BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<checkstyle><file name="a.py"><error line="1" message="&lol4;"/></file></checkstyle>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE checkstyle [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<checkstyle><file name="a.py"><error line="1" message="&secret;"/></file></checkstyle>
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no report in the tool's output"),
        ("\n  ", "no report in the tool's output"),
        (ENTITY_BOMB, "checkstyle report refused: unsafe XML (EntitiesForbidden)"),
        (EXTERNAL_ENTITY, "checkstyle report refused: unsafe XML (EntitiesForbidden)"),
        (
            "<checkstyle><file name='a'>",
            "checkstyle report is not well-formed XML (no element found",
        ),
        (
            '{"runs": []}',
            "checkstyle report is not well-formed XML (not well-formed (invalid token): line 1",
        ),
        (
            '<testsuites><testsuite name="x"/></testsuites>',
            "checkstyle report does not follow checkstyle's XML format: the top element is "
            "<testsuites>, not <checkstyle>",
        ),
        (
            checkstyle(file("a.py", error(), error(severity="fatal"))),
            "checkstyle report does not follow checkstyle's XML format: file[0].error[1].severity: "
            "Input should be 'error', 'warning', 'info' or 'ignore'",
        ),
        (
            checkstyle(file("a.py"), "<file><error line='1'/></file>"),
            "checkstyle report does not follow checkstyle's XML format: file[1].name: Field "
            "required",
        ),
        (
            checkstyle(file("a.py", error(line="three"))),
            "file[0].error[0].line: Input should be a valid integer",
        ),
    ],
)
def test_bad_report_is_one_line_report_error(text: str, message: str) -> None:
    with pytest.raises(ReportError) as raised:
        read(text)

    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
