"""The state block: read back exactly, never closes its HTML comment early, not spoofable."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from baton.findings.model import Severity
from baton.render.markdown import render_markdown
from baton.render.state import parse_state, state_block
from tests.render.reviews import SCENARIOS, agent, finding, review


@given(st.lists(st.text(min_size=1, max_size=30), max_size=20, unique=True), st.text(max_size=50))
def test_state_round_trips_any_text_and_never_contains_a_comment_end(
    prints: list[str], head: str
) -> None:
    found = [finding(fingerprint=fp, line=i + 1) for i, fp in enumerate(prints)]
    result = review(found, [agent("quality", found)], head=head)
    block = state_block(result, found, budget=100_000)
    assert block.startswith("<!-- baton:state ")
    assert block.endswith(" -->")
    assert "-->" not in block[: -len(" -->")]
    assert ">" not in block[: -len(" -->")]
    assert "\n" not in block
    assert parse_state(f"body\n\n{block}\n") == {
        "version": 1,
        "head": head,
        "verdict": result.gate.verdict.value,
        "fingerprints": prints,
    }


def test_state_is_read_from_the_end_of_the_comment_only() -> None:
    real = render_markdown(SCENARIOS["pass"]())
    spoof = '<!-- baton:state {"version":1,"head":"evil","verdict":"pass","fingerprints":[]} -->'
    assert parse_state(real)["head"] != "evil"  # type: ignore[index]
    assert parse_state(spoof + "\n\nsomething after it") is None
    assert parse_state(real.replace("<!-- baton:state", "<!-- nope")) is None


def test_broken_or_foreign_state_reads_as_none() -> None:
    assert parse_state("") is None
    assert parse_state("<!-- baton:state {not json} -->") is None
    assert parse_state("<!-- baton:state [1, 2] -->") is None
    assert parse_state('<!-- baton:state {"version": 2} -->') is None


def test_too_many_fingerprints_keep_the_most_severe_and_say_how_many_were_left_out() -> None:
    found = [finding(Severity.LOW, line=i + 1, fingerprint=f"low{i:05}") for i in range(2000)]
    found.append(finding(Severity.CRITICAL, line=1, fingerprint="the-critical-one", rule_id="X"))
    result = review(found, [agent("quality", found)])
    body = render_markdown(result)
    state = parse_state(body)
    assert state is not None
    assert state["fingerprints"][0] == "the-critical-one"
    assert state["omitted"] == 2001 - len(state["fingerprints"])
    assert state["omitted"] > 0
    assert len(body) <= 65_000
