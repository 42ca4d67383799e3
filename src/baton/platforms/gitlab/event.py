"""Reading a GitLab CI job: the merge request it runs for, from GitLab's predefined variables.

`CI_MERGE_REQUEST_PROJECT_ID` is the target project (on a fork's merge request
`CI_PROJECT_ID` is the fork), `CI_MERGE_REQUEST_DIFF_BASE_SHA` the base the MR diff starts
from and `CI_COMMIT_SHA` the head. `CI_API_V4_URL` carries self-managed hosts, custom ports
and sub-paths.
"""

from __future__ import annotations

from collections.abc import Mapping

from baton.errors import UsageError
from baton.platforms.base import ChangeRequest


def api_url(environ: Mapping[str, str]) -> str:
    """The server URL python-gitlab wants (without `/api/v4`)."""
    v4 = environ.get("CI_API_V4_URL", "").rstrip("/")
    if v4.endswith("/api/v4"):
        return v4.removesuffix("/api/v4")
    server = environ.get("CI_SERVER_URL", "").rstrip("/")
    if not server:
        raise UsageError("CI_API_V4_URL and CI_SERVER_URL are not set: is this a GitLab CI job?")
    return server


def load_merge_request(environ: Mapping[str, str]) -> ChangeRequest:
    iid = environ.get("CI_MERGE_REQUEST_IID", "").strip()
    source = environ.get("CI_PIPELINE_SOURCE", "")
    head = environ.get("CI_COMMIT_SHA") or None
    if not iid:
        return ChangeRequest(platform="gitlab", event=source or "pipeline", head_sha=head)
    target = environ.get("CI_MERGE_REQUEST_PROJECT_ID") or environ.get("CI_PROJECT_ID")
    source_project = environ.get("CI_MERGE_REQUEST_SOURCE_PROJECT_ID", target)
    try:
        number = int(iid)
    except ValueError as err:
        raise UsageError(f"CI_MERGE_REQUEST_IID is not a number: {iid!r}") from err
    return ChangeRequest(
        platform="gitlab",
        event=source or "merge_request_event",
        number=number,
        base_sha=environ.get("CI_MERGE_REQUEST_DIFF_BASE_SHA") or None,
        head_sha=head,
        base_ref=environ.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"),
        head_ref=environ.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"),
        title=environ.get("CI_MERGE_REQUEST_TITLE", ""),
        url=_mr_url(environ, number),
        draft=environ.get("CI_MERGE_REQUEST_DRAFT", "").lower() == "true",
        is_fork=source_project != target,
    )


def project_id(environ: Mapping[str, str]) -> str:
    """The merge request's (target) project."""
    found = environ.get("CI_MERGE_REQUEST_PROJECT_ID") or environ.get("CI_PROJECT_ID")
    if not found:
        raise UsageError(
            "CI_MERGE_REQUEST_PROJECT_ID is not set: is this a merge request pipeline?"
        )
    return found


def _mr_url(environ: Mapping[str, str], iid: int) -> str | None:
    project = environ.get("CI_MERGE_REQUEST_PROJECT_URL") or environ.get("CI_PROJECT_URL")
    return f"{project}/-/merge_requests/{iid}" if project else None
