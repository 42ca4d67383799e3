"""The fake GitHub API, driven by the real PyGithub client (and real git for a diff).

Retries are PyGithub's own `GithubRetry` (urllib3): the tests count the requests the fake got
and time the gap a `retry-after` asked for.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import github
import pytest
import requests
from github.GithubException import (
    BadCredentialsException,
    GithubException,
    RateLimitExceededException,
    UnknownObjectException,
)
from github.PullRequest import PullRequest, ReviewComment

from tests.fakes.github_api import FakeGitHub, Fault, FileChange
from tests.fakes.repos import GitRepo

REPO = "acme/widgets"
DIFF = """\
diff --git a/app.py b/app.py
index 1111111..2222222 100644
--- a/app.py
+++ b/app.py
@@ -1,3 +1,4 @@
 import os
-x = 1
+x = 2
+y = 3
 print(x)
@@ -20,3 +21,3 @@ def main():
 a = 1
-b = 2
+b = 3
 c = 4
"""


def client(
    fake: FakeGitHub, token: str = FakeGitHub.ACTIONS_TOKEN, **options: Any
) -> github.Github:
    """PyGithub as baton would build it, without its default pauses between requests."""
    settings: dict[str, Any] = {
        "base_url": fake.url,
        "auth": github.Auth.Token(token),
        "seconds_between_requests": None,
        "seconds_between_writes": None,
        "timeout": 5,
    }
    return github.Github(**(settings | options))


@pytest.fixture
def gh(fake_github: FakeGitHub) -> Iterator[github.Github]:
    fake_github.add_pull(REPO, 7, diff=DIFF)
    with client(fake_github) as built:
        yield built


def pr_of(gh: github.Github, number: int = 7) -> PullRequest:
    return gh.get_repo(REPO).get_pull(number)


def test_pull_request_reads_like_github(fake_github: FakeGitHub, gh: github.Github) -> None:
    pr = pr_of(gh)
    assert (pr.number, pr.state, pr.draft, pr.user.login) == (7, "open", False, "octocat")
    assert pr.head.ref == "feature" and pr.base.ref == "main"
    assert pr.head.repo.full_name == REPO and len(pr.head.sha) == 40
    assert (pr.changed_files, pr.additions, pr.deletions) == (1, 3, 2)
    assert [r.route for r in fake_github.requests()] == [f"/repos/{REPO}", f"/repos/{REPO}/pulls/7"]


def test_sticky_comment_is_created_edited_and_deleted(
    fake_github: FakeGitHub, gh: github.Github
) -> None:
    pr = pr_of(gh)
    comment = pr.create_issue_comment("<!-- baton -->\nfirst")
    assert comment.user.login == "github-actions[bot]" and comment.user.type == "Bot"
    assert comment.html_url.endswith(f"/{REPO}/pull/7#issuecomment-{comment.id}")
    comment.edit("<!-- baton -->\nsecond")
    assert [c.body for c in pr.get_issue_comments()] == ["<!-- baton -->\nsecond"]
    stored = fake_github.comments(7)
    assert stored[0].updated_at > stored[0].created_at
    comment.delete()
    assert fake_github.comments(7) == []
    assert [(w.method, w.status) for w in fake_github.writes()] == [
        ("POST", 201),
        ("PATCH", 200),
        ("DELETE", 204),
    ]


def test_comments_are_listed_across_three_pages(fake_github: FakeGitHub, gh: github.Github) -> None:
    fake_github.add_comment(7, "by a person", author="octocat")
    for index in range(1, 65):
        fake_github.add_comment(7, f"note {index}")
    comments = list(pr_of(gh).get_issue_comments())
    assert [c.body for c in comments] == ["by a person"] + [f"note {i}" for i in range(1, 65)]
    assert comments[0].user.type == "User" and comments[1].user.type == "Bot"
    pages = fake_github.requests(route="/comments$")
    assert [p.query.get("page") for p in pages] == [None, "2", "3"]
    assert pages[0].path.startswith("/api/v3/repos/") and pages[1].path.startswith(
        "/api/v3/repositories/"
    )


def test_link_header_names_next_and_last_pages(fake_github: FakeGitHub) -> None:
    pull = fake_github.add_pull(REPO, 3)
    for index in range(5):
        fake_github.add_comment(pull, f"c{index}")
    url = f"{fake_github.url}/repos/{REPO}/issues/3/comments?per_page=2&page=2"
    with urllib.request.urlopen(url) as answer:
        link, items = answer.headers["link"], json.load(answer)
    repo_id = fake_github.add_repo(REPO).id
    base = f"{fake_github.url}/repositories/{repo_id}/issues/3/comments?per_page=2"
    assert [item["body"] for item in items] == ["c2", "c3"]
    assert link == (
        f'<{base}&page=1>; rel="prev", <{base}&page=3>; rel="next", '
        f'<{base}&page=3>; rel="last", <{base}&page=1>; rel="first"'
    )


def test_review_with_two_inline_comments_is_listed(
    fake_github: FakeGitHub, gh: github.Github
) -> None:
    repo = gh.get_repo(REPO)
    pr = repo.get_pull(7)
    review = pr.create_review(
        commit=repo.get_commit(pr.head.sha),
        body="Two findings",
        event="COMMENT",
        comments=[
            {"path": "app.py", "line": 3, "side": "RIGHT", "body": "y is unused"},
            {"path": "app.py", "start_line": 21, "start_side": "RIGHT", "line": 23, "body": "b"},
        ],
    )
    assert (review.state, review.user.login, review.commit_id) == (
        "COMMENTED",
        "github-actions[bot]",
        pr.head.sha,
    )
    listed = list(pr.get_review_comments())
    assert [(c.path, c.line, c.start_line, c.side, c.position) for c in listed] == [
        ("app.py", 3, None, "RIGHT", 4),
        ("app.py", 23, 21, "RIGHT", 10),
    ]
    assert all(c.pull_request_review_id == review.id for c in listed)
    assert listed[0].diff_hunk == "@@ -1,3 +1,4 @@\n import os\n-x = 1\n+x = 2\n+y = 3"
    assert [r.id for r in pr.get_reviews()] == [review.id]
    assert [c.body for c in fake_github.review_comments(7)] == ["y is unused", "b"]


def test_a_bad_line_fails_the_whole_review(fake_github: FakeGitHub, gh: github.Github) -> None:
    pr = pr_of(gh)
    with pytest.raises(GithubException) as refused:
        pr.create_review(
            body="x",
            event="COMMENT",
            comments=[
                {"path": "app.py", "line": 2, "body": "fine"},
                {"path": "app.py", "line": 10, "body": "between hunks"},
                {"path": "other.py", "line": 1, "body": "not in the PR"},
                {"path": "app.py", "line": 2, "side": "LEFT", "body": "removed line: fine"},
                {"path": "app.py", "line": 99, "side": "LEFT", "body": "nowhere"},
            ],
        )
    assert refused.value.status == 422
    assert refused.value.data["message"] == "Unprocessable Entity"
    assert refused.value.data["errors"] == [
        "Line could not be resolved, Path could not be resolved, and Line could not be resolved"
    ]
    assert fake_github.reviews(7) == [] and fake_github.review_comments(7) == []


def test_start_line_must_share_the_hunk_and_precede_the_line(
    fake_github: FakeGitHub, gh: github.Github
) -> None:
    pr = pr_of(gh)
    cases = {
        (3, 22): "Pull request review thread start line must be part of the same hunk as the line.",
        (23, 22): "Pull request review thread start line must precede the end line.",
    }
    for (start, end), reason in cases.items():
        with pytest.raises(GithubException) as refused:
            comment: ReviewComment = {
                "path": "app.py",
                "start_line": start,
                "line": end,
                "body": "range",
            }
            pr.create_review(event="COMMENT", body="r", comments=[comment])
        assert refused.value.data["errors"] == [reason]
    assert fake_github.reviews(7) == []


def test_commit_id_must_be_a_commit_of_the_pull_request(
    fake_github: FakeGitHub, gh: github.Github
) -> None:
    repo = gh.get_repo(REPO)
    pr = repo.get_pull(7)
    old_head, unknown = pr.head.sha, "0" * 40
    fake_github.push(7, "f" * 40, files=[FileChange("new.py", "@@ -0,0 +1 @@\n+z = 1", "added")])
    with pytest.raises(GithubException) as no_commit:
        repo.get_commit(unknown)
    assert no_commit.value.data["message"] == f"No commit found for SHA: {unknown}"
    with pytest.raises(GithubException) as refused:
        payload = {"commit_id": unknown, "event": "COMMENT", "body": "b"}
        gh.requester.requestJsonAndCheck("POST", f"{pr.url}/reviews", input=payload)
    assert refused.value.data["errors"] == ["The commitOID is not part of the pull request"]
    on_old: ReviewComment = {"path": "app.py", "line": 3, "body": "still on the old head"}
    old = pr.create_review(commit=repo.get_commit(old_head), event="COMMENT", comments=[on_old])
    assert old.commit_id == old_head
    on_new: ReviewComment = {"path": "new.py", "line": 1, "body": "n"}
    assert pr.create_review(event="COMMENT", comments=[on_new]).commit_id == "f" * 40
    with pytest.raises(GithubException) as gone:
        pr.create_review(event="COMMENT", comments=[on_old])
    assert gone.value.data["errors"] == ["Path could not be resolved"]
    assert [c.path for c in fake_github.review_comments(7)] == ["app.py", "new.py"]


def test_review_events_are_checked(fake_github: FakeGitHub, gh: github.Github) -> None:
    pr = pr_of(gh)
    with pytest.raises(GithubException) as refused:
        pr.create_review(body="ok", event="APPROVE")
    assert refused.value.data["errors"] == [
        "GitHub Actions is not permitted to approve pull requests."
    ]
    with (
        client(fake_github, FakeGitHub.USER_TOKEN) as author,
        pytest.raises(GithubException) as own,
    ):
        pr_of(author).create_review(body="ok", event="REQUEST_CHANGES")
    assert own.value.data["errors"] == ["Can not request changes on your own pull request"]
    pending = pr.create_review(comments=[{"path": "app.py", "line": 4, "body": "draft"}])
    assert pending.state == "PENDING"
    attempts: list[Callable[[], object]] = [  # any new review while one is pending
        lambda: pr.create_review(body="more"),
        lambda: pr.create_review(body="more", event="COMMENT"),
    ]
    for attempt in attempts:
        with pytest.raises(GithubException) as second:
            attempt()
        assert second.value.data["errors"] == [
            "User can only have one pending review per pull request"
        ]
    with client(fake_github, FakeGitHub.USER_TOKEN) as author:
        assert list(pr_of(author).get_review_comments()) == []
    assert [c.body for c in pr.get_review_comments()] == ["draft"]


def test_position_and_left_side_anchor_comments(fake_github: FakeGitHub, gh: github.Github) -> None:
    pr = pr_of(gh)
    pr.create_review(
        event="COMMENT",
        body="b",
        comments=[
            {"path": "app.py", "position": 2, "body": "on the removed line"},
            {"path": "app.py", "line": 21, "side": "LEFT", "body": "old b"},
        ],
    )
    stored = fake_github.review_comments(7)
    assert [(c.side, c.line, c.position) for c in stored] == [("LEFT", 2, 2), ("LEFT", 21, 8)]


def test_review_comments_are_edited_and_deleted(fake_github: FakeGitHub, gh: github.Github) -> None:
    pr = pr_of(gh)
    pr.create_review(
        event="COMMENT", body="b", comments=[{"path": "app.py", "line": 3, "body": "a"}]
    )
    (comment,) = pr.get_review_comments()
    comment.edit("edited")
    assert pr.get_review_comment(comment.id).body == "edited"
    comment.delete()
    assert fake_github.review_comments(7) == []


def test_bodies_over_65536_characters_are_refused(
    fake_github: FakeGitHub, gh: github.Github
) -> None:
    pr = pr_of(gh)
    pr.create_issue_comment("x" * 65536)
    with pytest.raises(GithubException) as refused:
        pr.create_issue_comment("x" * 65537)
    assert refused.value.status == 422
    assert refused.value.data["errors"] == [
        {
            "resource": "IssueComment",
            "code": "unprocessable",
            "field": "data",
            "message": "Body is too long (maximum is 65536 characters)",
        }
    ]
    with pytest.raises(GithubException) as review:
        pr.create_review(body="x" * 65537, event="COMMENT")
    assert review.value.data["errors"] == ["Body is too long (maximum is 65536 characters)"]
    assert len(fake_github.comments(7)) == 1 and fake_github.reviews(7) == []


def test_read_only_token_gets_403_on_every_write(fake_github: FakeGitHub) -> None:
    pull = fake_github.add_pull(REPO, 7, diff=DIFF, head_repo="contributor/widgets")
    existing = fake_github.add_comment(pull, "old summary")
    with client(fake_github, FakeGitHub.READ_ONLY_TOKEN) as gh:
        pr = pr_of(gh)
        assert pr.head.repo.full_name == "contributor/widgets" and pr.head.repo.fork
        with pytest.raises(GithubException) as refused:
            pr.create_issue_comment("summary")
        assert (refused.value.status, refused.value.data["message"]) == (
            403,
            "Resource not accessible by integration",
        )
        with pytest.raises(GithubException):
            pr.get_issue_comment(existing.id).edit("new summary")
        with pytest.raises(GithubException):
            pr.create_review(body="r", event="COMMENT")
    assert [(w.method, w.status) for w in fake_github.writes()] == [
        ("POST", 403),
        ("PATCH", 403),
        ("POST", 403),
    ]
    assert [c.body for c in fake_github.comments(pull)] == ["old summary"]


def test_deleted_fork_has_no_head_repo(fake_github: FakeGitHub) -> None:
    fake_github.add_pull(REPO, 9, head_repo=None)
    with client(fake_github) as gh:
        assert pr_of(gh, 9).head.repo is None


def test_unknown_token_is_a_401(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    with client(fake_github, "ghp_nobody") as gh, pytest.raises(BadCredentialsException):
        gh.get_repo(REPO)


def test_get_user_is_forbidden_for_the_actions_token(fake_github: FakeGitHub) -> None:
    with client(fake_github) as gh, pytest.raises(GithubException) as refused:
        _ = gh.get_user().login
    assert (refused.value.status, refused.value.data["message"]) == (
        403,
        "Resource not accessible by integration",
    )
    with client(fake_github, FakeGitHub.USER_TOKEN) as gh:
        me = gh.get_user()
        assert (me.login, me.type) == ("octocat", "User")


def test_secondary_rate_limit_is_retried_after_retry_after(
    fake_github: FakeGitHub, gh: github.Github
) -> None:
    pr = pr_of(gh)
    rule = fake_github.inject(Fault.secondary_rate_limit(retry_after=1))
    pr.create_issue_comment("summary")
    first, second = fake_github.writes()
    assert (first.status, first.outcome) == (403, "secondary rate limit 403")
    assert second.status == 201 and rule.hits == 1
    assert second.received_at - first.finished_at >= 0.9  # type: ignore[operator]
    assert [c.body for c in fake_github.comments(7)] == ["summary"]


def test_429_with_retry_after_is_retried(fake_github: FakeGitHub, gh: github.Github) -> None:
    pr = pr_of(gh)
    fake_github.inject(Fault.secondary_rate_limit(retry_after=1, status=429))
    pr.create_review(body="r", event="COMMENT")
    assert [w.status for w in fake_github.writes()] == [429, 200]
    assert len(fake_github.reviews(7)) == 1


def test_server_errors_are_retried_and_primary_limit_is_raised(
    fake_github: FakeGitHub, gh: github.Github
) -> None:
    pr = pr_of(gh)
    fake_github.inject(Fault.server_error(502), times=2)
    pr.create_issue_comment("after two 502s")
    assert [w.status for w in fake_github.writes()] == [502, 502, 201]
    fake_github.inject(Fault.server_error(503), times=11, on="reads")
    with pytest.raises(requests.exceptions.RetryError):
        gh.get_repo(REPO)
    faulted = fake_github.requests(method="GET", route="widgets$")[1:]
    assert [r.status for r in faulted] == [503] * 11  # the first try and 10 retries
    fake_github.inject(Fault.primary_rate_limit(), on="reads")
    with client(fake_github, retry=None) as plain, pytest.raises(RateLimitExceededException):
        plain.get_repo(REPO)


def test_a_hang_times_out_and_the_retry_gets_through(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    fake_github.inject(Fault.hang(), on="reads")
    with client(fake_github, timeout=1) as gh:
        assert gh.get_repo(REPO).full_name == REPO
    assert [r.outcome for r in fake_github.requests()] == ["hang", "ok"]


def test_a_lost_answer_to_a_post_is_retried_into_a_duplicate(fake_github: FakeGitHub) -> None:
    fake_github.add_pull(REPO, 7, diff=DIFF)
    fake_github.inject(Fault.lost_answer())
    with client(fake_github, timeout=1) as gh:
        pr_of(gh).create_issue_comment("summary")
    assert [w.outcome for w in fake_github.writes()] == ["lost answer (201)", "ok"]
    assert [c.body for c in fake_github.comments(7)] == ["summary", "summary"]


def test_files_are_paginated(fake_github: FakeGitHub) -> None:
    files = [FileChange(f"src/m{i:03}.py", "@@ -0,0 +1 @@\n+x = 1", "added") for i in range(260)]
    files.append(FileChange("logo.png", None, "added"))
    files.append(FileChange("new_name.py", None, "renamed", previous_filename="old_name.py"))
    fake_github.add_pull(REPO, 5, files=files)
    with client(fake_github, per_page=100) as gh:
        listed = list(pr_of(gh, 5).get_files())
    assert [f.filename for f in listed] == [f.filename for f in files]
    assert (listed[0].status, listed[0].additions, listed[0].patch) == (
        "added",
        1,
        "@@ -0,0 +1 @@\n+x = 1",
    )
    assert "patch" not in listed[-2].raw_data
    assert (listed[-1].status, listed[-1].previous_filename) == ("renamed", "old_name.py")
    pages = fake_github.requests(route="/files$")
    assert [p.query.get("page") for p in pages] == [None, "2", "3"]


def test_files_list_stops_at_3000(fake_github: FakeGitHub) -> None:
    files = [FileChange(f"f{i}.bin", None, "added") for i in range(3001)]
    fake_github.add_pull(REPO, 5, files=files)
    with client(fake_github) as gh:
        pr = pr_of(gh, 5)
        assert pr.changed_files == 3001
        assert pr.get_files().totalCount == 3000


def test_a_real_git_diff_with_rename_and_binary(fake_github: FakeGitHub, repo: GitRepo) -> None:
    repo.write("keep.py", "a = 1\nb = 2\n")
    repo.write("old.txt", "same\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("keep.py", "a = 1\nb = 3\n")
    repo.git("mv", "old.txt", "new.txt")
    repo.write("logo.png", b"\x89PNG\x00\x01")
    repo.commit("change")
    fake_github.add_pull(REPO, 2, diff=repo.git("diff", "main...feature") + "\n")
    with client(fake_github) as gh:
        files = {f.filename: f for f in pr_of(gh, 2).get_files()}
        assert files["keep.py"].patch == "@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3"
        assert (files["new.txt"].status, files["new.txt"].previous_filename) == (
            "renamed",
            "old.txt",
        )
        assert files["logo.png"].status == "added" and "patch" not in files["logo.png"].raw_data
        with pytest.raises(GithubException) as refused:
            comment: ReviewComment = {"path": "logo.png", "line": 1, "body": "binary"}
            pr_of(gh, 2).create_review(event="COMMENT", body="b", comments=[comment])
        assert refused.value.data["errors"] == ["Line could not be resolved"]


def test_root_url_serves_the_api_with_root_links(fake_github: FakeGitHub) -> None:
    fake_github.add_pull(REPO, 7, diff=DIFF)
    with client(fake_github, base_url=fake_github.root_url) as gh:
        comment = pr_of(gh).create_issue_comment("hi")
        assert comment.url == f"{fake_github.root_url}/repos/{REPO}/issues/comments/{comment.id}"
        assert gh.get_rate_limit().resources.core.limit == 5000
    assert [r.path for r in fake_github.requests()][-2] == f"/repos/{REPO}/issues/7/comments"


def test_unserved_endpoints_are_404s_naming_the_request(
    fake_github: FakeGitHub, gh: github.Github
) -> None:
    pr = pr_of(gh)
    with pytest.raises(UnknownObjectException) as missing:
        pr.create_review_comment("b", pr.head.sha, "app.py", 3)
    assert missing.value.data["fake"] == (
        f"POST /repos/{REPO}/pulls/7/comments is not served by the fake GitHub"
    )
    assert fake_github.requests()[-1].outcome == "unserved"


def test_a_secondary_limit_may_say_when_it_resets_instead_of_retry_after(
    fake_github: FakeGitHub, gh: github.Github
) -> None:
    pr = pr_of(gh)
    fake_github.inject(Fault.secondary_rate_limit(None, reset_in=30, status=429))
    with pytest.raises(GithubException) as limited:  # PyGithub does not retry a bare 429
        pr.create_issue_comment("summary")
    assert limited.value.status == 429
    assert limited.value.headers is not None
    assert limited.value.headers["x-ratelimit-remaining"] == "0"
    assert "retry-after" not in limited.value.headers
    assert fake_github.comments(7) == []


@pytest.mark.parametrize("kind", ["truncated", "malformed"])
def test_a_damaged_answer_is_raised_unretried_after_the_request_was_carried_out(
    fake_github: FakeGitHub, gh: github.Github, kind: str
) -> None:
    pr = pr_of(gh)
    fake_github.inject(Fault.truncated() if kind == "truncated" else Fault.malformed())
    raised = (
        requests.exceptions.ChunkedEncodingError if kind == "truncated" else json.JSONDecodeError
    )
    with pytest.raises(raised):
        pr.create_issue_comment("summary")
    [write] = fake_github.writes()
    assert (write.status, write.outcome) == (201, f"{kind} answer (201)")
    assert [c.body for c in fake_github.comments(7)] == ["summary"]  # carried out, once
    fake_github.inject(Fault.truncated() if kind == "truncated" else Fault.malformed(), on="reads")
    with pytest.raises(raised):
        gh.get_repo(REPO)
    assert gh.get_repo(REPO).full_name == REPO


def test_an_endpoint_github_lacks_and_a_read_only_tokens_write(
    fake_github: FakeGitHub, gh: github.Github
) -> None:
    pr = pr_of(gh)
    fake_github.inject(Fault.not_found(), on="reads", path="^/user$")
    with pytest.raises(UnknownObjectException):
        _ = gh.get_user().login
    fake_github.inject(Fault.not_accessible())
    with pytest.raises(GithubException) as refused:
        pr.create_issue_comment("summary")
    assert (refused.value.status, refused.value.data["message"]) == (
        403,
        "Resource not accessible by integration",
    )


def test_a_fault_can_spare_the_first_requests_and_pick_a_method(
    fake_github: FakeGitHub, gh: github.Github
) -> None:
    pr = pr_of(gh)
    rule = fake_github.inject(Fault.not_found(), path="/comments", method="PATCH", after=1)
    first = pr.create_issue_comment("one")
    first.edit("one, edited")
    with pytest.raises(UnknownObjectException):
        first.edit("one, edited again")
    assert rule.hits == 1
    assert [c.body for c in fake_github.comments(7)] == ["one, edited"]


# -- replies, author_association and GraphQL review threads ----------------------------------

THREADS = """
query($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 1, after: $after) {
        nodes { id isResolved comments(first: 1) { nodes { body author { login } } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""
RESOLVE = """
mutation($thread: ID!) {
  resolveReviewThread(input: {threadId: $thread}) { thread { id isResolved } }
}
"""


def graphql(
    url: str, query: str, token: str | None = FakeGitHub.USER_TOKEN, **variables: Any
) -> requests.Response:
    headers = {} if token is None else {"Authorization": f"bearer {token}"}
    payload: dict[str, Any] = {"query": query, "variables": variables}
    return requests.post(url, json=payload, headers=headers, timeout=5)


def test_a_reply_names_the_top_comment_and_its_authors_association(
    fake_github: FakeGitHub,
) -> None:
    pull = fake_github.add_pull(REPO, 7, diff=DIFF)
    top = fake_github.add_review_comment(pull, "app.py", 2, "look here")
    fake_github.set_association(REPO, "maintainer", "MEMBER")
    fake_github.add_token("tok-maintainer", "maintainer")
    gh = client(fake_github, "tok-maintainer").get_repo(REPO).get_pull(7)

    reply = gh.create_review_comment_reply(top.id, "done")

    assert reply.in_reply_to_id == top.id and reply.author_association == "MEMBER"
    assert (reply.path, reply.line) == ("app.py", 2)
    listed = {c.id: c for c in gh.get_review_comments()}
    assert listed[top.id].raw_data.get("in_reply_to_id", "absent") == "absent"
    assert listed[top.id].author_association == "NONE"  # github-actions[bot]
    octocat = fake_github.add_reply(pull, top, "me too", author="octocat")
    assert (
        client(fake_github)
        .get_repo(REPO)
        .get_pull(7)
        .get_review_comment(octocat.id)
        .author_association
        == "CONTRIBUTOR"
    )
    with pytest.raises(GithubException) as caught:
        gh.create_review_comment_reply(reply.id, "a reply to a reply")
    assert caught.value.status == 422
    with pytest.raises(GithubException) as caught:
        client(fake_github, FakeGitHub.READ_ONLY_TOKEN).get_repo(REPO).get_pull(
            7
        ).create_review_comment_reply(top.id, "from a fork")
    assert caught.value.status == 403


def test_graphql_lists_threads_page_by_page_and_resolves_them(fake_github: FakeGitHub) -> None:
    pull = fake_github.add_pull(REPO, 7, diff=DIFF)
    first = fake_github.add_review_comment(pull, "app.py", 2, "first")
    fake_github.add_reply(pull, first, "a reply", author="octocat")
    second = fake_github.add_review_comment(pull, "app.py", 3, "second", author="octocat")
    url = fake_github.url.removesuffix("/v3") + "/graphql"  # GitHub Enterprise Server style
    variables: dict[str, Any] = {"owner": "acme", "name": "widgets", "number": 7}

    one = graphql(url, THREADS, **variables).json()["data"]["repository"]["pullRequest"]
    page = one["reviewThreads"]
    assert page["nodes"] == [
        {
            "id": f"PRRT_fake{first.id}",
            "isResolved": False,
            "comments": {"nodes": [{"body": "first", "author": {"login": "github-actions"}}]},
        }
    ]
    assert page["pageInfo"]["hasNextPage"] is True
    after = page["pageInfo"]["endCursor"]
    two = graphql(fake_github.root_url + "/graphql", THREADS, after=after, **variables).json()
    page = two["data"]["repository"]["pullRequest"]["reviewThreads"]
    assert [n["id"] for n in page["nodes"]] == [f"PRRT_fake{second.id}"]
    assert page["pageInfo"]["hasNextPage"] is False

    answer = graphql(url, RESOLVE, thread=f"PRRT_fake{first.id}")
    assert answer.json() == {
        "data": {
            "resolveReviewThread": {"thread": {"id": f"PRRT_fake{first.id}", "isResolved": True}}
        }
    }
    assert fake_github.resolved_threads(pull) == {first.id: "octocat"}
    assert [r.route for r in fake_github.requests()] == ["/graphql"] * 3


def test_graphql_errors_come_in_githubs_shapes(fake_github: FakeGitHub) -> None:
    pull = fake_github.add_pull(REPO, 7, diff=DIFF)
    top = fake_github.add_review_comment(pull, "app.py", 2, "first")
    url = fake_github.root_url + "/graphql"

    forbidden = graphql(url, RESOLVE, FakeGitHub.READ_ONLY_TOKEN, thread=f"PRRT_fake{top.id}")
    assert forbidden.status_code == 200
    body = forbidden.json()
    assert body["data"] == {"resolveReviewThread": None}
    [error] = body["errors"]
    assert error["type"] == "FORBIDDEN" and error["path"] == ["resolveReviewThread"]
    assert error["message"] == "Resource not accessible by integration"
    fake_github.add_token("tok-app", "app[bot]", type="Bot", resolve_threads=False)
    assert (
        graphql(url, RESOLVE, "tok-app", thread=f"PRRT_fake{top.id}").json()["errors"][0]["type"]
        == "FORBIDDEN"
    )
    assert fake_github.resolved_threads(pull) == {}

    missing = graphql(url, RESOLVE, thread="PRRT_nope").json()
    assert missing["errors"][0]["type"] == "NOT_FOUND"
    assert "Could not resolve to a node with the global id of 'PRRT_nope'" in str(missing)
    gone = graphql(url, THREADS, owner="acme", name="nope", number=7).json()
    assert gone["data"] == {"repository": None}
    assert gone["errors"][0]["path"] == ["repository"]
    unknown = graphql(url, '{ repository(owner: "acme", name: "widgets") { stars } }').json()
    assert "data" not in unknown
    assert unknown["errors"][0]["message"] == "Field 'stars' doesn't exist on type 'Repository'"
    unparsed = graphql(url, "{ repository(owner: ").json()
    assert unparsed["errors"][0]["message"] == "Unexpected end of document"
    invalid = graphql(url, THREADS, owner="acme", name="widgets").json()
    assert invalid["errors"][0]["message"].startswith("Variable $number of type Int!")
    anonymous = graphql(url, THREADS, None, owner="acme", name="widgets", number=7)
    assert anonymous.status_code == 401
    assert graphql(url, THREADS, "wrong", number=7).json()["message"] == "Bad credentials"


def test_graphql_meets_planned_faults_like_any_request(fake_github: FakeGitHub) -> None:
    fake_github.add_pull(REPO, 7, diff=DIFF)
    fake_github.inject(Fault.server_error(502), on="writes", path=r"^/graphql$")
    url = fake_github.url.removesuffix("/v3") + "/graphql"
    variables: dict[str, Any] = {"owner": "acme", "name": "widgets", "number": 7}

    assert graphql(url, THREADS, **variables).status_code == 502
    assert graphql(url, THREADS, **variables).status_code == 200
