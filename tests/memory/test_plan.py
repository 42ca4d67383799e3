"""Full, incremental or remembered — and the reason, for every way the earlier state can stop
an incremental review."""

from __future__ import annotations

from typing import Any

import pytest

from baton.errors import UsageError
from baton.memory.plan import Mode, Plan, plan_review
from baton.memory.state import ReadState, ReviewState, read_state
from baton.settings import Settings
from tests.fakes.repos import GitRepo

MODELS = ("claude-quality", "claude-security")


def state(head: str, base: str, **extra: Any) -> ReviewState:
    values: dict[str, Any] = {
        "subject": "github#7",
        "base": base,
        "head": head,
        "complete": True,
        "config": "digest",
        "agents": dict.fromkeys(MODELS, head),
    }
    return ReviewState(**(values | extra))


def plan(
    repo: GitRepo, read: ReadState, *, base: str, subject: str = "github#7", **settings: Any
) -> Plan:
    return plan_review(
        read,
        root=repo.path,
        head=repo.head(),
        base=base,
        subject=subject,
        digest="digest",
        model_agents=MODELS,
        settings=Settings(**settings),
    )


@pytest.fixture
def pushed(repo: GitRepo) -> tuple[GitRepo, str, str]:
    """A pull request reviewed at `last`, then one more commit pushed."""
    repo.pull_request({"README.md": "x\n"}, {"app.py": "a = 1\n"})
    base = repo.git("merge-base", "main", "HEAD").strip()
    last = repo.head()
    repo.write("app.py", "a = 2\n")
    repo.commit("push")
    return repo, base, last


def test_a_push_on_top_of_the_last_review_is_incremental(pushed: tuple[GitRepo, str, str]):
    repo, base, last = pushed
    got = plan(repo, ReadState(state(last, base)), base=base)
    assert (got.mode, got.since) == (Mode.INCREMENTAL, last)
    assert got.reason == f"model agents review what changed since {last[:7]}"


def test_the_same_head_again_is_remembered_unless_that_review_was_incomplete(
    pushed: tuple[GitRepo, str, str],
) -> None:
    repo, base, _ = pushed
    head = repo.head()
    assert plan(repo, ReadState(state(head, base)), base=base).mode is Mode.REMEMBERED
    incomplete = plan(repo, ReadState(state(head, base, complete=False)), base=base)
    assert (incomplete.mode, incomplete.reason) == (
        Mode.FULL,
        "the last review of this head was incomplete",
    )


def test_every_reason_for_a_full_review_is_given(pushed: tuple[GitRepo, str, str]) -> None:
    repo, base, last = pushed
    repo.git("checkout", "-q", "-b", "rewritten", "main")
    repo.write("app.py", "a = 3\n")
    repo.commit("force-pushed")
    rewritten = repo.head()
    repo.git("checkout", "-q", "feature")
    cases = {
        "no earlier review on this change request": read_state(None),
        "the earlier review state is unreadable": read_state("<!-- baton:state 2 !! -->"),
        "the earlier review state was cut short to fit the comment": ReadState(
            state(last, base, partial=True)
        ),
        "the earlier review state belongs to another change request": ReadState(
            state(last, base, subject="github#8")
        ),
        f"the merge-base changed since the last review ({'0' * 7} → {base[:7]})": ReadState(
            state(last, "0" * 40)
        ),
        "the review configuration changed since the last review": ReadState(
            state(last, base, config="other")
        ),
        "claude-security did not finish the last review": ReadState(
            state(last, base, agents={"claude-quality": last})
        ),
        "the model agents last reviewed different heads": ReadState(
            state(last, base, agents={"claude-quality": last, "claude-security": base})
        ),
        f"the last reviewed head {'f' * 7} is not in the checkout": ReadState(
            state("f" * 40, base, agents=dict.fromkeys(MODELS, "f" * 40))
        ),
        f"the last reviewed head {rewritten[:7]} is not in this head's history (rebase?)": (
            ReadState(state(rewritten, base, agents=dict.fromkeys(MODELS, rewritten)))
        ),
    }
    for reason, read in cases.items():
        got = plan(repo, read, base=base)
        assert (got.mode, got.reason) == (Mode.FULL, reason)
    flags = {
        "a full review was asked for (--full)": {"full": True},
        'incremental review is off (incremental = "off")': {"incremental": "off"},
    }
    for reason, values in flags.items():
        got = plan(repo, ReadState(state(last, base)), base=base, **values)
        assert (got.mode, got.reason) == (Mode.FULL, reason)


def test_since_reviews_from_a_ref_without_any_state(pushed: tuple[GitRepo, str, str]) -> None:
    repo, base, last = pushed
    got = plan(repo, read_state(None), base=base, since="HEAD~1")
    assert (got.mode, got.since, got.state) == (Mode.INCREMENTAL, last, None)
    with pytest.raises(UsageError, match="unknown git ref: 'nope'"):
        plan(repo, read_state(None), base=base, since="nope")
