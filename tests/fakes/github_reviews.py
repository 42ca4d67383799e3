"""Creating a pull request review on the fake GitHub, validated as GitHub validates it.

Every inline comment is resolved against the files of the review's `commit_id` (a head the
pull request has had) before anything is stored; the reasons of all refused comments come back
joined in one sentence, in comment order, and nothing is created: GitHub's review endpoint is
all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tests.fakes.github_diff import PullFile
from tests.fakes.github_state import (
    BODY_LIMIT,
    TOO_LONG,
    ApiError,
    GitHubState,
    Pull,
    Review,
    ReviewComment,
    Token,
)

REVIEW_STATES = {
    None: "PENDING",
    "APPROVE": "APPROVED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
    "COMMENT": "COMMENTED",
}


def add_review(state: GitHubState, pull: Pull, token: Token, payload: Any) -> Review:
    """Create a review with its inline comments, or raise and create nothing."""
    if not isinstance(payload, dict):
        raise ApiError(400, "Problems parsing JSON")
    event = payload.get("event")
    if event not in REVIEW_STATES:
        raise _unprocessable(
            "Variable $event of type PullRequestReviewEvent was provided invalid value"
        )
    commit_id = payload.get("commit_id") or pull.head_sha
    if commit_id not in pull.revisions:
        raise _unprocessable("The commitOID is not part of the pull request")
    user = token.user
    if event in ("APPROVE", "REQUEST_CHANGES") and user == pull.user:
        verb = "approve" if event == "APPROVE" else "request changes on"
        raise _unprocessable(f"Can not {verb} your own pull request")
    if event == "APPROVE" and not token.can_approve:
        raise _unprocessable("GitHub Actions is not permitted to approve pull requests.")
    if any(review.user == user and review.state == "PENDING" for review in pull.reviews):
        raise _unprocessable("User can only have one pending review per pull request")
    body = payload.get("body") or ""
    if not isinstance(body, str):
        text = f"Invalid request.\n\nFor 'properties/body', {json.dumps(body)} is not a string."
        raise ApiError(422, text)
    errors = [TOO_LONG] if len(body) > BODY_LIMIT else []
    files = {file.filename: file for file in pull.revisions[commit_id]}
    items = payload.get("comments") or []
    anchors = [_anchor(files, item) for item in (items if isinstance(items, list) else [])]
    errors += [anchor for anchor in anchors if isinstance(anchor, str)]
    if errors:
        raise _unprocessable(_to_sentence(errors))
    stamp = state.now()
    status = REVIEW_STATES[event]
    submitted = None if status == "PENDING" else stamp
    review = Review(state.new_id("review"), user, body, status, commit_id, submitted)
    for anchor in anchors:
        assert not isinstance(anchor, str)
        comment = ReviewComment(
            state.new_id("review_comment"),
            review.id,
            user=user,
            commit_id=commit_id,
            created_at=stamp,
            updated_at=stamp,
            **anchor,
        )
        review.comments.append(comment)
    pull.reviews.append(review)
    return review


def _unprocessable(error: str) -> ApiError:
    return ApiError(422, "Unprocessable Entity", [error])


def _to_sentence(parts: Sequence[str]) -> str:
    """Join like Rails' `to_sentence`: "a", "a and b", "a, b, and c"."""
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + ", and " + parts[-1]


def _anchor(files: dict[str, PullFile], item: Any) -> dict[str, Any] | str:
    """The fields of one inline comment of a new review, or why GitHub refuses it."""
    if not isinstance(item, dict) or item.get("path") not in files:
        return "Path could not be resolved"
    file = files[item["path"]]
    body = item.get("body")
    if not isinstance(body, str) or not body:
        return "Body can't be blank"
    if len(body) > BODY_LIMIT:
        return TOO_LONG
    side = item.get("side", "RIGHT")
    if side not in ("RIGHT", "LEFT"):
        return "Side is not included in the list"
    if isinstance(item.get("line"), int):
        end = file.line_on(side, item["line"])
    elif isinstance(item.get("position"), int):
        end = file.at_position(item["position"])
        side = "LEFT" if end is not None and end.kind == "-" else "RIGHT"
    else:
        end = None
    line = None if end is None else (end.new if side == "RIGHT" else end.old)
    if end is None or line is None:
        return "Line could not be resolved"
    fields: dict[str, Any] = {
        "path": file.filename,
        "body": body,
        "side": side,
        "line": line,
        "position": end.position,
        "diff_hunk": file.diff_hunk(end),
    }
    start_line = item.get("start_line")
    if start_line is None:
        return fields
    start_side = item.get("start_side") or side
    valid = isinstance(start_line, int) and start_side in ("RIGHT", "LEFT")
    start = file.line_on(start_side, start_line) if valid else None
    if start is None or start.hunk != end.hunk:
        return "Pull request review thread start line must be part of the same hunk as the line."
    if start.position >= end.position:
        return "Pull request review thread start line must precede the end line."
    return fields | {"start_line": start_line, "start_side": start_side}
