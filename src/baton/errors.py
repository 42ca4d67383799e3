"""baton's exceptions and the exit codes they stand for.

    BatonError                  base; never escapes `cli.main` as a traceback
    ├── UsageError              bad flag, bad config value, unreadable input      → exit 2
    ├── IncompleteReviewError   the review could not be completed (diff unreadable) → exit 3
    └── AgentError              one agent failed; the runner records it, others go on
        └── AgentSkipped        the agent had nothing to do (e.g. no coverage report)

Exit codes are decided in exactly one place: `gate.decide` for a finished review and
`cli.main` for exceptions.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    PASS = 0
    BLOCKING = 1
    USAGE = 2
    INCOMPLETE = 3


class BatonError(Exception):
    """Base of all errors baton raises on purpose. `str(err)` is one readable line."""

    exit_code: ExitCode = ExitCode.INCOMPLETE


class UsageError(BatonError):
    exit_code = ExitCode.USAGE


class IncompleteReviewError(BatonError):
    exit_code = ExitCode.INCOMPLETE


class AgentError(BatonError):
    """An agent could not finish: tool missing, crash, timeout or unparseable output.

    `retryable` is False when running the agent again cannot help (a tool is not installed).
    """

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class AgentSkipped(AgentError):
    """An agent decided there is nothing for it to do; shown, never a failure."""


def describe_failure(err: BaseException) -> str:
    """One line on why work stopped: baton's own errors speak for themselves, others crashed."""
    if isinstance(err, BatonError):
        return str(err)
    return f"crashed: {type(err).__name__}: {err}"
