"""Reviewdog Diagnostic Format reports as findings: rdjson and rdjsonl.

The format is defined by reviewdog's `proto/rdf/reviewdog.proto`: rdjson is the JSON form
of one `DiagnosticResult` (`diagnostics`, `source`, `severity`), rdjsonl has one
`Diagnostic` (`message`, `location {path, range {start, end}}`, `severity`, `source`,
`code {value, url}`, `suggestions`) per line. Enums may be written by name (`"ERROR"`) or
number (`1`), as protobuf's JSON mapping allows.

Severity: ERROR → HIGH, WARNING → MEDIUM, INFO → LOW; a diagnostic with none (or
UNKNOWN_SEVERITY) takes the result's, else MEDIUM. Lines: `range.start.line`, and
`range.end.line` — the end is exclusive, so an end at column 1 of a later line ends on the
line before; no range, or a line below 1, is a whole-file finding.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from baton.agents.analyser.formats.report import (
    ReportBuilder,
    ReportError,
    ToolReport,
    load_json,
    one_line,
    schema_error,
)
from baton.findings.model import Severity

RESULT_KEYS = frozenset({"diagnostics", "source", "severity"})
SEVERITY_NAMES = {0: "UNKNOWN_SEVERITY", 1: "ERROR", 2: "WARNING", 3: "INFO"}
SEVERITIES: dict[str, Severity] = {
    "ERROR": Severity.HIGH,
    "WARNING": Severity.MEDIUM,
    "INFO": Severity.LOW,
}


def _severity_name(value: object) -> object:
    """Protobuf JSON writes an enum by name or by number; baton compares names."""
    if isinstance(value, int) and not isinstance(value, bool):
        return SEVERITY_NAMES.get(value, value)
    return value.upper() if isinstance(value, str) else value


RdfSeverity = Annotated[
    Literal["UNKNOWN_SEVERITY", "ERROR", "WARNING", "INFO"], BeforeValidator(_severity_name)
]


class _Rdf(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Position(_Rdf):
    line: int | None = None
    column: int | None = None


class _Range(_Rdf):
    start: _Position | None = None
    end: _Position | None = None


class _Location(_Rdf):
    path: str = ""
    range: _Range | None = None


class _Source(_Rdf):
    name: str = ""
    url: str | None = None


class _Code(_Rdf):
    value: str = ""
    url: str | None = None


class _Suggestion(_Rdf):
    range: _Range | None = None
    text: str = ""


class _Diagnostic(_Rdf):
    message: str | None = None
    location: _Location | None = None
    severity: RdfSeverity | None = None
    source: _Source | None = None
    code: _Code | None = None
    suggestions: list[_Suggestion] = Field(default_factory=list)


class _DiagnosticResult(_Rdf):
    diagnostics: list[_Diagnostic] = Field(default_factory=list)
    source: _Source | None = None
    severity: RdfSeverity | None = None


def parse_rdjson(text: str, builder: ReportBuilder) -> ToolReport:
    """The diagnostics of an rdjson `DiagnosticResult`."""
    data = load_json("rdjson", text)
    problem = "rdjson report does not follow reviewdog's DiagnosticResult"
    if not isinstance(data, dict):
        raise ReportError(f"{problem}: the top level: Input should be an object")
    if "diagnostics" not in data and not set(data) <= RESULT_KEYS:
        keys = ", ".join(sorted(str(key) for key in data)[:5])
        raise ReportError(one_line(f"{problem}: it has no diagnostics, only {keys}"))
    try:
        result = _DiagnosticResult.model_validate(data)
    except ValidationError as err:
        raise schema_error(problem, err) from None
    default_severity = SEVERITIES.get(result.severity or "", Severity.MEDIUM)
    result_source = result.source.name if result.source else ""
    tool = result_source or next(
        (d.source.name for d in result.diagnostics if d.source and d.source.name), None
    )
    for diagnostic in result.diagnostics:
        _add(diagnostic, builder, default_severity, tool)
    return builder.build(tool)


def parse_rdjsonl(text: str, builder: ReportBuilder) -> ToolReport:
    """The diagnostics of an rdjsonl stream: one `Diagnostic` per line, blank lines skipped."""
    if text == "":
        raise ReportError("no report in the tool's output")
    diagnostics: list[_Diagnostic] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            diagnostics.append(_diagnostic_line(number, line))
    tool = next((d.source.name for d in diagnostics if d.source and d.source.name), None)
    for diagnostic in diagnostics:
        _add(diagnostic, builder, Severity.MEDIUM, tool)
    return builder.build(tool)


def _diagnostic_line(number: int, line: str) -> _Diagnostic:
    problem = f"rdjsonl report line {number} does not follow reviewdog's Diagnostic"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as err:
        raise ReportError(one_line(f"rdjsonl report line {number} is not JSON ({err})")) from None
    except RecursionError:
        raise ReportError(f"rdjsonl report line {number} is nested too deeply to read") from None
    if not isinstance(data, dict):
        raise ReportError(f"{problem}: the top level: Input should be an object")
    try:
        diagnostic = _Diagnostic.model_validate(data)
    except ValidationError as err:
        raise schema_error(problem, err) from None
    if diagnostic.message is None and diagnostic.location is None:
        raise ReportError(f"{problem}: it has neither a message nor a location")
    return diagnostic


def _add(
    diagnostic: _Diagnostic, builder: ReportBuilder, default: Severity, tool: str | None
) -> None:
    location = diagnostic.location
    path = builder.place(location.path if location else None)
    if path is None:
        return
    start, end = _lines(location.range if location else None)
    code = diagnostic.code
    source = diagnostic.source.name if diagnostic.source else ""
    severity = SEVERITIES.get(diagnostic.severity or "", default)
    builder.add(
        path=path,
        rule_id=(code.value if code else "") or source or tool or builder.agent,
        severity=severity,
        message=diagnostic.message or "",
        start=start,
        end=end,
        rule_url=code.url if code and code.url else None,
        recommendation=_recommendation(diagnostic.suggestions),
    )


def _lines(span: _Range | None) -> tuple[int | None, int | None]:
    """(start line, inclusive end line) of a range whose end is exclusive."""
    if span is None or span.start is None:
        return None, None
    start = span.start.line
    if span.end is None or span.end.line is None or start is None:
        return start, None
    end = span.end.line
    if span.end.column == 1 and end > start:
        end -= 1
    return start, end


def _recommendation(suggestions: list[_Suggestion]) -> str | None:
    """The suggested fixes as text: what to write, or what to delete."""
    parts = []
    for suggestion in suggestions:
        start, end = _lines(suggestion.range)
        where = ""
        if start is not None and start >= 1:
            where = f" (line {start})" if end is None or end <= start else f" (lines {start}-{end})"
        if suggestion.text.strip():
            parts.append(f"Suggested replacement{where}:\n{suggestion.text.rstrip()}")
        else:
            parts.append(f"Suggested fix: delete the code{where}.")
    return "\n".join(parts) or None
