"""The GitHub Actions job's own surfaces: step summary, step outputs, log groups, annotations
and masks — written whatever happens to the comments, so a read-only token still leaves a
visible review in the run. Every text but a mask goes through the run's redactor.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from baton.agents.base import AgentStatus
from baton.findings.model import Finding, Severity
from baton.redact import redact
from baton.report import Review

SUMMARY_LIMIT = 1024 * 1024 - 1024
"""GitHub refuses step summaries over 1 MiB; keep a margin."""
MAX_ERRORS = 10
MAX_WARNINGS = 10
"""GitHub shows at most 10 error and 10 warning annotations per step."""


def mask(value: str, out: TextIO = sys.stdout) -> None:
    """Ask the runner to hide `value` in the log: the one place a secret is written whole."""
    if value:
        out.write(f"::add-mask::{value}\n")


def write_step_summary(environ: Mapping[str, str], body: str) -> None:
    target = environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    body = redact(body)
    text = body if len(body) <= SUMMARY_LIMIT else body[:SUMMARY_LIMIT] + "\n\n(truncated)\n"
    with Path(target).open("a", encoding="utf-8") as summary:
        summary.write(text + "\n")


def write_outputs(environ: Mapping[str, str], values: Mapping[str, str]) -> None:
    target = environ.get("GITHUB_OUTPUT")
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as output:
        for name, raw in values.items():
            value = redact(raw)
            if "\n" in value:
                delimiter = f"baton_{uuid.uuid4().hex}"
                output.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
            else:
                output.write(f"{name}={value}\n")


def outputs_for(review: Review, reports: Mapping[str, Path | None]) -> dict[str, str]:
    counted = [f for f in review.findings if f.counted]
    values = {
        "verdict": review.gate.verdict.value,
        "exit_code": str(review.gate.exit_code),
        "findings_count": str(len(counted)),
        "critical_count": str(sum(f.severity is Severity.CRITICAL for f in counted)),
        "high_count": str(sum(f.severity is Severity.HIGH for f in counted)),
    }
    values.update({name: _shared(path) for name, path in reports.items() if path is not None})
    return values


def _shared(path: Path) -> str:
    """A report's path as later steps see it: relative to the workspace when inside it.

    A Docker action sees the workspace at /github/workspace; the runner's next steps do not.
    """
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def write_log(review: Review, warnings: Sequence[str], out: TextIO = sys.stdout) -> None:
    """One collapsible group per agent, then annotations for the most severe findings."""
    for agent in review.agents:
        out.write(f"::group::baton {_data(agent.name)}: {agent.status.value}\n")
        if agent.status is not AgentStatus.OK and agent.reason:
            out.write(f"{_data(agent.reason)}\n")
        if agent.summary:
            out.write(f"{_data(agent.summary)}\n")
        for skipped in agent.skipped[:50]:
            out.write(f"skipped {_data(skipped.path)}: {_data(skipped.reason)}\n")
        out.write("::endgroup::\n")
    for line in warnings:
        out.write(f"::warning title=baton::{_data(line)}\n")
    errors = [f for f in review.findings if _level(f) == "error"][:MAX_ERRORS]
    notes = [f for f in review.findings if _level(f) == "warning"][:MAX_WARNINGS]
    for finding in [*errors, *notes]:
        out.write(_annotation(finding))


def _level(finding: Finding) -> str | None:
    if not finding.counted:
        return None
    if finding.severity in (Severity.CRITICAL, Severity.HIGH):
        return "error"
    if finding.severity is Severity.MEDIUM:
        return "warning"
    return None


def _annotation(finding: Finding) -> str:
    props = [f"file={_prop(finding.path)}"]
    if finding.line is not None:
        props.append(f"line={finding.line}")
        if finding.end_line:
            props.append(f"endLine={finding.end_line}")
    title = f"{finding.severity.value} {finding.rule_id} ({finding.agent})"
    props.append(f"title={_prop(title)}")
    message = finding.title if not finding.message else f"{finding.title}: {finding.message}"
    return f"::{_level(finding)} {','.join(props)}::{_data(message[:1000])}\n"


def _data(text: str) -> str:
    """Redact and escape a workflow command's message, as the Actions toolkit escapes it."""
    return redact(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
