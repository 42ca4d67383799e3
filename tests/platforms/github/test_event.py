"""Reading the GitHub Actions event: pull requests, forks, drafts, other events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baton.errors import UsageError
from baton.platforms.github.event import load_event


def pull_event(tmp_path: Path, *, head_repo: str | None = "acme/app", draft: bool = False) -> Path:
    payload = {
        "action": "synchronize",
        "pull_request": {
            "number": 42,
            "title": "Add deletion",
            "html_url": "https://github.com/acme/app/pull/42",
            "draft": draft,
            "base": {"sha": "b" * 40, "ref": "main", "repo": {"full_name": "acme/app"}},
            "head": {
                "sha": "h" * 40,
                "ref": "feature",
                "repo": {"full_name": head_repo} if head_repo else None,
            },
        },
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload))
    return path


def test_pull_request_event(tmp_path: Path) -> None:
    env = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(pull_event(tmp_path)),
        "GITHUB_SHA": "m" * 40,
    }
    request = load_event(env)
    assert (request.number, request.base_sha, request.head_sha) == (42, "b" * 40, "h" * 40)
    assert not request.is_fork and not request.draft
    assert request.head_sha != env["GITHUB_SHA"]  # never the merge commit


@pytest.mark.parametrize("head_repo", ["someone/app", None])
def test_fork_detection(tmp_path: Path, head_repo: str | None) -> None:
    env = {
        "GITHUB_EVENT_NAME": "pull_request_target",
        "GITHUB_EVENT_PATH": str(pull_event(tmp_path, head_repo=head_repo, draft=True)),
    }
    request = load_event(env)
    assert request.is_fork and request.draft and request.event == "pull_request_target"


def test_a_reply_to_a_review_comment_is_about_its_pull_request(tmp_path: Path) -> None:
    env = {
        "GITHUB_EVENT_NAME": "pull_request_review_comment",
        "GITHUB_EVENT_PATH": str(pull_event(tmp_path)),
        "GITHUB_SHA": "m" * 40,
    }
    request = load_event(env)
    assert (request.number, request.head_sha) == (42, "h" * 40)
    assert request.event == "pull_request_review_comment"


def test_other_events_have_no_pull_request(tmp_path: Path) -> None:
    path = tmp_path / "push.json"
    path.write_text(json.dumps({"ref": "refs/heads/main"}))
    request = load_event(
        {"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(path), "GITHUB_SHA": "c" * 40}
    )
    assert request.number is None and request.head_sha == "c" * 40


def test_unreadable_event_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read the event file"):
        load_event({"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(tmp_path / "x")})
