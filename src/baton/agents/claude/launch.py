"""Starting one Claude session process and reading its outcome honestly.

A session is failed — never "no findings" — when its process crashes, when Claude Code
reports an error (API error, max turns, budget), when the model refuses (a turn that stops
with `refusal`, whatever it says afterwards: a refusal is never a pass), or when the
structured output is missing or does not match the schema. `interpret` turns each case
into one readable reason.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from baton.agents.claude.environment import session_environment
from baton.agents.claude.protocol import SessionJob, SessionOutcome
from baton.agents.processes import run_process
from baton.errors import AgentError
from baton.settings import Settings

Output = TypeVar("Output", bound=BaseModel)

_API_ERRORS = {429: "rate limited", 529: "overloaded", 401: "authentication failed"}


async def run_session(job: SessionJob, settings: Settings) -> SessionOutcome:
    """Run `job` in a new process group with an allow-listed environment and a fresh HOME."""
    home = Path(tempfile.mkdtemp(prefix=f"baton-{job.agent}-"))
    try:
        env = session_environment(
            os.environ,
            home=home,
            agent=job.agent,
            max_retries=settings.api_max_retries,
            api_timeout_s=min(settings.api_timeout, settings.timeout_for(job.agent)),
        )
        output = await run_process(
            "claude session",
            [sys.executable, "-m", "baton.agents.claude.session"],
            cwd=Path(job.cwd),
            stdin=job.model_dump_json().encode(),
            env=env,
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
    try:
        return SessionOutcome.model_validate_json(output.stdout)
    except ValidationError as err:
        last = next((ln for ln in reversed(output.stderr.splitlines()) if ln.strip()), "")
        raise AgentError(f"claude session gave no readable outcome: {last[:200]}") from err


def interpret(outcome: SessionOutcome, max_turns: int, expected: type[Output]) -> Output:
    """The session's structured output, or `AgentError` saying why there is none to trust."""
    if outcome.crash:
        raise AgentError(f"claude session failed: {outcome.crash}")
    if outcome.refused:
        raise AgentError("the model refused to review this change (stop reason: refusal)")
    if outcome.is_error or outcome.subtype not in (None, "success"):
        raise AgentError(_error_reason(outcome, max_turns))
    if outcome.structured_output is None:
        raise AgentError("the model returned no structured output (no findings in the schema)")
    try:
        return expected.model_validate(outcome.structured_output)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise AgentError(
            f"the model's output does not match the schema: {where}: {first['msg']}"
        ) from None


def _error_reason(outcome: SessionOutcome, max_turns: int) -> str:
    if outcome.api_error_status is not None:
        status = outcome.api_error_status
        label = _API_ERRORS.get(status, "error")
        return f"Anthropic API {label} (HTTP {status}) after retries"
    if outcome.subtype == "error_max_turns" or outcome.terminal_reason == "max_turns":
        return f"stopped at max_turns ({max_turns}) before returning findings"
    if outcome.subtype == "error_max_budget_usd":
        return "stopped by the spending budget before returning findings"
    detail = outcome.errors[0] if outcome.errors else (outcome.result_text or "")
    kind = outcome.terminal_reason or outcome.subtype or "error"
    return f"claude session ended with {kind}" + (f": {detail[:200]}" if detail else "")
