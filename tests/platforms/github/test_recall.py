"""Recalling what baton's earlier runs left on a pull request: its summary comment and the
replies to its inline comments. Real PyGithub, the fake GitHub."""

from __future__ import annotations

import pytest
from github import Auth, Github

from baton.platforms.base import ChangeRequest, Recall, Reply
from baton.platforms.github.platform import GitHubPlatform
from baton.render.markdown import MARKER
from baton.settings import Settings
from tests.fakes.github_api import FakeGitHub, Fault
from tests.fakes.github_state import Pull, ReviewComment

REPO = "acme/app"
BOT = "github-actions[bot]"
REQUEST = ChangeRequest(platform="github", event="pull_request", number=7)
DIFF = """\
diff --git a/app/keys.py b/app/keys.py
new file mode 100644
--- /dev/null
+++ b/app/keys.py
@@ -0,0 +1,3 @@
+import os
+
+KEY = 1
"""
SUMMARY = f"{MARKER}\nbaton's summary\n"


def inline(fingerprint: str) -> str:
    return f"🟡 **LOW** unused import\n\n<!-- baton:inline {fingerprint} -->\n"


def recall(fake: FakeGitHub, token: str = FakeGitHub.ACTIONS_TOKEN) -> Recall:
    environ = {"GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": fake.url, "GITHUB_TOKEN": token}
    return GitHubPlatform(Settings(), environ).recall(REQUEST)


@pytest.fixture
def pull(fake_github: FakeGitHub) -> Pull:
    found = fake_github.add_pull(REPO, 7, diff=DIFF)
    fake_github.set_association(REPO, "maintainer", "MEMBER")
    fake_github.set_association(REPO, "newcomer", "FIRST_TIME_CONTRIBUTOR")
    return found


def batons(fake: FakeGitHub, pull: Pull, fingerprint: str, line: int = 1) -> ReviewComment:
    return fake.add_review_comment(pull, "app/keys.py", line, inline(fingerprint))


def test_replies_by_writers_and_by_others_are_recalled_with_the_summary(
    fake_github: FakeGitHub, pull: Pull
) -> None:
    fake_github.add_comment(pull, SUMMARY, author=BOT)
    first = batons(fake_github, pull, "00aa")
    second = batons(fake_github, pull, "00bb", line=3)
    agreed = fake_github.add_reply(pull, first, "/baton dismiss test fixture", author="maintainer")
    fake_github.add_reply(pull, second, "/baton dismiss I like it", author="octocat")
    fake_github.add_reply(pull, first, "me too", author="newcomer")

    found = recall(fake_github)

    assert found.warnings == []
    assert found.summary == SUMMARY
    assert found.replies == [
        Reply(
            "00aa",
            "maintainer",
            True,
            "/baton dismiss test fixture",
            f"{fake_github.root_url}/{REPO}/pull/7#discussion_r{agreed.id}",
        ),
        Reply("00bb", "octocat", False, "/baton dismiss I like it", found.replies[1].url),
        Reply("00aa", "newcomer", False, "me too", found.replies[2].url),
    ]


def test_a_marker_copied_into_someone_elses_comment_or_thread_is_not_batons(
    fake_github: FakeGitHub, pull: Pull
) -> None:
    fake_github.add_comment(pull, f"{MARKER}\nI copied this.", author="octocat")
    copied = fake_github.add_review_comment(
        pull, "app/keys.py", 1, inline("00aa"), author="octocat"
    )
    fake_github.add_reply(pull, copied, "/baton dismiss sneaky", author="maintainer")
    unmarked = fake_github.add_review_comment(pull, "app/keys.py", 3, "a plain comment")
    fake_github.add_reply(pull, unmarked, "/baton dismiss also sneaky", author="maintainer")

    found = recall(fake_github)

    assert found == Recall()


