"""SARIF logs for the tests: a run of the tool `scanner` with results built field by field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from baton.agents.analyser.formats import ReportFormat, ToolReport, parse_report
from baton.findings.model import Finding

ROOT = Path("/builds/app")


def sarif(*results: dict[str, Any], rules: list[dict[str, Any]] | None = None, **run: Any) -> str:
    tool = {"driver": {"name": "scanner", "rules": rules or []}}
    return json.dumps(
        {"version": "2.1.0", "runs": [{"tool": tool, "results": list(results), **run}]}
    )


def result(**fields: Any) -> dict[str, Any]:
    """A result of rule R1 on src/a.py line 3, with `fields` added or replaced."""
    base: dict[str, Any] = {
        "ruleId": "R1",
        "message": {"text": "Something is wrong"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "src/a.py"},
                    "region": {"startLine": 3},
                }
            }
        ],
    }
    return base | fields


def at(uri: str | None = "src/a.py", **region: Any) -> list[dict[str, Any]]:
    artifact = {} if uri is None else {"uri": uri}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if region:
        physical["region"] = region
    return [{"physicalLocation": physical}]


def read(text: str, known: frozenset[str] = frozenset()) -> ToolReport:
    return parse_report(ReportFormat.SARIF, text, root=ROOT, agent="scan", known_paths=known)


def only(text: str) -> Finding:
    report = read(text)
    assert len(report.findings) == 1, report
    return report.findings[0]
