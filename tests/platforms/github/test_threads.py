"""Publishing on GitHub resolves baton's review threads of fixed findings through GraphQL, and
nothing else. Real PyGithub and requests, the fake GitHub (REST and GraphQL)."""

from __future__ import annotations

import pytest

from baton.change.model import ChangeSet
from baton.findings.model import Severity
from baton.platforms.base import ChangeRequest, Published
from baton.platforms.github.graphql import graphql_url
from baton.platforms.github.platform import GitHubPlatform
from baton.settings import Settings
from tests.fakes.github_api import FakeGitHub, Fault
from tests.fakes.github_state import Pull, ReviewComment
from tests.platforms.fault_matrix import FIXED, earlier_summary
from tests.render.reviews import finding, review

REPO = "acme/app"
BOT = "github-actions[bot]"
OPEN = "00bb00bb00bb00bb00bb"
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
NO_RESOLVE_TOKEN = "ghs_fake_no_resolve"


def inline(fingerprint: str) -> str:
    return f"🟡 **LOW** unused import\n\n<!-- baton:inline {fingerprint} -->\n"


@pytest.fixture
def pull(fake_github: FakeGitHub) -> Pull:
    """A pull request whose earlier review reported `FIXED` and `OPEN`."""
    found = fake_github.add_pull(REPO, 7, diff=DIFF)
    fake_github.add_comment(found, earlier_summary("0" * 40, (FIXED, OPEN)), author=BOT)
    return found


def thread(fake: FakeGitHub, pull: Pull, fingerprint: str, author: str = BOT) -> ReviewComment:
    return fake.add_review_comment(pull, "app/keys.py", 1, inline(fingerprint), author=author)


def publish(
    fake: FakeGitHub, pull: Pull, token: str = FakeGitHub.ACTIONS_TOKEN, api_url: str = ""
) -> Published:
    """baton's review of a head where `OPEN` is still reported and `FIXED` is gone."""
    environ = {
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": api_url or fake.url,
        "GITHUB_TOKEN": token,
        "PLATFORM_API_TIMEOUT": "2",
    }
    platform = GitHubPlatform(Settings(), environ)
    still = finding(Severity.LOW, "app/keys.py", 1, rule_id="F401", fingerprint=OPEN)
    request = ChangeRequest(
        platform="github", event="pull_request", number=7, head_sha=pull.head_sha
    )
    return platform.publish(review([still]), ChangeSet(root="."), request)


def mutations(fake: FakeGitHub) -> int:
    return sum("resolveReviewThread" in str(r.body) for r in fake.requests(route="^/graphql$"))


def test_only_batons_open_thread_of_a_fixed_finding_is_resolved(
    fake_github: FakeGitHub, pull: Pull
) -> None:
    fixed = thread(fake_github, pull, FIXED)
    thread(fake_github, pull, OPEN)  # still reported
    thread(fake_github, pull, FIXED, author="octocat")  # someone else's, marker copied
    thread(fake_github, pull, "00cc00cc00cc00cc00cc")  # not in the earlier review
    fake_github.add_review_comment(pull, "app/keys.py", 3, "no marker at all")

    published = publish(fake_github, pull)

    assert published.warnings == [] and published.summary == "updated"
    assert fake_github.resolved_threads(pull) == {fixed.id: BOT}
    graphql = fake_github.requests(route="^/graphql$")
    assert [r.path for r in graphql] == ["/api/graphql"] * 2  # GitHub Enterprise Server style
    assert all(r.headers["authorization"] == f"bearer {FakeGitHub.ACTIONS_TOKEN}" for r in graphql)

    again = publish(fake_github, pull)  # the summary now lists OPEN only: nothing is fixed

    assert again.warnings == [] and len(fake_github.requests(route="^/graphql$")) == 2
    [summary] = fake_github.comments(pull)  # live: as if the earlier review were read again
    summary.body = earlier_summary("0" * 40, (FIXED, OPEN))

    third = publish(fake_github, pull)

    assert third.warnings == [] and mutations(fake_github) == 1  # a resolved thread is left


def test_threads_are_found_on_every_page_and_at_the_api_root(
    fake_github: FakeGitHub, pull: Pull
) -> None:
    for _ in range(100):
        thread(fake_github, pull, OPEN)
    fixed = thread(fake_github, pull, FIXED)

    published = publish(fake_github, pull, api_url=fake_github.root_url)

    assert published.warnings == []
    assert fake_github.resolved_threads(pull) == {fixed.id: BOT}
    assert [r.path for r in fake_github.requests(route="^/graphql$")] == ["/graphql"] * 3


def test_a_token_that_may_not_resolve_leaves_one_warning(
    fake_github: FakeGitHub, pull: Pull
) -> None:
    fake_github.add_token(
        NO_RESOLVE_TOKEN, BOT, user_endpoint_forbidden=True, resolve_threads=False
    )
    thread(fake_github, pull, FIXED)
    thread(fake_github, pull, FIXED)

    published = publish(fake_github, pull, NO_RESOLVE_TOKEN)

    assert published.summary == "updated"
    assert published.warnings == [
        "review threads of fixed findings were not resolved: the token may not resolve them "
        "(GitHub GraphQL API error (FORBIDDEN): Resource not accessible by integration)"
    ]
    assert fake_github.resolved_threads(pull) == {}
    assert mutations(fake_github) == 1


def test_a_403_from_the_graphql_endpoint_is_one_warning(
    fake_github: FakeGitHub, pull: Pull
) -> None:
    thread(fake_github, pull, FIXED)
    fake_github.inject(Fault.not_accessible(), times=100, path="^/graphql$")

    published = publish(fake_github, pull)

    assert published.summary == "updated"
    assert published.warnings == [
        "review threads of fixed findings were not resolved: the token may not resolve them "
        "(GitHub GraphQL API error 403: Resource not accessible by integration)"
    ]
    assert len(fake_github.requests(route="^/graphql$")) == 1  # a refusal is not retried


def test_graphql_that_keeps_failing_is_one_warning_after_retries(
    fake_github: FakeGitHub, pull: Pull
) -> None:
    thread(fake_github, pull, FIXED)
    fake_github.inject(Fault.server_error(502), times=100, path="^/graphql$")

    published = publish(fake_github, pull)

    assert published.summary == "updated"
    assert published.warnings == [
        "review threads of fixed findings were not resolved: GitHub GraphQL API error 502: "
        "Bad Gateway"
    ]
    assert len(fake_github.requests(route="^/graphql$")) == 4


@pytest.mark.parametrize(
    ("api_url", "endpoint"),
    [
        ("https://api.github.com", "https://api.github.com/graphql"),
        ("https://ghe.example/api/v3", "https://ghe.example/api/graphql"),
        ("https://ghe.example/api/v3/", "https://ghe.example/api/graphql"),
        ("https://api.acme.ghe.com", "https://api.acme.ghe.com/graphql"),
    ],
)
def test_the_graphql_endpoint_sits_beside_the_rest_api(api_url: str, endpoint: str) -> None:
    assert graphql_url(api_url) == endpoint
