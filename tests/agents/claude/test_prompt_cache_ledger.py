"""The fake Messages API's prompt-cache ledger reads what the real cache would serve.

The numbers the session tests and the benchmark rely on: a prefix is served only after a
response that wrote it has begun, only up to a block boundary near a breakpoint, whatever
the breakpoints' places or the content's form; and more than four breakpoints is a 400.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_cache import MIN_CACHEABLE_BYTES, PromptCache
from tests.fakes.anthropic_script import Reply

DIFF = "+ x = 1\n" * (MIN_CACHEABLE_BYTES // 4)
MARK = {"type": "ephemeral"}


def body(role: str, *, marked: bool = True, as_string: bool = False) -> dict[str, Any]:
    shared: dict[str, Any] = {"type": "text", "text": DIFF}
    if marked:
        shared["cache_control"] = MARK
    return {
        "model": "claude-fake",
        "tools": [{"name": "Read", "input_schema": {"type": "object"}}],
        "system": "You review." if as_string else [{"type": "text", "text": "You review."}],
        "messages": [{"role": "user", "content": [shared, {"type": "text", "text": role}]}],
    }


def test_a_prefix_is_served_only_once_a_response_that_wrote_it_has_begun() -> None:
    cache = PromptCache()
    first = cache.lookup(body("security"))
    concurrent = cache.lookup(body("quality"))
    assert first.read_bytes == concurrent.read_bytes == 0
    assert first.written_bytes > len(DIFF)

    cache.store(first)
    later = cache.lookup(body("coverage"))

    assert later.read_bytes == first.written_bytes
    assert later.prompt_bytes - later.read_bytes < 100  # the role is all that is new


def test_the_form_of_the_content_does_not_matter_but_the_model_and_breakpoints_do() -> None:
    cache = PromptCache()
    cache.store(cache.lookup(body("security")))

    assert cache.lookup(body("quality", as_string=True)).read_bytes > len(DIFF)
    assert cache.lookup(body("quality") | {"model": "claude-other"}).read_bytes == 0
    assert cache.lookup(body("quality", marked=False)).read_bytes == 0  # no breakpoint, no read


def test_more_than_four_breakpoints_are_refused_without_using_a_turn() -> None:
    with FakeAnthropic() as api:
        api.script_default([Reply.text("ok")])
        marked = body("security")
        marked["system"] = [
            {"type": "text", "text": f"part {n}", "cache_control": MARK} for n in range(4)
        ]
        request = urllib.request.Request(
            f"{api.url}/v1/messages",
            data=json.dumps(marked).encode(),
            headers={"content-type": "application/json"},
        )
        try:
            urllib.request.urlopen(request, timeout=10)
            status = 200
        except urllib.error.HTTPError as err:
            status = err.code
            message = json.loads(err.read())["error"]["message"]

        assert status == 400
        assert "maximum of 4 blocks with cache_control" in message
        [recorded] = api.requests()
        assert recorded.outcome == "too many cache breakpoints"
        assert recorded.turn is None
        assert api.ledger().requests == 1 and api.ledger().bytes == recorded.size
