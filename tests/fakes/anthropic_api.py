"""A fake Anthropic Messages API on 127.0.0.1 that answers from scripts, to drive `claude`.

    with FakeAnthropic() as api:  # or the `fake_anthropic` fixture
        api.script("security", [Reply.text("Looking."), Reply.structured({"findings": []})])
        options = ClaudeAgentOptions(env=api.env("security") | {"HOME": ...}, ...)

Serving: `POST /v1/messages` (any query string; the CLI adds `?beta=true`) answers the next
turn of the request's script: SSE when the body says `"stream": true`, else one JSON message.
`POST /v1/messages/count_tokens` answers a rough count and uses no turn; any other path is a
404 in Anthropic's error shape. Unknown request fields are ignored.

Scripts: a request's key is its `X-Baton-Agent` header (None without one); `api.env(agent)`
sets it through `ANTHROPIC_CUSTOM_HEADERS`. Each key has a queue of turns and **every request
to /v1/messages takes exactly one turn, faults included**: `[Fault.overloaded(), Reply...]`
means "the first attempt gets a 529, the retry gets the reply", so a retry never skips a turn.
A key without a script of its own gets a fresh copy of `script_default(...)`. A key with no
turn left is answered 400 `invalid_request_error` naming the key (outcome "unscripted"): a
short script shows up as a failed run, never as a hang.

Request log: every request is a `RecordedRequest` (path, query, lower-cased headers, JSON
body, key, `time.monotonic()` when received and finished, the turn, and an `outcome` such as
"reply", "http 529", "hang", "garbage", "unscripted", suffixed " (client gone)" or
" (server stopped)"); its fields settle once `finished_at` is set. Helpers give the offered
tool names, the system prompt, the user text and the tool results sent back.

Ledger: each request also records its body's `size` in bytes and `cache`, what the API's
prompt cache would have served (`tests/fakes/anthropic_cache.py`: prefixes up to
`cache_control` breakpoints, written once a reply begins); `api.ledger(key)` sums them. A
request with more than 4 breakpoints is answered 400, as the real API does, without taking
a turn (outcome "too many cache breakpoints").

Observed with claude-agent-sdk 0.2.189 / bundled claude 2.1.332, re-check on upgrade (the
starred facts are pinned by tests/fakes/test_anthropic_api.py):
* Only `/v1/messages?beta=true` is called once CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1.
  `x-stainless-retry-count` stays "0" on the CLI's own retries: a retry looks like a new
  request (the turn queue is what keeps them apart).
* Each content block of a turn reaches the SDK as its own `AssistantMessage`. *A text-only
  turn in a `--json-schema` run is followed by a request whose last user text starts
  "[structured-output-enforce] You MUST call the StructuredOutput tool"; *a valid
  `StructuredOutput` call ends the run with `structured_output` set.
* *The result's `usage` is the sum of the turns' usage and its cost is priced per model:
  claude-opus-5-5 (the default) at $4 / $20 / $5 / $0.20 per million input / output /
  cache-write / cache-read tokens.
* *With `tools=["Read","Grep","Glob"]` + `permission_mode="dontAsk"` the request offers Glob,
  Grep, Read, DeferredToolPlaceholder, StructuredOutput. A Read inside cwd returns the file
  with line numbers ("1\tprint(...)"); a Read outside cwd gets an is_error result "Permission
  to use Read has been denied because Claude Code is running in don't ask mode. ..." and is
  listed in `permission_denials`; Bash and Write get an is_error result "<tool_use_error>Error:
  No such tool available: Bash. ..." and are not listed.
* *429, 529, 500, 401 and a connection reset are retried after ~0.5-0.8 s (a 429 after its
  `retry-after`, read as whole seconds: "1.5" waits 1 s), each shown as a
  `SystemMessage(subtype="api_retry")` with `error_status` (None for a reset or timeout).
  *Once CLAUDE_CODE_MAX_RETRIES is spent the run ends with `is_error=True`,
  `subtype="success"`, `terminal_reason="api_error"`, `api_error_status=529` etc., and the
  SDK raises `ResultError` after yielding that result.
* A 400 is re-sent up to 5 more times with fewer betas and without DeferredToolPlaceholder,
  whatever CLAUDE_CODE_MAX_RETRIES says (so it can use 6 turns). A 403 is not retried
  ("Failed to authenticate. API Error: 403 ..."); a 404 ends "There's an issue with the
  selected model".
* *A malformed stream (garbage, or JSON cut mid-event) is retried once **without streaming**
  (`"stream": false`, no api_retry message, even with CLAUDE_CODE_MAX_RETRIES=0); if that
  answer is malformed too the run ends in an api_error mentioning "non-streaming retry".
* *No first byte within API_TIMEOUT_MS (a hang, or a longer `.delayed()`) ends the attempt
  with "Request timed out ... set API_TIMEOUT_MS above <ms>", retried like a 5xx.
* `extra_args={"bare": None}` (`--bare`) drops Grep and Glob from the offered tools.
* Each run leaves an empty `$TMPDIR/claude-<uid>/fswatch-probe-*` directory behind.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import EllipsisType
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.anthropic_cache import MAX_BREAKPOINTS, CacheLookup, PromptCache
from tests.fakes.anthropic_script import Fault, Reply, Turn, error_body
from tests.fakes.server import FakeHandler, LocalServer, ServedFake

AGENT_HEADER = "X-Baton-Agent"
MESSAGES = "/v1/messages"

Key = str | None | EllipsisType  # `...` means "any key"


@dataclass(frozen=True)
class Ledger:
    """Requests to /v1/messages, their body bytes, and the bytes the cache would serve."""

    requests: int
    bytes: int
    cache_read_bytes: int

    @property
    def uncached_bytes(self) -> int:
        """Bytes the model would read anew: the bodies less what the cache serves."""
        return self.bytes - self.cache_read_bytes


@dataclass(frozen=True)
class ToolResult:
    """A `tool_result` block the client sent back for one of the scripted `tool_use` blocks."""

    tool_use_id: str
    text: str
    is_error: bool


@dataclass
class RecordedRequest:
    """One request as the fake saw it; times are `time.monotonic()` seconds."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: dict[str, Any]
    key: str | None
    received_at: float
    finished_at: float | None = None
    turn: Turn | None = None
    outcome: str = "in progress"
    size: int = 0
    """Bytes of the request body."""
    cache: CacheLookup | None = None
    """What the prompt cache would serve (requests to /v1/messages only)."""

    @property
    def cache_read_bytes(self) -> int:
        return self.cache.read_bytes if self.cache is not None else 0

    @property
    def tool_names(self) -> list[str]:
        """Names of the tools offered to the model."""
        tools = self.body.get("tools", [])
        return [str(tool["name"]) for tool in _blocks(tools) if "name" in tool]

    @property
    def system_text(self) -> str:
        system = self.body.get("system", "")
        if isinstance(system, str):
            return system
        return "\n".join(str(part.get("text", "")) for part in _blocks(system))

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [m for m in self.body.get("messages", []) if isinstance(m, dict)]

    @property
    def user_text(self) -> str:
        """Text of the user turns (prompt, reminders), tool results excluded."""
        return "\n".join(
            str(block.get("text", ""))
            for message in self.messages
            if message.get("role") == "user"
            for block in _blocks(message.get("content"))
            if block.get("type") == "text"
        )

    @property
    def tool_results(self) -> list[ToolResult]:
        """Every `tool_result` in the conversation so far, oldest first."""
        return [
            ToolResult(
                str(block.get("tool_use_id")),
                "\n".join(str(b.get("text", "")) for b in _blocks(block.get("content"))),
                bool(block.get("is_error", False)),
            )
            for message in self.messages
            for block in _blocks(message.get("content"))
            if block.get("type") == "tool_result"
        ]


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [block for block in content if isinstance(block, dict)]
    return []


