"""Reading a GitHub Actions job: the event that started it and the repository it runs in."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from baton.errors import UsageError
from baton.platforms.base import ChangeRequest

PULL_REQUEST_EVENTS = frozenset(
    {"pull_request", "pull_request_target", "pull_request_review_comment"}
)
"""Events whose payload carries the pull request (a reply to one of baton's inline comments is
a `pull_request_review_comment`: a re-gate on the same head, from the review's memory)."""


def load_event(environ: Mapping[str, str]) -> ChangeRequest:
    name = environ.get("GITHUB_EVENT_NAME", "")
    path = environ.get("GITHUB_EVENT_PATH", "")
    payload: dict[str, Any] = {}
    if path:
        try:
            payload = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise UsageError(f"cannot read the event file GITHUB_EVENT_PATH={path}: {err}") from err
    pull = payload.get("pull_request")
    if name in PULL_REQUEST_EVENTS and isinstance(pull, dict):
        return _from_pull(name, pull)
    head = environ.get("GITHUB_SHA")
    return ChangeRequest(platform="github", event=name or "unknown", head_sha=head)


def _from_pull(event: str, pull: dict[str, Any]) -> ChangeRequest:
    base, head = pull.get("base") or {}, pull.get("head") or {}
    base_repo = (base.get("repo") or {}).get("full_name")
    head_repo = (head.get("repo") or {}).get("full_name") if head.get("repo") else None
    try:
        return ChangeRequest(
            platform="github",
            event=event,
            number=int(pull["number"]),
            base_sha=str(base["sha"]),
            head_sha=str(head["sha"]),
            base_ref=base.get("ref"),
            head_ref=head.get("ref"),
            title=str(pull.get("title") or ""),
            url=pull.get("html_url"),
            draft=bool(pull.get("draft")),
            is_fork=head_repo is None or head_repo != base_repo,
        )
    except (KeyError, TypeError, ValueError) as err:
        raise UsageError(f"the pull_request event lacks {err}") from err
