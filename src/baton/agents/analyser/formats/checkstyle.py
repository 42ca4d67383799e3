"""Checkstyle XML reports as findings.

The format is the one checkstyle's `XMLLogger` writes and many linters copy (hadolint,
shellcheck, eslint, golangci-lint):

    <checkstyle version="10.0">
      <file name="src/A.java">
        <error line="3" column="5" severity="warning" message="..." source="com.x.Check"/>
      </file>
    </checkstyle>

Other elements (`<exception>`) are ignored. Severity: error → HIGH, warning → MEDIUM,
info → LOW, ignore → INFO (checkstyle's `SeverityLevel`); an `error` without one is an
error, checkstyle's default. The rule is `source`. The XML is parsed with defusedxml: a
report declaring entities or external references is refused.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from baton.agents.analyser.formats.report import (
    ReportBuilder,
    ReportError,
    ToolReport,
    one_line,
    schema_error,
)
from baton.findings.model import Severity

SCHEMA_PROBLEM = "checkstyle report does not follow checkstyle's XML format"
SEVERITIES: dict[str, Severity] = {
    "error": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "info": Severity.LOW,
    "ignore": Severity.INFO,
}


def _blank_as_missing(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


class _Checkstyle(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Error(_Checkstyle):
    line: Annotated[int | None, BeforeValidator(_blank_as_missing)] = None
    severity: Annotated[Literal["error", "warning", "info", "ignore"], BeforeValidator(_lower)] = (
        "error"
    )
    message: str = ""
    source: str | None = None


class _File(_Checkstyle):
    name: str
    error: list[_Error] = Field(default_factory=list)


class _Report(_Checkstyle):
    file: list[_File] = Field(default_factory=list)


def parse(text: str, builder: ReportBuilder) -> ToolReport:
    """The errors of every file of a checkstyle report."""
    report = _validate(_element_tree(text))
    for file in report.file:
        path = builder.place(file.name)
        if path is None:
            continue
        for error in file.error:
            builder.add(
                path=path,
                rule_id=error.source or builder.agent,
                severity=SEVERITIES[error.severity],
                message=error.message,
                start=error.line,
            )
    return builder.build(None)


def _element_tree(text: str) -> Element:
    body = text.lstrip("\ufeff")
    if not body.strip():
        raise ReportError("no report in the tool's output")
    try:
        root = SafeElementTree.fromstring(body)
    except DefusedXmlException as err:
        name = type(err).__name__
        raise ReportError(f"checkstyle report refused: unsafe XML ({name})") from None
    except ParseError as err:
        raise ReportError(one_line(f"checkstyle report is not well-formed XML ({err})")) from None
    if _local_name(root.tag) != "checkstyle":
        raise ReportError(
            one_line(f"{SCHEMA_PROBLEM}: the top element is <{root.tag}>, not <checkstyle>")
        )
    return root


def _validate(root: Element) -> _Report:
    """The XML as the nested lists pydantic validates, so a problem gets a path like
    `file[0].error[2].severity`."""
    files: list[dict[str, Any]] = []
    for file in root:
        if _local_name(file.tag) != "file":
            continue
        errors = [dict(error.attrib) for error in file if _local_name(error.tag) == "error"]
        files.append({**file.attrib, "error": errors})
    try:
        return _Report.model_validate({"file": files})
    except ValidationError as err:
        raise schema_error(SCHEMA_PROBLEM, err) from None


def _local_name(tag: object) -> str:
    """The tag without an XML namespace; comments and processing instructions have none."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""
