"""What a fake Messages API answers: scripted turns and the wire shapes they produce.

A script is a list of turns. A turn is either a `Reply` (an assistant message made of `Text`
and `ToolUse` blocks, with its own `Usage`) or a `Fault` (an HTTP error, a hang, a malformed
stream, a connection reset); `.delayed(seconds)` and `.held(event)` make either one late.
`Reply.events()` renders the SSE events the Claude Code CLI expects and `Reply.message()` the
same turn as a non-streaming JSON body. Delivering a `Fault` needs the socket, so
`tests/fakes/anthropic_api.py` does that from the fields here.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Literal, Self

STRUCTURED_OUTPUT_TOOL = "StructuredOutput"

_tool_ids = itertools.count(1)


@dataclass(frozen=True)
class Usage:
    """Token counts reported for one turn; the CLI prices the run from these."""

    input_tokens: int = 10
    output_tokens: int = 5
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
        }


@dataclass(frozen=True)
class Text:
    """A `text` content block."""

    text: str


@dataclass(frozen=True)
class ToolUse:
    """A `tool_use` content block; `id` defaults to a fresh `toolu_fake_<n>`."""

    name: str
    input: Mapping[str, Any]
    id: str = field(default_factory=lambda: f"toolu_fake_{next(_tool_ids):04d}")


Block = Text | ToolUse


class _Timed:
    """When a turn's answer starts: after `latency` seconds and, if set, once `hold` is set."""

    __dataclass_fields__: ClassVar[dict[str, Any]]
    latency: float
    hold: threading.Event | None

    def delayed(self, seconds: float) -> Self:
        """This turn, answered only after `seconds` of silence."""
        return replace(self, latency=seconds)

    def held(self, event: threading.Event) -> Self:
        """This turn, answered only once the test sets `event` (or the server stops)."""
        return replace(self, hold=event)


@dataclass(frozen=True)
class Reply(_Timed):
    """An assistant message answering one request.

    `stop` overrides the stop reason, which is `tool_use` when any block is a `ToolUse`,
    else `end_turn`.
    """

    blocks: tuple[Block, ...]
    usage: Usage = Usage()
    stop: str | None = None
    latency: float = 0.0
    hold: threading.Event | None = None

    @classmethod
    def of(cls, *blocks: Block, usage: Usage = Usage()) -> Reply:
        return cls(tuple(blocks), usage)

    @classmethod
    def text(cls, text: str, *, usage: Usage = Usage()) -> Reply:
        return cls((Text(text),), usage)

    @classmethod
    def tool_use(
        cls, name: str, input: Mapping[str, Any], *, id: str | None = None, usage: Usage = Usage()
    ) -> Reply:
        block = ToolUse(name, input) if id is None else ToolUse(name, input, id)
        return cls((block,), usage)

    @classmethod
    def structured(cls, value: Mapping[str, Any], *, usage: Usage = Usage()) -> Reply:
        """The final answer of a `--json-schema` run: a `StructuredOutput` tool call."""
        return cls.tool_use(STRUCTURED_OUTPUT_TOOL, value, usage=usage)

    @property
    def label(self) -> str:
        return "reply"

    @property
    def stop_reason(self) -> str:
        if self.stop is not None:
            return self.stop
        return "tool_use" if any(isinstance(b, ToolUse) for b in self.blocks) else "end_turn"

    def message(self, model: str, message_id: str) -> dict[str, Any]:
        """The whole message, as a non-streaming response body."""
        content: list[dict[str, Any]] = []
        for block in self.blocks:
            if isinstance(block, Text):
                content.append({"type": "text", "text": block.text})
            else:
                content.append(
                    {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
                )
        return {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": self.stop_reason,
            "stop_sequence": None,
            "usage": self.usage.as_json(),
        }

    def events(self, model: str, message_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The `(event, data)` pairs of a streaming response, in wire order."""
        start = self.message(model, message_id) | {"content": [], "stop_reason": None}
        start["usage"] = self.usage.as_json() | {"output_tokens": 1}
        yield "message_start", {"type": "message_start", "message": start}
        for index, block in enumerate(self.blocks):
            yield from _block_events(index, block)
        yield (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": self.stop_reason, "stop_sequence": None},
                "usage": self.usage.as_json(),
            },
        )
        yield "message_stop", {"type": "message_stop"}


def _block_events(index: int, block: Block) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(block, Text):
        start: dict[str, Any] = {"type": "text", "text": ""}
        delta: dict[str, Any] = {"type": "text_delta", "text": block.text}
        deltas = [delta]
    else:
        start = {"type": "tool_use", "id": block.id, "name": block.name, "input": {}}
        encoded = json.dumps(block.input)
        middle = len(encoded) // 2
        deltas = [
            {"type": "input_json_delta", "partial_json": part}
            for part in (encoded[:middle], encoded[middle:])
        ]
    yield (
        "content_block_start",
        {"type": "content_block_start", "index": index, "content_block": start},
    )
    for item in deltas:
        yield "content_block_delta", {"type": "content_block_delta", "index": index, "delta": item}
    yield "content_block_stop", {"type": "content_block_stop", "index": index}


FaultKind = Literal["http", "hang", "garbage", "truncated", "reset"]


@dataclass(frozen=True)
class Fault(_Timed):
    """A turn that fails. Like any turn, it answers exactly one request.

    `http`: an Anthropic error body with `status` (plus `retry-after`, whole seconds, if set).
    `hang`: say nothing for `seconds` (until the server stops when `None`), then close.
    `garbage`: a 200 event stream of lines that are not SSE. `truncated`: a 200 stream cut
    inside a JSON payload. `reset`: close the connection with a TCP reset, no response.
    """

    kind: FaultKind
    status: int = 0
    error_type: str = ""
    error_message: str = ""
    retry_after: int | None = None
    seconds: float | None = None
    latency: float = 0.0
    hold: threading.Event | None = None

    @property
    def label(self) -> str:
        """How the request log names this fault: `http 529`, `hang`, `garbage`, ..."""
        return f"http {self.status}" if self.kind == "http" else self.kind

    @classmethod
    def http(
        cls, status: int, error_type: str, message: str, *, retry_after: int | None = None
    ) -> Fault:
        return cls("http", status, error_type, message, retry_after)

    @classmethod
    def rate_limited(cls, retry_after: int = 1) -> Fault:
        return cls.http(429, "rate_limit_error", "Rate limited", retry_after=retry_after)

    @classmethod
    def overloaded(cls) -> Fault:
        return cls.http(529, "overloaded_error", "Overloaded")

    @classmethod
    def server_error(cls) -> Fault:
        return cls.http(500, "api_error", "Internal server error")

    @classmethod
    def unauthorized(cls) -> Fault:
        return cls.http(401, "authentication_error", "invalid x-api-key")

    @classmethod
    def hang(cls, seconds: float | None = None) -> Fault:
        return cls("hang", seconds=seconds)

    @classmethod
    def garbage(cls) -> Fault:
        return cls("garbage")

    @classmethod
    def truncated(cls) -> Fault:
        return cls("truncated")

    @classmethod
    def reset(cls) -> Fault:
        return cls("reset")


Turn = Reply | Fault


def error_body(error_type: str, message: str) -> dict[str, Any]:
    """Anthropic's error shape."""
    return {"type": "error", "error": {"type": error_type, "message": message}}
