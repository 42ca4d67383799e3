"""Reading files at the base commit through GitLab's repository files and tree APIs: real
python-gitlab, fake GitLab."""

from __future__ import annotations

import pytest

from baton.errors import ExitCode, IncompleteReviewError
from baton.platforms.base import ChangeRequest
from baton.platforms.gitlab.platform import GitLabPlatform
from baton.settings import Settings
from tests.fakes.gitlab_api import FakeGitLab, Fault
from tests.platforms.unreadable_files import UNREADABLE

PROJECT = "acme/app"
BASE = "b" * 40
HEAD = "c" * 40
REQUEST = ChangeRequest(platform="gitlab", event="merge_request_event", number=7, base_sha=BASE)
ACCESS = "the GitLab token needs the read_api scope (read_repository is enough for single files) "


def platform(fake: FakeGitLab, token: str | None = FakeGitLab.BOT_TOKEN) -> GitLabPlatform:
    project = fake.add_project(PROJECT)
    environ = {
        "CI_API_V4_URL": fake.api_url,
        "CI_PROJECT_ID": "999",  # a fork's pipeline: the merge request's project is the target
        "CI_MERGE_REQUEST_PROJECT_ID": str(project.id),
        "CI_JOB_TOKEN": FakeGitLab.JOB_TOKEN,
        **({"GITLAB_TOKEN": token} if token else {}),
    }
    return GitLabPlatform(Settings(), environ)


def refusal(fake: FakeGitLab, token: str = FakeGitLab.BOT_TOKEN, ref: str = BASE) -> str:
    with pytest.raises(IncompleteReviewError) as caught:
        platform(fake, token).read_file(REQUEST, ".baton.toml", ref)
    message = str(caught.value)
    assert "\n" not in message
    assert caught.value.exit_code is ExitCode.INCOMPLETE
    return message


