"""The fake Anthropic API, checked against the real `claude` CLI run by `claude_agent_sdk.query`.

Every CLI run is offline: the CLI only talks to the fake, with its own HOME, config dir and
TMPDIR (it leaves `claude-<uid>/fswatch-probe-*` directories there), read-only tools
(`tools=["Read","Grep","Glob"]` + `dontAsk`) and a JSON schema for the answer. A few checks
of the wire format itself use plain HTTP.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from claude_agent_sdk import (
    ClaudeAgentOptions,
    ClaudeSDKError,
    Message,
    ResultError,
    ResultMessage,
    SystemMessage,
    query,
)

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import Fault, Reply, Text, ToolUse, Usage
from tests.fakes.repos import GitRepo

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "verdict": {"type": "string", "enum": ["pass", "block"]},
        "findings": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["verdict", "findings"],
}
PASS = {"verdict": "pass", "findings": []}
REVIEW_TOOLS = ["Glob", "Grep", "Read", "StructuredOutput"]


@dataclass
class Run:
    """What one CLI run produced."""

    messages: list[Message] = field(default_factory=list)
    error: ClaudeSDKError | None = None
    seconds: float = 0.0

    @property
    def result(self) -> ResultMessage:
        found = [m for m in self.messages if isinstance(m, ResultMessage)]
        assert len(found) == 1, f"expected one result, got {self.messages!r}"
        return found[0]

    @property
    def retries(self) -> list[dict[str, Any]]:
        return [
            m.data
            for m in self.messages
            if isinstance(m, SystemMessage) and m.subtype == "api_retry"
        ]


async def _run(
    api: FakeAnthropic, cwd: Path, home: Path, agent: str, *, retries: int, timeout_ms: int = 10_000
) -> Run:
    (home / "tmp").mkdir(parents=True)
    env = api.env(agent) | {
        "HOME": str(home),
        "CLAUDE_CONFIG_DIR": str(home / ".claude"),
        "TMPDIR": str(home / "tmp"),
        "CLAUDE_CODE_MAX_RETRIES": str(retries),
        "API_TIMEOUT_MS": str(timeout_ms),
    }
    options = ClaudeAgentOptions(
        cwd=cwd,
        tools=["Read", "Grep", "Glob"],
        permission_mode="dontAsk",
        setting_sources=[],
        output_format={"type": "json_schema", "schema": SCHEMA},
        env=env,
    )
    run = Run()
    started = time.monotonic()
    try:
        async for message in query(prompt="Review the change in this checkout.", options=options):
            run.messages.append(message)
    except ClaudeSDKError as error:
        run.error = error
    run.seconds = time.monotonic() - started
    return run


def run_agent(
    api: FakeAnthropic,
    repo: GitRepo,
    agent: str = "security",
    *,
    retries: int = 2,
    timeout_ms: int = 10_000,
) -> Run:
    home = repo.path.parent / f"home-{agent}"
    return asyncio.run(_run(api, repo.path, home, agent, retries=retries, timeout_ms=timeout_ms))


@pytest.fixture
def checkout(repo: GitRepo) -> GitRepo:
    repo.write("app.py", "print('hello from the checkout')\n")
    repo.commit("add app")
    return repo


def test_text_then_structured_output_ends_with_the_scripted_value_and_priced_usage(
    fake_anthropic: FakeAnthropic, checkout: GitRepo
) -> None:
    findings = {"verdict": "block", "findings": ["hard-coded password in app.py"]}
    fake_anthropic.script(
        "security",
        [
            Reply.text("Looking at the change.", usage=Usage(1200, 30, 500, 2000)),
            Reply.structured(findings, usage=Usage(1500, 80, 0, 2500)),
        ],
    )

    run = run_agent(fake_anthropic, checkout)

    result = run.result
    assert run.error is None
    assert (result.is_error, result.terminal_reason) == (False, "completed")
    assert result.structured_output == findings
    assert result.usage is not None
    usage = {key: result.usage[key] for key in Usage().as_json()}
    assert usage == {
        "input_tokens": 2700,
        "output_tokens": 110,
        "cache_creation_input_tokens": 500,
        "cache_read_input_tokens": 4500,
    }
    # claude-opus-5-5 list price per token: input 4e-6, output 2e-5, cache write 5e-6, read 2e-7
    assert result.total_cost_usd == pytest.approx(
        2700 * 4e-6 + 110 * 2e-5 + 500 * 5e-6 + 4500 * 2e-7
    )
    assert [r.path for r in fake_anthropic.requests(path=None)] == ["/v1/messages"] * 2
    first, second = fake_anthropic.requests("security")
    assert first.headers["x-api-key"] == "sk-ant-fake-key"
    assert first.query == "beta=true"
    assert set(REVIEW_TOOLS) <= set(first.tool_names) and "Bash" not in first.tool_names
    assert "Review the change in this checkout." in first.user_text
    assert "[structured-output-enforce]" in second.user_text
    assert fake_anthropic.remaining("security") == []


def test_a_scripted_read_inside_the_checkout_returns_the_file(
    fake_anthropic: FakeAnthropic, checkout: GitRepo
) -> None:
    read = ToolUse("Read", {"file_path": str(checkout.path / "app.py")}, id="toolu_read_app")
    fake_anthropic.script(
        "security", [Reply.of(Text("Reading app.py."), read), Reply.structured(PASS)]
    )

    run = run_agent(fake_anthropic, checkout)

    assert run.result.structured_output == PASS
    _, after_read = fake_anthropic.requests("security")
    (answer,) = after_read.tool_results
    assert (answer.tool_use_id, answer.is_error) == ("toolu_read_app", False)
    assert "1\tprint('hello from the checkout')" in answer.text
    assert [r.outcome for r in fake_anthropic.requests()] == ["reply", "reply"]


def test_reads_outside_the_checkout_bash_and_write_are_refused(
    fake_anthropic: FakeAnthropic, checkout: GitRepo, tmp_path: Path
) -> None:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("the outside secret\n")
    touched, written = tmp_path / "outside" / "touched", tmp_path / "outside" / "written"
    fake_anthropic.script(
        "security",
        [
            Reply.tool_use("Read", {"file_path": str(secret)}, id="toolu_outside"),
            Reply.tool_use("Bash", {"command": f"touch {touched}"}, id="toolu_bash"),
            Reply.tool_use("Write", {"file_path": str(written), "content": "x"}, id="toolu_write"),
            Reply.structured(PASS),
        ],
    )

    run = run_agent(fake_anthropic, checkout)

    assert not touched.exists() and not written.exists()
    results = fake_anthropic.tool_results("security")
    assert results["toolu_outside"].is_error
    assert "Permission to use Read has been denied" in results["toolu_outside"].text
    assert "the outside secret" not in json.dumps(fake_anthropic.requests()[-1].body)
    assert "No such tool available: Bash" in results["toolu_bash"].text
    assert "No such tool available: Write" in results["toolu_write"].text
    result = run.result
    assert (result.is_error, result.structured_output) == (False, PASS)
    denied = [(d["tool_name"], d["tool_use_id"]) for d in result.permission_denials or []]
    assert denied == [("Read", "toolu_outside")]


@pytest.mark.parametrize(
    ("fault", "status"), [(Fault.overloaded(), 529), (Fault.reset(), None)], ids=["529", "reset"]
)
def test_a_failed_attempt_is_retried_with_the_next_turn(
    fake_anthropic: FakeAnthropic, checkout: GitRepo, fault: Fault, status: int | None
) -> None:
    fake_anthropic.script("security", [fault, Reply.structured(PASS)])

    run = run_agent(fake_anthropic, checkout, retries=1)

    assert run.result.structured_output == PASS
    assert [r.outcome for r in fake_anthropic.requests("security")] == [fault.label, "reply"]
    assert [retry["error_status"] for retry in run.retries] == [status]


def test_a_rate_limit_waits_for_retry_after(
    fake_anthropic: FakeAnthropic, checkout: GitRepo
) -> None:
    fake_anthropic.script("security", [Fault.rate_limited(retry_after=2), Reply.structured(PASS)])

    run = run_agent(fake_anthropic, checkout, retries=1)

    assert run.result.structured_output == PASS
    limited, answered = fake_anthropic.requests("security")
    assert limited.outcome == "http 429"
    assert limited.finished_at is not None
    assert answered.received_at - limited.finished_at >= 1.9
    assert run.retries[0]["error_status"] == 429
    assert run.retries[0]["retry_delay_ms"] >= 2000


def test_an_error_without_retries_left_ends_in_an_api_error_result(
    fake_anthropic: FakeAnthropic, checkout: GitRepo
) -> None:
    fake_anthropic.script("security", [Fault.overloaded(), Reply.structured(PASS)])

    run = run_agent(fake_anthropic, checkout, retries=0)

    assert isinstance(run.error, ResultError)
    result = run.result
    assert (result.is_error, result.subtype, result.terminal_reason) == (
        True,
        "success",
        "api_error",
    )
    assert result.api_error_status == 529
    assert result.structured_output is None
    assert len(fake_anthropic.requests()) == 1


def test_a_hang_ends_in_a_timeout_error_within_bounded_time(
    fake_anthropic: FakeAnthropic, checkout: GitRepo
) -> None:
    fake_anthropic.script("security", [Fault.hang(), Reply.structured(PASS)])

    run = run_agent(fake_anthropic, checkout, retries=0, timeout_ms=1500)

    assert isinstance(run.error, ResultError)
    assert run.result.is_error and run.result.terminal_reason == "api_error"
    assert "Request timed out" in (run.result.result or "")
    assert 1.5 <= run.seconds < 20  # the defaults would wait 600 s per attempt, 10 retries
    (hanging,) = fake_anthropic.requests()
    assert hanging.outcome.startswith("hang") and hanging.finished_at is None


@pytest.mark.parametrize(
    "fault", [Fault.garbage(), Fault.truncated()], ids=["garbage", "truncated"]
)
def test_a_malformed_stream_is_retried_once_without_streaming(
    fake_anthropic: FakeAnthropic, checkout: GitRepo, fault: Fault
) -> None:
    fake_anthropic.script("security", [fault, Reply.structured(PASS)])

    run = run_agent(fake_anthropic, checkout, retries=0)

    assert run.result.structured_output == PASS
    broken, fallback = fake_anthropic.requests("security")
    assert (broken.outcome, broken.body["stream"]) == (fault.label, True)
    assert (fallback.outcome, fallback.body.get("stream", False)) == ("reply", False)
    assert run.retries == []


def test_the_agent_header_selects_the_script_of_concurrent_runs(
    fake_anthropic: FakeAnthropic, checkout: GitRepo
) -> None:
    blocking = {"verdict": "block", "findings": ["eval of user input"]}
    both_asked = threading.Event()
    fake_anthropic.script(
        "security", [Reply.text("Thinking.").held(both_asked), Reply.structured(blocking)]
    )
    fake_anthropic.script(
        "quality", [Reply.text("Thinking.").held(both_asked), Reply.structured(PASS)]
    )

    def release_when_both_asked() -> None:
        fake_anthropic.wait_for(2, timeout=30)
        both_asked.set()

    async def both(api: FakeAnthropic) -> list[Run]:
        runs = (
            _run(
                api,
                checkout.path,
                checkout.path.parent / agent,
                agent,
                retries=0,
                timeout_ms=30_000,
            )
            for agent in ("security", "quality")
        )
        return list(await asyncio.gather(*runs))

    threading.Thread(target=release_when_both_asked, daemon=True).start()
    security, quality = asyncio.run(both(fake_anthropic))

    assert security.result.structured_output == blocking
    assert quality.result.structured_output == PASS
    firsts = [fake_anthropic.requests(agent)[0] for agent in ("security", "quality")]
    assert [len(fake_anthropic.requests(agent)) for agent in ("security", "quality")] == [2, 2]
    assert max(r.received_at for r in firsts) < min(r.finished_at or 0 for r in firsts)


def _post(
    url: str, payload: dict[str, Any], agent: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    headers = {"content-type": "application/json"} | ({"X-Baton-Agent": agent} if agent else {})
    request = urllib.request.Request(url, json.dumps(payload).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_plain_http_answers_json_sse_count_tokens_404_and_unscripted(
    fake_anthropic: FakeAnthropic,
) -> None:
    fake_anthropic.script_default([Reply.structured(PASS, usage=Usage(7, 3))])
    url = fake_anthropic.url

    status, _, body = _post(f"{url}/v1/messages", {"model": "m", "messages": []}, agent="a")
    message = json.loads(body)
    assert status == 200 and message["stop_reason"] == "tool_use"
    assert message["content"][0]["name"] == "StructuredOutput"
    assert message["content"][0]["input"] == PASS
    assert message["usage"]["input_tokens"] == 7
    # the default script is copied per agent, so agent "b" gets its own first turn
    status, headers, body = _post(f"{url}/v1/messages?beta=true", {"stream": True}, agent="b")
    assert status == 200 and headers["content-type"] == "text/event-stream"
    events = [chunk.split("\n", 1) for chunk in body.decode().strip().split("\n\n")]
    assert [name for name, _ in events] == [
        "event: message_start",
        "event: content_block_start",
        "event: content_block_delta",
        "event: content_block_delta",
        "event: content_block_stop",
        "event: message_delta",
        "event: message_stop",
    ]
    data = [json.loads(line.removeprefix("data: ")) for _, line in events]
    partial = "".join(d["delta"]["partial_json"] for d in data[2:4])
    assert json.loads(partial) == PASS
    assert data[5]["delta"]["stop_reason"] == "tool_use" and data[5]["usage"]["output_tokens"] == 3
    status, _, body = _post(f"{url}/v1/messages", {"stream": True}, agent="a")
    assert status == 400 and "no script turn left for agent 'a'" in body.decode()
    status, _, body = _post(f"{url}/v1/messages/count_tokens", {"messages": []})
    assert status == 200 and json.loads(body)["input_tokens"] > 0
    status, _, body = _post(f"{url}/v1/models", {})
    assert status == 404
    assert json.loads(body)["error"]["type"] == "not_found_error"
    assert [r.outcome for r in fake_anthropic.requests(path=None)] == [
        "reply",
        "reply",
        "unscripted",
        "count_tokens",
        "not found",
    ]


def test_plain_http_faults_look_like_the_real_failures(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(None, [Fault.rate_limited(retry_after=3), Fault.reset(), Fault.garbage()])
    url = f"{fake_anthropic.url}/v1/messages"

    status, headers, body = _post(url, {"stream": True})
    assert (status, headers["retry-after"]) == (429, "3")
    assert json.loads(body) == {
        "type": "error",
        "error": {"type": "rate_limit_error", "message": "Rate limited"},
    }
    with pytest.raises(ConnectionResetError):
        _post(url, {"stream": True})
    status, _, body = _post(url, {"stream": False})
    assert status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


def test_leaving_the_fake_does_not_wait_for_a_hanging_request() -> None:
    failures: list[OSError] = []

    def call(url: str) -> None:
        try:
            _post(url, {"stream": True})
        except OSError as error:
            failures.append(error)

    with FakeAnthropic() as api:
        api.script(None, [Fault.hang()])
        client = threading.Thread(target=call, args=(f"{api.url}/v1/messages",))
        client.start()
        api.wait_for(1)
        leaving = time.monotonic()
    client.join(5)

    assert time.monotonic() - leaving < 1.0
    assert not client.is_alive() and len(failures) == 1
    assert api.requests()[0].outcome == "hang (server stopped)"
