"""Recalling what baton's earlier runs left on a merge request: its summary note and the replies
in its line discussions, with whether each author may write. Real python-gitlab, the fake
GitLab (notes and replies are written through the API with each person's token)."""

from __future__ import annotations

from collections.abc import Iterator

import gitlab
import pytest
from gitlab.v4.objects import ProjectMergeRequest

from baton.platforms.base import ChangeRequest, Recall, Reply
from baton.platforms.gitlab.platform import GitLabPlatform
from baton.render.markdown import MARKER
from baton.settings import Settings
from tests.fakes.gitlab_api import FakeGitLab, Fault

PROJECT = "acme/app"
REQUEST = ChangeRequest(platform="gitlab", event="merge_request_event", number=7)
SUMMARY = f"{MARKER}\nbaton's summary\n"
TOKENS = {
    "baton": FakeGitLab.BOT_TOKEN,
    "alice": FakeGitLab.USER_TOKEN,  # Maintainer everywhere
    "bob": "glpat-fake-bob",  # Developer everywhere
    "carol": "glpat-fake-carol",  # Reporter of the project
    "dave": "glpat-fake-dave",  # a Developer once, no longer a member
}


def inline(fingerprint: str) -> str:
    return f"🟡 **LOW** unused import\n\n<!-- baton:inline {fingerprint} -->\n"


@pytest.fixture
def fake(fake_gitlab: FakeGitLab) -> FakeGitLab:
    fake_gitlab.add_merge_request(PROJECT, 7)
    fake_gitlab.add_member(PROJECT, "carol", "reporter")
    fake_gitlab.add_member(PROJECT, "dave", "developer")
    for name in ("bob", "carol", "dave"):
        fake_gitlab.add_token(TOKENS[name], name)
    return fake_gitlab


class As:
    """The merge request through the API, as one person."""

    def __init__(self, fake: FakeGitLab) -> None:
        self.fake = fake
        self.clients: list[gitlab.Gitlab] = []

    def __call__(self, name: str) -> ProjectMergeRequest:
        client = gitlab.Gitlab(self.fake.url, private_token=TOKENS[name], timeout=5)
        self.clients.append(client)
        return client.projects.get(PROJECT, lazy=True).mergerequests.get(7, lazy=True)

    def thread(self, name: str, body: str) -> str:
        """A discussion started by `name`; its id."""
        return str(self(name).discussions.create({"body": body}).id)

    def reply(self, name: str, discussion: str, body: str) -> int:
        found = self(name).discussions.get(discussion, lazy=True)
        return int(found.notes.create({"body": body}).id)


@pytest.fixture
def as_(fake: FakeGitLab) -> Iterator[As]:
    people = As(fake)
    yield people
    for client in people.clients:
        client.session.close()


def recall(fake: FakeGitLab, token: str = FakeGitLab.BOT_TOKEN) -> Recall:
    project = fake.add_project(PROJECT)
    environ = {
        "CI_API_V4_URL": fake.api_url,
        "CI_MERGE_REQUEST_PROJECT_ID": str(project.id),
        "CI_MERGE_REQUEST_PROJECT_URL": f"https://gitlab.example/{PROJECT}",
        "CI_JOB_TOKEN": FakeGitLab.JOB_TOKEN,
        "PLATFORM_API_TIMEOUT": "2",
        **({"GITLAB_TOKEN": token} if token else {}),
    }
    return GitLabPlatform(Settings(), environ).recall(REQUEST)


def test_replies_by_developers_and_by_others_are_recalled_with_the_summary(
    fake: FakeGitLab, as_: As
) -> None:
    as_("baton").notes.create({"body": SUMMARY})
    first = as_.thread("baton", inline("00aa"))
    second = as_.thread("baton", inline("00bb"))
    by_alice = as_.reply("alice", first, "/baton dismiss test fixture")
    as_.reply("bob", second, "/baton dismiss generated code")
    as_.reply("carol", first, "/baton dismiss I like it")
    as_.reply("carol", second, "me neither")
    as_.reply("dave", second, "/baton dismiss from before I left")
    fake.remove_member(PROJECT, "dave")

    found = recall(fake)

    assert found.warnings == []
    assert found.summary == SUMMARY
    url = f"https://gitlab.example/{PROJECT}/-/merge_requests/7#note_{by_alice}"
    assert found.replies[0] == Reply("00aa", "alice", True, "/baton dismiss test fixture", url)
    assert [(r.fingerprint, r.author, r.can_write) for r in found.replies[1:]] == [
        ("00bb", "bob", True),
        ("00aa", "carol", False),
        ("00bb", "carol", False),
        ("00bb", "dave", False),
    ]
    asked = [r.route.rpartition("/")[2] for r in fake.requests(route="/members/all/")]
    assert len(asked) == len(set(asked)) == 4  # once per author
    assert [r.status for r in fake.requests(route="/members/all/")][-1] == 404  # dave


