"""The gate: which findings and agent outcomes fail the job, and with which exit code."""

from __future__ import annotations

import pytest

from baton.agents.base import AgentResult, AgentStatus
from baton.findings.model import Finding, Placement, Severity
from baton.gate import Verdict, decide
from baton.settings import FailOn


def finding(severity: Severity, *, placement: Placement = Placement.ADDED) -> Finding:
    return Finding(
        agent="security",
        rule_id="R1",
        severity=severity,
        path="a.py",
        line=1,
        title="No CRITICAL issues found",
        placement=placement,
    )


OK = AgentResult(name="security", status=AgentStatus.OK)
FAILED = AgentResult(name="quality", status=AgentStatus.FAILED, reason="ruff not found")


@pytest.mark.parametrize(
    ("fail_on", "severity", "code"),
    [
        (FailOn.CRITICAL, Severity.CRITICAL, 1),
        (FailOn.CRITICAL, Severity.HIGH, 0),
        (FailOn.HIGH, Severity.HIGH, 1),
        (FailOn.HIGH, Severity.MEDIUM, 0),
        (FailOn.MEDIUM, Severity.MEDIUM, 1),
        (FailOn.LOW, Severity.LOW, 1),
        (FailOn.LOW, Severity.INFO, 0),
        (FailOn.INFO, Severity.INFO, 1),
        (FailOn.NEVER, Severity.CRITICAL, 0),
    ],
)
def test_threshold(fail_on: FailOn, severity: Severity, code: int) -> None:
    assert decide([finding(severity)], [OK], fail_on).exit_code == code


def test_failed_agent_is_incomplete_never_green() -> None:
    gate = decide([finding(Severity.LOW)], [OK, FAILED], FailOn.CRITICAL)
    assert (gate.verdict, gate.exit_code) == (Verdict.INCOMPLETE, 3)
    assert "agent quality failed: ruff not found" in gate.reasons


def test_blocking_wins_over_incomplete() -> None:
    gate = decide([finding(Severity.CRITICAL)], [OK, FAILED], FailOn.CRITICAL)
    assert (gate.verdict, gate.exit_code) == (Verdict.FAIL, 1)
    assert any("failed" in reason for reason in gate.reasons)


def test_agent_blocking_condition_fails_without_findings() -> None:
    coverage = AgentResult(
        name="coverage",
        status=AgentStatus.OK,
        blocking=("diff coverage 50.0% is below the 80% minimum",),
    )
    gate = decide([], [coverage], FailOn.NEVER)
    assert gate.exit_code == 1
    assert gate.reasons == ("coverage: diff coverage 50.0% is below the 80% minimum",)


def test_context_line_findings_never_block() -> None:
    gate = decide([finding(Severity.CRITICAL, placement=Placement.CONTEXT)], [OK], FailOn.CRITICAL)
    assert gate.exit_code == 0


def test_words_in_titles_do_not_matter() -> None:
    """'No CRITICAL issues found' as text is just text: only the parsed severity counts."""
    assert decide([finding(Severity.INFO)], [OK], FailOn.CRITICAL).exit_code == 0


def test_files_that_could_not_be_reviewed_make_it_incomplete_unless_it_fails() -> None:
    unreviewed = ["app.py could not be reviewed: the diff does not match the file (line 3)"]
    gate = decide([finding(Severity.LOW)], [OK], FailOn.CRITICAL, unreviewed=unreviewed)
    assert (gate.verdict, gate.exit_code) == (Verdict.INCOMPLETE, 3)
    assert gate.reasons == tuple(unreviewed)
    failing = decide([finding(Severity.CRITICAL)], [OK], FailOn.CRITICAL, unreviewed=unreviewed)
    assert (failing.verdict, failing.exit_code) == (Verdict.FAIL, 1)
    assert unreviewed[0] in failing.reasons
