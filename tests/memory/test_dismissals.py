"""`/baton dismiss <reason>`: who may, what it may dismiss, and a line for every reply that
asked and does not count."""

from __future__ import annotations

from baton.findings.model import Severity
from baton.memory.dismissals import apply_dismissals, read_dismissals
from baton.platforms.base import Reply
from tests.render.reviews import finding

HIGH = finding(Severity.HIGH, line=3, fingerprint="high-one", rule_id="B608")
CRITICAL = finding(Severity.CRITICAL, line=4, fingerprint="critical-one", rule_id="B602")
LOW = finding(Severity.LOW, line=5, fingerprint="low-one", rule_id="F401")


def reply(fingerprint: str, body: str, *, author: str = "alice", can_write: bool = True) -> Reply:
    return Reply(fingerprint=fingerprint, author=author, can_write=can_write, body=body)


def test_a_writers_dismissal_with_a_reason_moves_the_finding_to_dismissed() -> None:
    dismissals = read_dismissals([reply("high-one", "/baton dismiss the query is a constant")])
    kept, dismissed, notes = apply_dismissals([HIGH, LOW], dismissals, Severity.HIGH)
    assert kept == [LOW]
    [gone] = dismissed
    assert (gone.finding, gone.dismissed_by, gone.justification) == (
        HIGH,
        "alice",
        "the query is a constant",
    )
    assert gone.reason == "dismissed by @alice"
    assert notes == []


def test_replies_that_do_not_count_are_each_listed() -> None:
    replies = [
        reply("high-one", "/baton dismiss   \nsecond line", author="bob"),
        reply("high-one", "/baton dismiss fine by me", author="mallory", can_write=False),
        reply("low-one", "thanks, will fix"),
        reply("low-one", "please /baton dismiss this"),  # not the first thing on the line
        reply("critical-one", "/baton dismiss it is a test fixture"),
        reply("gone-one", "/baton dismiss already fixed"),
    ]
    kept, dismissed, notes = apply_dismissals(
        [HIGH, CRITICAL, LOW], read_dismissals(replies), Severity.HIGH
    )
    assert kept == [HIGH, CRITICAL, LOW] and dismissed == []
    assert notes == [
        "dismissal by @bob ignored: a reason is required (/baton dismiss …)",
        "dismissal by @mallory ignored: they may not write to the repository",
        "dismissal by @alice of CRITICAL B602 at src/app.py:4 refused: above "
        "dismiss_max_severity (HIGH); it needs a code change or the base configuration",
        "dismissal by @alice names a finding this review does not report (gone-one); "
        "nothing dismissed",
    ]


def test_never_lets_no_reply_dismiss_anything_and_the_latest_dismissal_wins() -> None:
    replies = [reply("low-one", "/baton dismiss first"), reply("low-one", "/Baton Dismiss second")]
    dismissals = read_dismissals(replies)
    assert dismissals.valid["low-one"].reason == "second"
    kept, dismissed, notes = apply_dismissals([LOW], dismissals, None)
    assert kept == [LOW] and dismissed == []
    assert "above dismiss_max_severity (never)" in notes[0]


def test_a_dismissal_answering_a_deleted_comment_says_so() -> None:
    dismissals = read_dismissals([reply("", "/baton dismiss it was fine")])
    kept, dismissed, notes = apply_dismissals([HIGH], dismissals, Severity.HIGH)
    assert (kept, dismissed) == ([HIGH], [])
    assert notes == ["dismissal by @alice ignored: the comment it answers no longer exists"]
