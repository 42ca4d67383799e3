"""baton on GitLab CI: the merge request, its diff from the API, and publishing the review.

Publishing order: read the previous sticky note (history), post the new findings' line
discussions (draft notes, one bulk publish), resolve baton's discussions of fixed findings,
then create or edit the sticky note. Without a token that may write (only `CI_JOB_TOKEN`,
or a 401/403) baton says so in one line and stops writing; the Code Quality report, the job
log and the exit code do not depend on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gitlab
from gitlab.exceptions import GitlabError
from gitlab.v4.objects import ProjectMergeRequest
from requests import RequestException

from baton.change.model import ChangeSet
from baton.errors import UsageError
from baton.platforms.anchors import LineComment, new_line_comments
from baton.platforms.base import ChangeRequest, Published
from baton.platforms.gitlab import files
from baton.platforms.gitlab.event import api_url, load_merge_request, project_id
from baton.platforms.gitlab.notes import (
    WriteRefused,
    find_sticky,
    post_discussions,
    resolve_fixed,
    upsert_sticky,
)
from baton.platforms.patches import FilePatch, Status, unified_diff
from baton.render.markdown import History, LinkBuilder, render_markdown
from baton.report import Review
from baton.settings import CommentMode, Settings

JOB_TOKEN_ONLY = (
    "only CI_JOB_TOKEN is available, and it cannot write merge request notes: add a masked "
    "GITLAB_TOKEN variable (project access token, api scope, Reporter or higher)"
)
REFUSED = "the GitLab token may not write to this merge request ({}): nothing was posted"


class GitLabPlatform:
    name = "gitlab"

    def __init__(self, settings: Settings, environ: Mapping[str, str]) -> None:
        self.settings = settings
        self.environ = environ
        token = settings.gitlab_token.get_secret_value() if settings.gitlab_token else ""
        self.token = token or environ.get("GITLAB_TOKEN", "")
        self.project_url = environ.get("CI_MERGE_REQUEST_PROJECT_URL") or environ.get(
            "CI_PROJECT_URL", ""
        )

    def load(self) -> ChangeRequest:
        api_url(self.environ)
        return load_merge_request(self.environ)

    def client(self) -> gitlab.Gitlab:
        if self.token:
            return gitlab.Gitlab(
                api_url(self.environ),
                private_token=self.token,
                timeout=30,
                retry_transient_errors=True,
            )
        job_token = self.environ.get("CI_JOB_TOKEN", "")
        if not job_token:
            raise UsageError("no GitLab token: set GITLAB_TOKEN (api scope)")
        return gitlab.Gitlab(api_url(self.environ), job_token=job_token, timeout=30)

    def merge_request(self, request: ChangeRequest) -> ProjectMergeRequest:
        assert request.number is not None
        project = self.client().projects.get(project_id(self.environ), lazy=True)
        return project.mergerequests.get(request.number)

    def fetch_diff(self, request: ChangeRequest) -> bytes:
        if request.number is None:
            raise UsageError("no local history and no merge request to ask GitLab for the diff")
        mr = self.merge_request(request)
        path = f"{mr.manager.path}/{mr.encoded_id}/diffs"
        entries = mr.manager.gitlab.http_list(path, iterator=True)
        return unified_diff(_patch(entry) for entry in entries).encode("utf-8")

    def read_file(self, request: ChangeRequest, path: str, ref: str) -> str | None:
        return files.read_file(self.client(), project_id(self.environ), path, ref)

    def list_files(self, request: ChangeRequest, folder: str, ref: str) -> list[str]:
        return files.list_files(self.client(), project_id(self.environ), folder, ref)

    def links(self, request: ChangeRequest) -> LinkBuilder | None:
        if not request.head_sha or not self.project_url:
            return None
        blob = f"{self.project_url}/-/blob/{request.head_sha}/"

        def build(path: str, line: int | None, end_line: int | None) -> str:
            anchor = "" if line is None else f"#L{line}" + (f"-{end_line}" if end_line else "")
            return blob + path + anchor

        return build

    def publish(self, review: Review, change: ChangeSet, request: ChangeRequest) -> Published:
        published = Published()
        if request.number is None:
            published.summary = f"no merge request in a {request.event} pipeline"
            return published
        if self.settings.comment is CommentMode.OFF and not self.settings.inline:
            return published
        if not self.token:
            published.warnings.append(JOB_TOKEN_ONLY)
            return published
        try:
            self._publish(review, change, request, published)
        except WriteRefused as err:
            published.warnings.append(REFUSED.format(_first_line(str(err))))
        except GitlabError as err:
            if err.response_code in (401, 403):
                published.warnings.append(REFUSED.format(_first_line(str(err))))
            else:
                published.warnings.append(f"GitLab API error: {_first_line(str(err))}")
        except RequestException as err:
            published.warnings.append(f"GitLab API unreachable: {type(err).__name__}: {err}")
        return published

    def _publish(
        self, review: Review, change: ChangeSet, request: ChangeRequest, published: Published
    ) -> None:
        client = self.client()
        client.auth()
        user = client.user
        assert user is not None
        mr = self.merge_request(request)
        existing = find_sticky(mr, user.id)
        history = History.from_comment(existing[0].body) if existing else None
        notes: list[str] = []
        comments = self._line_comments(review, change, history, notes)
        if comments:
            posted, rejected = post_discussions(mr, comments)
            published.inline_posted = posted
            if rejected:
                notes.append(
                    f"{len(rejected)} findings could not be placed on their line by GitLab; "
                    "they are listed here"
                )
        if history is not None:
            current = frozenset(f.fingerprint for f in review.findings)
            if resolve_fixed(mr, user.id, current):
                notes.append("discussions of fixed findings were resolved")
        if self.settings.comment is CommentMode.STICKY:
            body = render_markdown(review, links=self.links(request), history=history, notes=notes)
            published.summary = upsert_sticky(mr, existing, body)

    def _line_comments(
        self, review: Review, change: ChangeSet, history: History | None, notes: list[str]
    ) -> list[LineComment]:
        if not self.settings.inline:
            return []
        known = history.fingerprints if history else frozenset()
        chosen, more = new_line_comments(review.findings, change, known, self.settings.max_inline)
        if more:
            notes.append(f"{more} more findings are not posted on their lines")
        return chosen


def _patch(entry: Any) -> FilePatch:
    status: Status = "modified"
    if entry.get("new_file"):
        status = "added"
    elif entry.get("deleted_file"):
        status = "removed"
    elif entry.get("renamed_file"):
        status = "renamed"
    hunks = entry.get("diff") or None
    return FilePatch(entry["old_path"], entry["new_path"], status, hunks)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text)[:200]