class FakeAnthropic(ServedFake):
    """The server and its scripts; a context manager (or `close()`). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._scripts: dict[str | None, list[Turn]] = {}
        self._default: list[Turn] | None = None
        self._log: list[RecordedRequest] = []
        self.cache = PromptCache()
        self._server = LocalServer(self, _Handler, "fake-anthropic")
        self.stopping = self._server.stopping

    @property
    def url(self) -> str:
        """The value for `ANTHROPIC_BASE_URL` (no `/v1`)."""
        return self._server.url

    def env(self, agent: str | None = None) -> dict[str, str]:
        """Variables pointing `claude` here, its requests tagged with `agent` when given."""
        env = {
            "ANTHROPIC_BASE_URL": self.url,
            "ANTHROPIC_API_KEY": "sk-ant-fake-key",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        }
        if agent is not None:
            env["ANTHROPIC_CUSTOM_HEADERS"] = f"{AGENT_HEADER}: {agent}"
        return env

    def script(self, key: str | None, turns: Sequence[Turn]) -> None:
        """Answer requests tagged `key` (None: untagged) with `turns`, one turn per request."""
        with self._lock:
            self._scripts[key] = list(turns)

    def script_default(self, turns: Sequence[Turn]) -> None:
        """Give each key without a script of its own a fresh copy of `turns`."""
        with self._lock:
            self._default = list(turns)

    def remaining(self, key: str | None) -> list[Turn]:
        """The turns of `key` not used yet."""
        with self._lock:
            return list(self._scripts.get(key, []))

    def next_turn(self, key: str | None) -> Turn | None:
        """Take `key`'s next turn (None when its script is used up or missing)."""
        with self._lock:
            if key not in self._scripts and self._default is not None:
                self._scripts[key] = list(self._default)
            queue = self._scripts.get(key)
            return queue.pop(0) if queue else None

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._log.append(request)
            self._lock.notify_all()

    def requests(self, key: Key = ..., *, path: str | None = MESSAGES) -> list[RecordedRequest]:
        """Requests on `path` (None: any path) tagged `key` (`...`: any), oldest first."""
        with self._lock:
            return [
                r
                for r in self._log
                if (path is None or r.path == path) and (key is ... or r.key == key)
            ]

    def wait_for(
        self, count: int, key: Key = ..., *, timeout: float = 10.0
    ) -> list[RecordedRequest]:
        """Block until `count` requests tagged `key` arrived; AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(found := self.requests(key)) < count:
                if not self._lock.wait(max(0.0, deadline - time.monotonic())):
                    raise AssertionError(f"{len(found)} of {count} requests came in {timeout} s")
            return found

    def ledger(self, key: Key = ...) -> Ledger:
        """The ledger of the requests to /v1/messages tagged `key` (`...`: any)."""
        found = self.requests(key)
        return Ledger(
            len(found), sum(r.size for r in found), sum(r.cache_read_bytes for r in found)
        )

    def tool_results(self, key: Key = ...) -> dict[str, ToolResult]:
        """Every tool result sent back by requests tagged `key`, by `tool_use_id`."""
        return {res.tool_use_id: res for req in self.requests(key) for res in req.tool_results}


class _Handler(FakeHandler[FakeAnthropic]):
    def serve(self) -> None:
        url = urlsplit(self.path)
        raw = self.read_body()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {}
        headers = self.header_map()
        request = RecordedRequest(
            self.command,
            url.path,
            url.query,
            headers,
            body if isinstance(body, dict) else {},
            headers.get(AGENT_HEADER.lower()),
            time.monotonic(),
            size=len(raw),
        )
        if request.method == "POST" and request.path == MESSAGES:
            request.cache = self.server.backend.cache.lookup(request.body)
        self.server.backend.record(request)
        with self.logged(request):
            self._answer(request)

    def _answer(self, request: RecordedRequest) -> None:
        if request.method == "POST" and request.path == f"{MESSAGES}/count_tokens":
            request.outcome = "count_tokens"
            self._json(200, {"input_tokens": len(json.dumps(request.body)) // 4})
            return
        if request.method != "POST" or request.path != MESSAGES:
            request.outcome = "not found"
            text = f"{request.method} {request.path} is not served by the fake"
            self._json(404, error_body("not_found_error", text))
            return
        if request.cache is not None and request.cache.breakpoints > MAX_BREAKPOINTS:
            request.outcome = "too many cache breakpoints"
            text = (
                f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. "
                f"Found {request.cache.breakpoints}."
            )
            self._json(400, error_body("invalid_request_error", text))
            return
        turn = request.turn = self.server.backend.next_turn(request.key)
        if turn is None:
            request.outcome = "unscripted"
            text = f"the fake Anthropic API has no script turn left for agent {request.key!r}"
            self._json(400, error_body("invalid_request_error", text))
            return
        stream = bool(request.body.get("stream"))
        request.outcome = turn.label
        if self.wait(turn.latency) or (turn.hold is not None and self._hold(turn.hold)):
            request.outcome += " (server stopped)"
        elif isinstance(turn, Reply):
            self._reply(turn, request, stream)
        elif self._fault(turn, stream):
            request.outcome += " (server stopped)"

    def _hold(self, event: threading.Event) -> bool:
        """Wait for the test to set `event`; True if the server stopped first."""
        while not event.wait(0.05):
            if self.server.stopping.is_set():
                return True
        return False

    def _reply(self, turn: Reply, request: RecordedRequest, stream: bool) -> None:
        model = str(request.body.get("model", "claude-fake"))
        message_id = f"msg_fake_{id(request):x}"
        if request.cache is not None:  # the reply begins: the prompt's prefixes are cached
            self.server.backend.cache.store(request.cache)
        if not stream:
            self._json(200, turn.message(model, message_id))
            return
        self._head(200, "text/event-stream", {"cache-control": "no-cache"})
        for event, data in turn.events(model, message_id):
            self._event(event, json.dumps(data))

    def _fault(self, fault: Fault, stream: bool) -> bool:
        """Deliver `fault`; True if a hang was cut short by the server stopping."""
        if fault.kind == "hang":
            return self.wait(fault.seconds)
        if fault.kind == "http":
            extra = {} if fault.retry_after is None else {"retry-after": str(fault.retry_after)}
            self._json(fault.status, error_body(fault.error_type, fault.error_message), extra)
        elif fault.kind == "reset":
            self.reset_connection()
        elif not stream:
            cut = b'{"id": "msg_fake", "type": "mess'
            self._head(200, "application/json", {"content-length": str(len(cut))})
            self.wfile.write(cut)
        elif fault.kind == "garbage":
            self._head(200, "text/event-stream", {})
            self.wfile.write(b"this is not an event stream\n\n<html>oops</html>\n\n")
        else:
            self._head(200, "text/event-stream", {})
            message = '{"id": "msg_fake", "type": "message", "role": "assistant", "content": []}'
            self._event("message_start", f'{{"type": "message_start", "message": {message}}}')
            self.wfile.write(b'event: content_block_start\ndata: {"type": "content_block_st')
        return False

    def _head(self, status: int, content_type: str, extra: dict[str, str]) -> None:
        self.send_head(status, _headers(content_type) | extra)

    def _json(
        self, status: int, payload: dict[str, Any], extra: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        self.send_whole(status, _headers("application/json") | (extra or {}), data)

    def _event(self, event: str, data: str) -> None:
        self.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
        self.wfile.flush()


def _headers(content_type: str) -> dict[str, str]:
    return {"content-type": content_type, "connection": "close", "request-id": "req_fake"}