def test_a_marker_copied_into_someone_elses_note_or_thread_is_not_batons(
    fake: FakeGitLab, as_: As
) -> None:
    as_("alice").notes.create({"body": f"{MARKER}\nI copied this."})
    copied = as_.thread("alice", inline("00aa"))
    as_.reply("bob", copied, "/baton dismiss sneaky")
    plain = as_.thread("baton", "a thread without a marker")
    as_.reply("bob", plain, "/baton dismiss also sneaky")

    found = recall(fake)

    assert found == Recall()
    assert fake.requests(route="/members/all/") == []


def test_a_later_inline_comment_of_batons_in_its_thread_is_not_a_reply(
    fake: FakeGitLab, as_: As
) -> None:
    """Only a note with baton's marker is baton's: the token's user may be a person (their own
    token), whose words in the thread are replies like anyone's."""
    thread = as_.thread("baton", inline("00aa"))
    as_.reply("baton", thread, inline("00aa"))
    as_.reply("baton", thread, "written with the same token, without a marker")

    found = recall(fake)

    assert [r.body for r in found.replies] == ["written with the same token, without a marker"]


def test_discussions_gitlab_will_not_list_are_a_warning_and_the_summary_stands(
    fake: FakeGitLab, as_: As
) -> None:
    as_("baton").notes.create({"body": SUMMARY})
    as_.reply("alice", as_.thread("baton", inline("00aa")), "ok")
    fake.inject(Fault.server_error(502), times=100, on="reads", path=r"/7/discussions$")

    found = recall(fake)

    assert found.summary == SUMMARY and found.replies == []
    assert found.warnings == [
        "replies to baton's line discussions could not be read: GitLab API error 502 Bad Gateway"
    ]


def test_an_unknown_user_recalls_nothing_and_says_why(fake: FakeGitLab, as_: As) -> None:
    as_("baton").notes.create({"body": SUMMARY})
    fake.inject(Fault.reset(), times=100, on="reads", path=r"^/user$")

    found = recall(fake)

    assert found.summary is None and found.replies == []
    [warning] = found.warnings
    assert warning.startswith(
        "baton's earlier notes could not be read: the token's user is unknown (GitLab API "
        "unreachable"
    )
    assert fake.requests(method="GET", route="/notes") == []


def test_an_access_level_gitlab_will_not_give_is_a_warning_and_no_write(
    fake: FakeGitLab, as_: As
) -> None:
    as_.reply("alice", as_.thread("baton", inline("00aa")), "/baton dismiss fine")
    fake.inject(Fault.server_error(503), times=100, on="reads", path=r"/members/all/")

    found = recall(fake)

    assert [(r.author, r.can_write) for r in found.replies] == [("alice", False)]
    assert found.warnings == [
        "alice's access could not be read: GitLab API error 503 Service Unavailable"
    ]


def test_unreadable_answers_are_read_again(fake: FakeGitLab, as_: As) -> None:
    as_("baton").notes.create({"body": SUMMARY})
    as_.reply("bob", as_.thread("baton", inline("00aa")), "ok")
    for route in (r"/7/notes$", r"/7/discussions$", r"/members/all/"):
        fake.inject(Fault.malformed(), times=1, on="reads", path=route)

    found = recall(fake)

    assert found.warnings == [] and found.summary == SUMMARY
    assert [(r.author, r.can_write) for r in found.replies] == [("bob", True)]


def test_only_a_job_token_or_no_merge_request_asks_nothing(fake: FakeGitLab) -> None:
    assert recall(fake, token="") == Recall()
    project = fake.add_project(PROJECT)
    environ = {"CI_API_V4_URL": fake.api_url, "CI_MERGE_REQUEST_PROJECT_ID": str(project.id)}
    push = ChangeRequest(platform="gitlab", event="push")
    assert GitLabPlatform(Settings(), environ).recall(push) == Recall()
    assert fake.requests() == []
