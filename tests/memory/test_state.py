"""The review state: read back exactly, never closes its HTML comment, not spoofable, always
fits its budget, and every reason it cannot be used is said."""

from __future__ import annotations

import base64
import json
import zlib

from hypothesis import given
from hypothesis import strategies as st

from baton.findings.model import Severity
from baton.memory.record import record_state
from baton.memory.state import PREFIX, Status, encode_state, read_state
from baton.render.markdown import render_markdown
from tests.render.reviews import SCENARIOS, agent, finding, review


@given(
    st.lists(st.text(min_size=1, max_size=30), max_size=20, unique=True),
    st.text(max_size=50),
    st.text(max_size=200),
)
def test_state_round_trips_any_text_and_never_contains_a_comment_end(
    prints: list[str], head: str, title: str
) -> None:
    found = [finding(fingerprint=fp, line=i + 1, title=title) for i, fp in enumerate(prints)]
    result = review(found, [agent("quality", found)], head=head)
    state = record_state(result, subject="github#7", digest="d")
    block = encode_state(state, budget=100_000)
    assert block.startswith(PREFIX) and block.endswith(" -->")
    assert "-->" not in block[: -len(" -->")] and ">" not in block[: -len(" -->")]
    assert "\n" not in block
    read = read_state(f"body\n\n{block}\n")
    assert read.state == state and read.reason is None
    assert read.fingerprints == frozenset(prints)


def test_state_is_read_from_the_end_of_the_comment_only() -> None:
    real = render_markdown(SCENARIOS["pass"]())
    evil = record_state(SCENARIOS["fail"]()).model_copy(update={"head": "evil"})
    spoof = encode_state(evil, budget=100_000)
    read = read_state(real)
    assert read.state is not None and read.state.head != "evil"
    assert read_state(spoof + "\n\nsomething after it").state is None
    assert read_state(real.replace("<!-- baton:state", "<!-- nope")).state is None


def _raw(payload: bytes, version: str = "2") -> str:
    return f"{PREFIX}{version} {base64.b64encode(zlib.compress(payload)).decode()} -->"


def test_every_state_that_cannot_be_used_says_why() -> None:
    cases = {
        None: "no earlier review on this change request",
        "a comment without state": "baton's earlier comment has no review state",
        f"{PREFIX}2 not-base64! -->": "the earlier review state is unreadable",
        _raw(b"not json"): "the earlier review state is unreadable",
        _raw(b'{"findings": [{"fingerprint": 1}]}'): "the earlier review state is unreadable",
        _raw(b'{"unknown": true}'): "the earlier review state is unreadable",
        _raw(b"{}", version="3"): "the earlier review state is of a newer version (3)",
        _raw(b"{}", version="x"): "the earlier review state is of an unknown version (x)",
        '<!-- baton:state {"version":1,"fingerprints":["a"]} -->': (
            "the earlier review state is of an older version (1)"
        ),
    }
    for body, reason in cases.items():
        read = read_state(body)
        assert (read.state, read.reason) == (None, reason), body
    assert read_state('<!-- baton:state {"version":1,"fingerprints":["a"]} -->').fingerprints == {
        "a"
    }


def test_a_state_that_expands_without_end_is_not_read() -> None:
    bomb = json.dumps({"subject": "x" * 10_000_000}).encode()
    assert read_state(_raw(bomb)).reason == "the earlier review state is unreadable"


def test_a_state_too_big_for_its_budget_keeps_the_most_severe_and_is_partial() -> None:
    found = [finding(Severity.LOW, line=i + 1, fingerprint=f"low{i:05}") for i in range(3000)]
    found.insert(0, finding(Severity.CRITICAL, line=1, fingerprint="the-critical-one"))
    result = review(found, [agent("quality", found)])
    block = encode_state(record_state(result), budget=4_000)
    assert len(block) <= 4_000
    state = read_state(block).state
    assert state is not None and state.partial
    assert state.findings[0].fingerprint == "the-critical-one"
    assert 0 < len(state.findings) < 3001
    assert len(state.findings) + state.omitted == 3001


def test_fixed_and_dismissed_findings_and_first_seen_heads_are_recorded() -> None:
    old, kept = finding(fingerprint="old", line=1), finding(fingerprint="kept", line=2)
    first = record_state(review([old, kept], [agent("quality")], head="a" * 40))
    second = record_state(review([kept], [agent("quality")], head="b" * 40), previous=first)
    status = {r.fingerprint: (r.status, r.first_seen) for r in second.findings}
    assert status == {"kept": (Status.OPEN, "a" * 12), "old": (Status.FIXED, "a" * 12)}
    third = record_state(review([kept], [agent("quality")], head="c" * 40), previous=second)
    assert [r.fingerprint for r in third.findings] == ["kept"]  # fixed once, then forgotten
