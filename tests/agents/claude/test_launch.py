"""Reading a session's outcome honestly: every way it can fail has a reason, never 'no findings'."""

from __future__ import annotations

import pytest

from baton.agents.claude.launch import interpret
from baton.agents.claude.protocol import ReviewOutput, SessionOutcome
from baton.errors import AgentError

GOOD = {"findings": [], "summary": "fine"}


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        (SessionOutcome(crash="CLINotFoundError: no claude"), "claude session failed: CLINotFound"),
        (
            SessionOutcome(is_error=True, api_error_status=529, terminal_reason="api_error"),
            "Anthropic API overloaded (HTTP 529) after retries",
        ),
        (
            SessionOutcome(is_error=True, subtype="error_max_turns"),
            "stopped at max_turns (7) before returning findings",
        ),
        (SessionOutcome(structured_output=None), "no structured output"),
        (
            SessionOutcome(structured_output={"findings": "none"}),
            "does not match the schema: findings",
        ),
        (
            SessionOutcome(is_error=True, terminal_reason="aborted", errors=["stream closed"]),
            "ended with aborted: stream closed",
        ),
    ],
)
def test_failures_have_reasons(outcome: SessionOutcome, reason: str) -> None:
    with pytest.raises(AgentError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        interpret(outcome, 7, ReviewOutput)


def test_valid_output_is_read() -> None:
    review = interpret(SessionOutcome(structured_output=GOOD), 7, ReviewOutput)
    assert review.findings == [] and review.summary == "fine"


def test_a_reviewer_output_without_findings_is_not_read_as_none() -> None:
    outcome = SessionOutcome(structured_output={"summary": "fine", "revisions": []})
    with pytest.raises(AgentError, match="does not match the schema: findings: missing"):
        interpret(outcome, 7, ReviewOutput, required=("findings",))
    assert interpret(outcome, 7, ReviewOutput).revisions == []  # the synthesizer's reading
