"""Reading one Claude Code session's output: how it ended, told honestly.

The CLI, run with `--output-format stream-json --verbose --include-partial-messages`, writes
one JSON object per line: a `system` init, the Messages API's own events as `stream_event`s,
each finished `assistant` and `user` message, `system` notices, and a final `result`.
`read_transcript` turns those lines into a `SessionOutcome`:

* the result's structured output, error flags (`is_error`, `subtype`, `terminal_reason`,
  `api_error_status`, `errors`), usage, cost and turns;
* every refused or failed tool call (`permission_denials`, and each `tool_result` marked as an
  error, named by the tool that was called);
* whether any model turn was **refused**: its API stop reason is `refusal`. The CLI carries
  on once after such a turn, and a later answer does not undo it. It is read from the API's
  `message_delta` event, from an assistant message's or the result's `stop_reason`, from the
  result's `safety_stops`, and from the notices the CLI shows (`REFUSAL_NOTICES`);
* a crash when there is no result at all.

`began(line)` says whether a line reports that a response has begun (`message_start`): from
then on the API has the request's prompt prefix in its cache.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from baton.agents.base import Usage
from baton.agents.claude.protocol import SessionOutcome

REFUSAL = "refusal"
"""The Messages API's stop reason when the model declines to answer."""
REFUSAL_NOTICES = ("safeguards stopped the response", "stopped by a safety classifier")
"""How Claude Code says a turn ended in a refusal before it carries on (observed with the
CLI bundled in claude-agent-sdk 0.2.189): a system notice, then a synthetic user message."""


def began(line: str | bytes) -> bool:
    """Whether `line` is the `message_start` event of a response."""
    event = _load(line)
    inner = event.get("event") if event.get("type") == "stream_event" else None
    return isinstance(inner, dict) and inner.get("type") == "message_start"


def read_transcript(lines: Iterable[str], *, exit_status: str) -> SessionOutcome:
    """The outcome of a session whose process wrote `lines` and ended with `exit_status`
    (`code 1: <last line of stderr>`, shown when there is no result)."""
    tools: dict[str, str] = {}
    failed_tools: list[str] = []
    refused = False
    result: dict[str, Any] | None = None
    for line in lines:
        item = _load(line)
        refused = refused or _is_refusal(item)
        kind = item.get("type")
        message = _dict(item.get("message"))
        if kind == "assistant":
            for block in _blocks(message.get("content")):
                if block.get("type") == "tool_use":
                    tools[str(block.get("id"))] = str(block.get("name") or "")
        elif kind == "user":
            for block in _blocks(message.get("content")):
                if block.get("type") == "tool_result" and block.get("is_error"):
                    name = tools.get(str(block.get("tool_use_id")))
                    failed_tools.append(_failed_tool(name, block))
        elif kind == "result":
            result = item
    if result is None:
        return SessionOutcome(
            crash=f"claude ended without a result ({exit_status})",
            denied=list(dict.fromkeys(failed_tools)),
            refused=refused,
        )
    return _outcome(result, failed_tools, refused)


def _is_refusal(item: dict[str, Any]) -> bool:
    kind = item.get("type")
    if kind == "stream_event":
        event = _dict(item.get("event"))
        delta = _dict(event.get("delta"))
        return event.get("type") == "message_delta" and delta.get("stop_reason") == REFUSAL
    if kind == "assistant":
        message = _dict(item.get("message"))
        return message.get("stop_reason") == REFUSAL
    if kind == "result":
        return item.get("stop_reason") == REFUSAL or _int(item.get("safety_stops")) > 0
    if kind == "system":
        content = item.get("content")
        notice = isinstance(content, str) and _has_notice(content)
        return REFUSAL in str(item.get("subtype") or "") or notice
    if kind == "user":
        message = _dict(item.get("message"))
        blocks = _blocks(message.get("content"))
        return any(b.get("type") == "text" and _has_notice(str(b.get("text"))) for b in blocks)
    return False


def _outcome(result: dict[str, Any], failed_tools: list[str], refused: bool) -> SessionOutcome:
    usage = _dict(result.get("usage"))
    denials = [_denial(item) for item in result.get("permission_denials") or []]
    errors = result.get("errors")
    errors = errors if isinstance(errors, list) else []
    status = result.get("api_error_status")
    text = result.get("result")
    return SessionOutcome(
        structured_output=result.get("structured_output"),
        is_error=bool(result.get("is_error")),
        subtype=_str(result.get("subtype")),
        terminal_reason=_str(result.get("terminal_reason")),
        api_error_status=status if isinstance(status, int) else None,
        errors=[_first_line(str(e)) for e in errors],
        result_text=(text[:500] or None) if isinstance(text, str) else None,
        usage=Usage(
            input_tokens=_int(usage.get("input_tokens")),
            output_tokens=_int(usage.get("output_tokens")),
            cache_read_tokens=_int(usage.get("cache_read_input_tokens")),
            cache_creation_tokens=_int(usage.get("cache_creation_input_tokens")),
            cost_usd=_float(result.get("total_cost_usd")),
            turns=_int(result.get("num_turns")),
            sessions=1,
        ),
        denied=list(dict.fromkeys([*denials, *failed_tools])),
        refused=refused,
    )


def _failed_tool(name: str | None, block: dict[str, Any]) -> str:
    content = block.get("content")
    text = content if isinstance(content, str) else json.dumps(content)
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


def _load(line: str | bytes) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except ValueError:
        return {}
    return item if isinstance(item, dict) else {}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [block for block in content if isinstance(block, dict)]
    return []


def _has_notice(text: str) -> bool:
    return any(notice in text for notice in REFUSAL_NOTICES)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _float(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