def test_a_file_is_read_as_it_is_at_the_base_commit(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.add_file(PROJECT, ".baton.toml", 'fail_on = "high"\n', ref=BASE)
    fake_gitlab.add_file(PROJECT, ".baton.toml", 'fail_on = "never"\n', ref=HEAD)
    fake_gitlab.add_file(PROJECT, ".claude/agents/style.md", "Prüfe den Stil.\n" * 50, ref=BASE)
    fake_gitlab.add_file(PROJECT, "prompts/review notes #1.md", "Be brief.\n", ref=BASE)

    gitlab = platform(fake_gitlab)

    assert gitlab.read_file(REQUEST, ".baton.toml", BASE) == 'fail_on = "high"\n'
    assert gitlab.read_file(REQUEST, ".claude/agents/style.md", BASE) == "Prüfe den Stil.\n" * 50
    assert gitlab.read_file(REQUEST, "prompts/review notes #1.md", BASE) == "Be brief.\n"
    [asked] = fake_gitlab.requests(route="/repository/files/.baton.toml")
    assert asked.query == {"ref": BASE}


def test_a_missing_file_or_a_folder_is_none(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.add_file(PROJECT, ".claude/agents/style.md", "style\n", ref=BASE)

    gitlab = platform(fake_gitlab)

    assert gitlab.read_file(REQUEST, ".baton.toml", BASE) is None
    assert gitlab.read_file(REQUEST, ".claude/agents", BASE) is None


def test_a_folder_lists_the_files_directly_inside_it_over_pages(fake_gitlab: FakeGitLab) -> None:
    names = [f"agent-{n:02d}.md" for n in range(25)]  # more than one page of 20
    for path in [*names, "nested/c.md"]:
        fake_gitlab.add_file(PROJECT, f".claude/agents/{path}", "prompt\n", ref=BASE)
    fake_gitlab.add_file(PROJECT, ".claude/settings.json", "{}\n", ref=BASE)
    fake_gitlab.add_file(PROJECT, ".claude/agents/only-on-head.md", "prompt\n", ref=HEAD)

    listed = platform(fake_gitlab).list_files(REQUEST, ".claude/agents/", BASE)

    assert listed == [f".claude/agents/{name}" for name in names]
    assert len(fake_gitlab.requests(route="/repository/tree")) == 2


def test_a_missing_folder_lists_nothing(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.add_file(PROJECT, ".baton.toml", "", ref=BASE)

    gitlab = platform(fake_gitlab)

    assert gitlab.list_files(REQUEST, ".claude/agents", BASE) == []
    assert gitlab.list_files(REQUEST, ".baton.toml", BASE) == []


def test_read_only_tokens_may_read(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.add_file(PROJECT, ".claude/agents/a.md", "prompt\n", ref=BASE)
    fake_gitlab.add_token("glpat-read-repository", "alice", scopes=("read_repository",))

    read_api = platform(fake_gitlab, FakeGitLab.READ_API_TOKEN)
    read_repository = platform(fake_gitlab, "glpat-read-repository")

    assert read_api.list_files(REQUEST, ".claude/agents", BASE) == [".claude/agents/a.md"]
    assert read_repository.read_file(REQUEST, ".claude/agents/a.md", BASE) == "prompt\n"


def test_a_token_without_a_read_scope_names_the_scope(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.add_file(PROJECT, ".baton.toml", "inline = false\n", ref=BASE)
    fake_gitlab.add_token("glpat-user-only", "alice", scopes=("read_user",))

    message = refusal(fake_gitlab, "glpat-user-only")

    assert message == (
        f"cannot read .baton.toml at {BASE} from GitLab: GitLab API error 403 "
        f"insufficient_scope; {ACCESS}and at least Reporter access to project "
        f"{fake_gitlab.add_project(PROJECT).id}"
    )


def test_a_guest_or_the_job_token_alone_is_told_what_access_is_needed(
    fake_gitlab: FakeGitLab,
) -> None:
    fake_gitlab.add_file(PROJECT, ".baton.toml", "inline = false\n", ref=BASE)
    fake_gitlab.add_project_token(PROJECT, "glpat-guest", role="guest")

    as_guest = refusal(fake_gitlab, "glpat-guest")
    with pytest.raises(IncompleteReviewError) as caught:
        platform(fake_gitlab, token=None).read_file(REQUEST, ".baton.toml", BASE)

    assert "GitLab API error 403 Forbidden; " + ACCESS in as_guest
    assert "GitLab API error 404 Project Not Found; " + ACCESS in str(caught.value)


def test_server_errors_are_retried_then_stop_the_review(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.add_file(PROJECT, ".baton.toml", "inline = false\n", ref=BASE)
    fake_gitlab.inject(Fault.server_error(502), times=10, on="reads", path="/repository/")

    message = refusal(fake_gitlab)

    assert message == (
        f"cannot read .baton.toml at {BASE} from GitLab: GitLab API error 502 Bad Gateway"
    )
    assert len(fake_gitlab.requests(route="/repository/files/")) == 4  # first try, 3 retries


def test_server_errors_while_listing_stop_the_review_too(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.inject(Fault.server_error(500), times=10, on="reads", path="/repository/")

    with pytest.raises(IncompleteReviewError) as caught:
        platform(fake_gitlab).list_files(REQUEST, ".claude/agents", BASE)

    assert str(caught.value) == (
        f"cannot read .claude/agents at {BASE} from GitLab: "
        "GitLab API error 500 Internal Server Error"
    )


def test_a_passing_server_error_is_retried_away(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.add_file(PROJECT, ".baton.toml", "inline = false\n", ref=BASE)
    fake_gitlab.inject(Fault.server_error(503), times=2, on="reads", path="/repository/")

    assert platform(fake_gitlab).read_file(REQUEST, ".baton.toml", BASE) == "inline = false\n"


@pytest.mark.parametrize(("data", "cause"), UNREADABLE)
def test_a_file_that_is_not_small_utf8_text_stops_the_review(
    fake_gitlab: FakeGitLab, data: bytes, cause: str
) -> None:
    fake_gitlab.add_file(PROJECT, ".baton.toml", data, ref=BASE)

    assert refusal(fake_gitlab) == f"cannot read .baton.toml at {BASE} from GitLab: {cause}"


def test_a_commit_gitlab_does_not_know_is_not_a_missing_file(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.add_file(PROJECT, ".baton.toml", "inline = false\n", ref=BASE)

    message = refusal(fake_gitlab, ref="d" * 40)

    assert message.endswith(f"GitLab does not know commit {'d' * 40}")
