"""Reading files at the base commit through GitHub's contents API: real PyGithub, fake GitHub."""

from __future__ import annotations

import pytest

from baton.errors import ExitCode, IncompleteReviewError
from baton.platforms.base import ChangeRequest
from baton.platforms.github.platform import GitHubPlatform
from baton.settings import Settings
from tests.fakes.github_api import FakeGitHub, Fault
from tests.platforms.unreadable_files import UNREADABLE

REPO = "acme/app"
BASE = "b" * 40
HEAD = "c" * 40
REQUEST = ChangeRequest(platform="github", event="pull_request", number=7, base_sha=BASE)


def platform(fake: FakeGitHub, token: str = FakeGitHub.ACTIONS_TOKEN) -> GitHubPlatform:
    environ = {"GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": fake.url, "GITHUB_TOKEN": token}
    return GitHubPlatform(Settings(), environ)


def refusal(fake: FakeGitHub, path: str = ".baton.toml", ref: str = BASE) -> str:
    with pytest.raises(IncompleteReviewError) as caught:
        platform(fake).read_file(REQUEST, path, ref)
    message = str(caught.value)
    assert "\n" not in message
    assert caught.value.exit_code is ExitCode.INCOMPLETE
    return message


def test_a_file_is_read_as_it_is_at_the_base_commit(fake_github: FakeGitHub) -> None:
    fake_github.add_file(REPO, ".baton.toml", 'fail_on = "high"\n', ref=BASE)
    fake_github.add_file(REPO, ".baton.toml", 'fail_on = "never"\n', ref=HEAD)
    fake_github.add_file(REPO, ".claude/agents/style.md", "Prüfe den Stil.\n" * 50, ref=BASE)
    fake_github.add_file(REPO, "prompts/review notes #1.md", "Be brief.\n", ref=BASE)

    github = platform(fake_github)

    assert github.read_file(REQUEST, ".baton.toml", BASE) == 'fail_on = "high"\n'
    assert github.read_file(REQUEST, ".claude/agents/style.md", BASE) == "Prüfe den Stil.\n" * 50
    assert github.read_file(REQUEST, "prompts/review notes #1.md", BASE) == "Be brief.\n"
    [asked] = fake_github.requests(route="/contents/.baton.toml")
    assert asked.query == {"ref": BASE}
    assert asked.route == f"/repos/{REPO}/contents/.baton.toml"


def test_a_missing_file_or_a_folder_is_none(fake_github: FakeGitHub) -> None:
    fake_github.add_file(REPO, ".claude/agents/style.md", "style\n", ref=BASE)

    github = platform(fake_github)

    assert github.read_file(REQUEST, ".baton.toml", BASE) is None
    assert github.read_file(REQUEST, ".claude/agents", BASE) is None


def test_a_folder_lists_the_files_directly_inside_it(fake_github: FakeGitHub) -> None:
    for path in ("b.md", "a.md", "nested/c.md"):
        fake_github.add_file(REPO, f".claude/agents/{path}", "prompt\n", ref=BASE)
    fake_github.add_file(REPO, ".claude/settings.json", "{}\n", ref=BASE)
    fake_github.add_file(REPO, ".claude/agents/only-on-head.md", "prompt\n", ref=HEAD)

    listed = platform(fake_github).list_files(REQUEST, ".claude/agents/", BASE)

    assert listed == [".claude/agents/a.md", ".claude/agents/b.md"]


def test_a_missing_folder_lists_nothing(fake_github: FakeGitHub) -> None:
    fake_github.add_file(REPO, ".baton.toml", "", ref=BASE)

    github = platform(fake_github)

    assert github.list_files(REQUEST, ".claude/agents", BASE) == []
    assert github.list_files(REQUEST, ".baton.toml", BASE) == []


def test_a_fork_pull_requests_read_only_token_may_read(fake_github: FakeGitHub) -> None:
    fake_github.add_file(REPO, ".baton.toml", "inline = false\n", ref=BASE)

    github = platform(fake_github, FakeGitHub.READ_ONLY_TOKEN)

    assert github.read_file(REQUEST, ".baton.toml", BASE) == "inline = false\n"


def test_a_token_without_contents_read_names_the_permission(fake_github: FakeGitHub) -> None:
    fake_github.add_file(REPO, ".baton.toml", "inline = false\n", ref=BASE)
    fake_github.add_token("ghs_no_contents", "github-actions[bot]", contents=False)

    with pytest.raises(IncompleteReviewError) as caught:
        platform(fake_github, "ghs_no_contents").read_file(REQUEST, ".baton.toml", BASE)

    assert str(caught.value) == (
        f"cannot read .baton.toml at {BASE} from GitHub: GitHub API error 403: Resource not "
        f"accessible by integration; the token needs the `contents: read` permission on {REPO}"
    )


def test_an_unknown_token_names_the_permission_too(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)

    with pytest.raises(IncompleteReviewError, match=r"401: Bad credentials; .*contents: read"):
        platform(fake_github, "ghs_revoked").list_files(REQUEST, ".claude/agents", BASE)


def test_server_errors_are_retried_then_stop_the_review(fake_github: FakeGitHub) -> None:
    fake_github.add_file(REPO, ".baton.toml", "inline = false\n", ref=BASE)
    fake_github.inject(Fault.server_error(502), times=10, on="reads", path="/contents/")

    message = refusal(fake_github)

    assert message == (
        f"cannot read .baton.toml at {BASE} from GitHub: GitHub API unreachable: "
        "RetryError: too many 502 error responses"
    )
    assert len(fake_github.requests(route="/contents/")) == 4  # the first try and 3 retries


def test_a_passing_server_error_is_retried_away(fake_github: FakeGitHub) -> None:
    fake_github.add_file(REPO, ".baton.toml", "inline = false\n", ref=BASE)
    fake_github.inject(Fault.server_error(503), times=1, on="reads", path="/contents/")

    assert platform(fake_github).read_file(REQUEST, ".baton.toml", BASE) == "inline = false\n"


@pytest.mark.parametrize(("data", "cause"), UNREADABLE)
def test_a_file_that_is_not_small_utf8_text_stops_the_review(
    fake_github: FakeGitHub, data: bytes, cause: str
) -> None:
    fake_github.add_file(REPO, ".baton.toml", data, ref=BASE)

    assert refusal(fake_github) == f"cannot read .baton.toml at {BASE} from GitHub: {cause}"


def test_a_commit_github_does_not_know_is_not_a_missing_file(fake_github: FakeGitHub) -> None:
    fake_github.add_file(REPO, ".baton.toml", "inline = false\n", ref=BASE)

    message = refusal(fake_github, ref="d" * 40)

    assert message.endswith(f"GitHub does not know commit {'d' * 40}")


def test_a_repository_the_token_cannot_see_is_not_a_missing_file(fake_github: FakeGitHub) -> None:
    message = refusal(fake_github)

    assert message.endswith(f"GitHub shows no repository {REPO} to this token")
