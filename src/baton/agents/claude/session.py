"""One Claude Code review session, run as its own process: `python -m baton.agents.claude.session`.

The parent (`launch.py`) starts this module in a new process group with an allow-listed
environment, writes a `SessionJob` as JSON on stdin and reads a `SessionOutcome` as JSON
from stdout. Running the SDK here rather than in baton's process means the job's other
environment variables never reach Claude Code, and a timeout kills the whole group:
this process, the `claude` CLI and anything it started.

Tool confinement: only the job's tools are offered (`tools=`), nothing is pre-approved,
`permission_mode="dontAsk"` denies whatever is not allowed, `cwd` is the checkout, no
setting sources are read (so the reviewed repository's CLAUDE.md, settings, hooks and skills
stay out), and only the MCP servers given here — none — are started (`strict_mcp_config`).
`--bare` would do the same but also drops Grep and Glob from the offered tools.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from claude_agent_sdk import (
    AssistantMessage,
    ClaudeAgentOptions,
    ResultMessage,
    SystemMessage,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
    UserMessage,
    query,
)

from baton.agents.base import Usage
from baton.agents.claude.protocol import SessionJob, SessionOutcome

REFUSAL = "refusal"
"""The Messages API's stop reason when the model declines to answer."""
REFUSAL_NOTICES = ("safeguards stopped the response", "stopped by a safety classifier")
"""How Claude Code says a turn ended in a refusal before it carries on (observed with the
CLI bundled in claude-agent-sdk 0.2.189): a system notice, then a user reminder. A streamed
turn reaches the SDK without its stop reason, so these are what tell a refusal apart."""


def options_for(job: SessionJob) -> ClaudeAgentOptions:
    return ClaudeAgentOptions(
        tools=list(job.tools),
        allowed_tools=[],
        permission_mode="dontAsk",
        cwd=job.cwd,
        add_dirs=list(job.add_dirs),
        system_prompt=job.system_prompt,
        model=job.model,
        max_turns=job.max_turns,
        max_budget_usd=job.max_budget_usd,
        output_format={"type": "json_schema", "schema": job.output_schema},
        setting_sources=[],
        strict_mcp_config=True,
    )


async def run(job: SessionJob) -> SessionOutcome:
    tool_names: dict[str, str] = {}
    refused: list[str] = []
    refusal = False
    result: ResultMessage | None = None
    crash: str | None = None
    try:
        async for message in query(prompt=job.prompt, options=options_for(job)):
            refusal = refusal or _is_refusal(message)
            if isinstance(message, AssistantMessage):
                for block in message.content:
                    if isinstance(block, ToolUseBlock):
                        tool_names[block.id] = block.name
            elif isinstance(message, UserMessage) and isinstance(message.content, list):
                for block in message.content:
                    if isinstance(block, ToolResultBlock) and block.is_error:
                        refused.append(_refusal(tool_names.get(block.tool_use_id), block))
            elif isinstance(message, ResultMessage):
                result = message
    except Exception as err:  # the SDK raises after an error result; keep both
        if result is None:
            crash = f"{type(err).__name__}: {_first_line(str(err))}"
    if result is None:
        return SessionOutcome(
            crash=crash or "the session ended without a result", denied=refused, refused=refusal
        )
    return _outcome(result, refused, refusal)


def _is_refusal(message: object) -> bool:
    """Whether `message` says that a model turn was refused, whatever came after it."""
    if isinstance(message, AssistantMessage | ResultMessage):
        return message.stop_reason == REFUSAL
    if isinstance(message, SystemMessage):
        content = message.data.get("content")
        notice = isinstance(content, str) and any(n in content for n in REFUSAL_NOTICES)
        return REFUSAL in message.subtype or notice
    if isinstance(message, UserMessage) and isinstance(message.content, list):
        texts = (block.text for block in message.content if isinstance(block, TextBlock))
        return any(notice in text for text in texts for notice in REFUSAL_NOTICES)
    return False


def _outcome(result: ResultMessage, refused: list[str], refusal: bool) -> SessionOutcome:
    usage = result.usage or {}
    denials = [_denial(item) for item in result.permission_denials or []]
    return SessionOutcome(
        structured_output=result.structured_output,
        is_error=result.is_error,
        subtype=result.subtype,
        terminal_reason=result.terminal_reason,
        api_error_status=result.api_error_status,
        errors=[_first_line(e) for e in result.errors or []],
        result_text=(result.result or "")[:500] or None,
        usage=Usage(
            input_tokens=int(usage.get("input_tokens") or 0),
            output_tokens=int(usage.get("output_tokens") or 0),
            cache_read_tokens=int(usage.get("cache_read_input_tokens") or 0),
            cache_creation_tokens=int(usage.get("cache_creation_input_tokens") or 0),
            cost_usd=float(result.total_cost_usd or 0.0),
            turns=result.num_turns,
            sessions=1,
        ),
        denied=list(dict.fromkeys([*denials, *refused])),
        refused=refusal,
    )


def _refusal(name: str | None, block: ToolResultBlock) -> str:
    text = block.content if isinstance(block.content, str) else json.dumps(block.content)
    return f"{name or 'unknown tool'}: {_first_line(text or 'refused')[:160]}"


def _denial(item: Any) -> str:
    if isinstance(item, dict):
        name = item.get("tool_name") or item.get("toolName") or "tool"
        target = item.get("tool_input") or item.get("toolInput") or {}
        detail = ""
        if isinstance(target, dict):
            found = target.get("file_path") or target.get("command") or target.get("path")
            detail = str(found or "")
        return f"{name}: permission denied{f' ({detail[:120]})' if detail else ''}"
    return f"{item}: permission denied"


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def main() -> int:
    job = SessionJob.model_validate_json(sys.stdin.buffer.read())
    outcome = asyncio.run(run(job))
    sys.stdout.write(outcome.model_dump_json())
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