def test_with_a_token_that_names_its_user_batons_comments_are_that_users(
    fake_github: FakeGitHub, pull: Pull
) -> None:
    fake_github.add_comment(pull, f"{MARKER}\nthe Actions bot's", author=BOT)
    fake_github.add_comment(pull, SUMMARY, author="octocat")
    bots = batons(fake_github, pull, "00aa")
    mine = fake_github.add_review_comment(pull, "app/keys.py", 3, inline("00bb"), author="octocat")
    fake_github.add_reply(pull, bots, "on the bot's", author="maintainer")
    fake_github.add_reply(pull, mine, "on octocat's", author="maintainer")

    found = recall(fake_github, FakeGitHub.USER_TOKEN)

    assert found.summary == SUMMARY
    assert [(r.fingerprint, r.body) for r in found.replies] == [("00bb", "on octocat's")]


def test_comments_github_will_not_list_are_a_warning_and_the_rest_is_recalled(
    fake_github: FakeGitHub, pull: Pull
) -> None:
    fake_github.add_comment(pull, SUMMARY, author=BOT)
    fake_github.add_reply(pull, batons(fake_github, pull, "00aa"), "ok", author="maintainer")
    fake_github.inject(Fault.server_error(502), times=100, on="reads", path=r"/pulls/7/comments$")

    found = recall(fake_github)

    assert found.summary == SUMMARY and found.replies == []
    [warning] = found.warnings
    assert warning.startswith("replies to baton's inline comments could not be read: GitHub API")
    assert "502" in warning


def test_a_summary_github_will_not_list_is_a_warning_and_replies_are_still_read(
    fake_github: FakeGitHub, pull: Pull
) -> None:
    fake_github.add_reply(pull, batons(fake_github, pull, "00aa"), "ok", author="maintainer")
    fake_github.inject(Fault.reset(), times=100, on="reads", path=r"/issues/7/comments$")

    found = recall(fake_github)

    assert found.summary is None
    assert [(r.fingerprint, r.author, r.can_write) for r in found.replies] == [
        ("00aa", "maintainer", True)
    ]
    [warning] = found.warnings
    assert warning.startswith("baton's summary comment could not be read: GitHub API unreachable")


def test_unreadable_answers_are_read_again(fake_github: FakeGitHub, pull: Pull) -> None:
    fake_github.add_comment(pull, SUMMARY, author=BOT)
    fake_github.add_reply(pull, batons(fake_github, pull, "00aa"), "ok", author="maintainer")
    fake_github.inject(Fault.malformed(), times=1, on="reads", path=r"/pulls/7/comments$")
    fake_github.inject(Fault.truncated(), times=1, on="reads", path=r"/issues/7/comments$")

    found = recall(fake_github)

    assert found.warnings == [] and found.summary == SUMMARY and len(found.replies) == 1


def test_outside_a_pull_request_nothing_is_asked(fake_github: FakeGitHub) -> None:
    environ = {"GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": fake_github.url}
    platform = GitHubPlatform(Settings(), environ)

    assert platform.recall(ChangeRequest(platform="github", event="push")) == Recall()
    found = platform.recall(REQUEST)  # no token at all
    assert found.summary is None and found.replies == []
    assert found.warnings == [
        "baton's earlier comments were not read: no GitHub token: set the github_token input "
        "or GITHUB_TOKEN"
    ]
    assert fake_github.requests() == []


def test_a_reply_to_a_deleted_comment_is_recalled_without_a_finding(
    fake_github: FakeGitHub, pull: Pull
) -> None:
    fake_github.add_comment(pull, SUMMARY, author=BOT)
    gone = batons(fake_github, pull, "00aa")
    fake_github.add_reply(pull, gone, "/baton dismiss fine", author="maintainer")
    with Github(base_url=fake_github.url, auth=Auth.Token(FakeGitHub.ACTIONS_TOKEN)) as client:
        client.get_repo(REPO).get_pull(7).get_review_comment(gone.id).delete()

    found = recall(fake_github)

    assert [(r.fingerprint, r.author, r.body) for r in found.replies] == [
        ("", "maintainer", "/baton dismiss fine")
    ]
