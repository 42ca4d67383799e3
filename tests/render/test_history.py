"""A rerun's comment: findings marked new or still present, fixed ones counted."""

from __future__ import annotations

from baton.memory.state import read_state
from baton.render.markdown import History, render_markdown
from tests.render.reviews import SCENARIOS


def test_new_still_present_and_fixed() -> None:
    review = SCENARIOS["fail"]()
    prints = [f.fingerprint for f in review.findings]
    history = History(frozenset([prints[0], "gone-1", "gone-2"]), head="a" * 40)

    body = render_markdown(review, history=history, notes=["3 inline comments refused"])

    assert "✔️ 2 findings fixed since aaaaaaa" in body
    assert body.count("still present") == 1
    assert body.count("🆕 new") == len(prints) - 1
    assert "> 3 inline comments refused" in body
    state = read_state(body).state
    assert state is not None
    assert sorted(f.fingerprint for f in state.findings) == sorted(prints)


def test_without_history_nothing_is_marked() -> None:
    body = render_markdown(SCENARIOS["fail"]())
    assert "🆕" not in body
    assert "still present" not in body and "fixed since" not in body
