"""Running one Claude session — one `claude` process — and reading its outcome honestly.

The process runs in a new process group with an allow-listed environment and a fresh HOME
(`environment.py`), the flags of `command.py`, and its output in files rather than pipes (a
descendant that keeps a pipe open cannot keep baton waiting). When the awaiting agent is
cancelled — its timeout, a SIGTERM — the process's whole tree is killed. A session that
shares its prompt prefix with others sends its first message when `warmup.py` says so; the
first of them is watched until its first response begins.

A session is failed — never "no findings" — when its process ends without a result, when
Claude Code reports an error (API error, max turns, budget), when the model refuses (a turn
that stops with `refusal`, whatever it says afterwards: a refusal is never a pass), or when
the structured output is missing or does not match the schema. `interpret` turns each case
into one readable reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from baton.agents.claude import warmup
from baton.agents.claude.command import cli_path, command, first_message
from baton.agents.claude.environment import session_environment
from baton.agents.claude.protocol import SessionJob, SessionOutcome
from baton.agents.claude.transcript import began, read_transcript
from baton.agents.processes import ToolOutput, describe_exit, kill_tree
from baton.errors import AgentError
from baton.settings import Settings

Output = TypeVar("Output", bound=BaseModel)

POLL_S = 0.05
"""How often the first session of a shared prefix is checked for its response beginning."""

_API_ERRORS = {429: "rate limited", 529: "overloaded", 401: "authentication failed"}


async def run_session(job: SessionJob, settings: Settings) -> SessionOutcome:
    """Run `job` as one `claude` process and read how it ended."""
    cli = cli_path()
    home = Path(tempfile.mkdtemp(prefix=f"baton-{job.agent}-"))
    place = warmup.claim(job)
    try:
        env = session_environment(
            os.environ,
            home=home,
            agent=job.agent,
            max_retries=settings.api_max_retries,
            api_timeout_s=min(settings.api_timeout, settings.timeout_for(job.agent)),
        )
        with tempfile.TemporaryDirectory(prefix="baton-claude-") as scratch:
            out, err = Path(scratch) / "stdout", Path(scratch) / "stderr"
            code = await _run(job, command(job, cli), env, out, err, place)
            lines = out.read_text("utf-8", "replace").splitlines()
            status = describe_exit(ToolOutput("", err.read_text("utf-8", "replace"), code))
    finally:
        place.end()
        shutil.rmtree(home, ignore_errors=True)
    return read_transcript(lines, exit_status=status)


async def _run(
    job: SessionJob,
    argv: list[str],
    env: dict[str, str],
    out: Path,
    err: Path,
    place: warmup.Claim,
) -> int:
    """Start the process, give it its first message in turn, wait for it; its exit code."""
    with out.open("wb") as stdout, err.open("wb") as stderr:
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                cwd=job.cwd,
                stdin=asyncio.subprocess.PIPE,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
                env=env,
            )
        except OSError as error:
            reason = error.strerror or error
            raise AgentError(f"claude could not be started: {reason}") from error
    exited = asyncio.ensure_future(process.wait())
    try:
        await place.turn()
        await _send(process, first_message(job))
        if place.first:
            await _watch(out, exited, place)
        return await asyncio.shield(exited)
    except BaseException:
        kill_tree(process.pid)
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            await asyncio.shield(exited)
        raise


async def _send(process: asyncio.subprocess.Process, message: bytes) -> None:
    """Write the first message and close stdin; a process already gone is read as it is."""
    if process.stdin is None:
        return
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        process.stdin.write(message)
        await process.stdin.drain()
        process.stdin.close()
        await process.stdin.wait_closed()


async def _watch(out: Path, exited: asyncio.Future[int], place: warmup.Claim) -> None:
    """Return once the output file shows a response beginning (`place.began()`) or the
    process has ended."""
    pending = b""
    with out.open("rb") as stream:
        while True:
            pending += stream.read()
            *lines, pending = pending.split(b"\n")
            if any(began(line) for line in lines):
                place.began()
                return
            if exited.done():
                return
            await asyncio.wait({exited}, timeout=POLL_S)


def interpret(
    outcome: SessionOutcome,
    max_turns: int,
    expected: type[Output],
    required: tuple[str, ...] = (),
) -> Output:
    """The session's structured output, or `AgentError` saying why there is none to trust.

    `required` names fields this session must have returned even where the schema offered
    to every session leaves them optional (a reviewer's `findings`)."""
    if outcome.crash:
        raise AgentError(f"claude session failed: {outcome.crash}")
    if outcome.refused:
        raise AgentError("the model refused to review this change (stop reason: refusal)")
    if outcome.is_error or outcome.subtype not in (None, "success"):
        raise AgentError(_error_reason(outcome, max_turns))
    if outcome.structured_output is None:
        raise AgentError("the model returned no structured output (no findings in the schema)")
    missing = [
        name
        for name in required
        if not isinstance(outcome.structured_output, dict) or name not in outcome.structured_output
    ]
    if missing:
        raise AgentError(f"the model's output does not match the schema: {missing[0]}: missing")
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
