"""baton on GitLab CI: the merge request, its diff from the API, what earlier runs left on it
(`recall`, see `conversation`), and publishing the review.

Publishing order: read the token's user and the previous sticky note (history), post the new
findings' line discussions (draft notes, one bulk publish; see `discussions`), resolve baton's
discussions of fixed findings, then create or edit the sticky note. Each step's failure is a
warning and stops no later step: findings whose line discussion was refused or failed are
listed in the note, with a line saying so; if the user or the earlier notes cannot be read, no
line discussion is posted (baton could not tell the new findings) and the note is still
attempted. Without a token that may write (only `CI_JOB_TOKEN`, or a 401/403) baton says so in
one line and stops writing; the Code Quality report, the job log and the exit code do not
depend on any of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gitlab
from gitlab.v4.objects import ProjectMergeRequest

from baton.change.model import ChangeSet
from baton.errors import IncompleteReviewError, UsageError
from baton.platforms import outgoing
from baton.platforms.anchors import LineComment, new_line_comments
from baton.platforms.base import ChangeRequest, Published, Recall
from baton.platforms.gitlab import conversation, files
from baton.platforms.gitlab.client import FAILED, ask, describe, gitlab_client, refused
from baton.platforms.gitlab.discussions import post_line_comments
from baton.platforms.gitlab.event import api_url, load_merge_request, project_id
from baton.platforms.gitlab.notes import WriteRefused, find_sticky, resolve_fixed, upsert_sticky
from baton.platforms.patches import FilePatch, Status, unified_diff
from baton.platforms.resilience import api_timeout
from baton.render.markdown import History, LinkBuilder
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
        self.timeout = api_timeout(environ)

    def load(self) -> ChangeRequest:
        api_url(self.environ)
        return load_merge_request(self.environ)

    def client(self) -> gitlab.Gitlab:
        if self.token:
            return gitlab_client(
                api_url(self.environ), timeout=self.timeout, private_token=self.token
            )
        job_token = self.environ.get("CI_JOB_TOKEN", "")
        if not job_token:
            raise UsageError("no GitLab token: set GITLAB_TOKEN (api scope)")
        return gitlab_client(api_url(self.environ), timeout=self.timeout, job_token=job_token)

    def merge_request(
        self, request: ChangeRequest, client: gitlab.Gitlab, *, lazy: bool = False
    ) -> ProjectMergeRequest:
        assert request.number is not None
        project = client.projects.get(project_id(self.environ), lazy=True)
        return project.mergerequests.get(request.number, lazy=lazy)

    def fetch_diff(self, request: ChangeRequest) -> bytes:
        if request.number is None:
            raise UsageError("no local history and no merge request to ask GitLab for the diff")
        mr = self.merge_request(request, self.client(), lazy=True)
        path = f"{mr.manager.path}/{mr.encoded_id}/diffs"
        try:
            entries = ask(lambda: list(mr.manager.gitlab.http_list(path, iterator=True)))
        except FAILED as err:
            raise IncompleteReviewError(
                f"cannot read the diff from GitLab: {describe(err)}"
            ) from None
        return unified_diff(_patch(entry) for entry in entries).encode("utf-8")

    def read_file(self, request: ChangeRequest, path: str, ref: str) -> str | None:
        return files.read_file(self.client(), project_id(self.environ), path, ref)

    def list_files(self, request: ChangeRequest, folder: str, ref: str) -> list[str]:
        return files.list_files(self.client(), project_id(self.environ), folder, ref)

    def recall(self, request: ChangeRequest) -> Recall:
        if request.number is None:
            return Recall()
        if not self.token:  # CI_JOB_TOKEN cannot tell baton's notes from others; nothing was
            return Recall()  # posted with it, and `publish` says so once
        try:
            pid, client = project_id(self.environ), self.client()
        except UsageError as err:
            return Recall(warnings=[f"baton's earlier notes were not read: {err}"])
        try:
            return conversation.recall(client, pid, request.number, self.project_url)
        except Exception as err:  # never a traceback: at worst the review is done in full
            cause = f"{type(err).__name__}: {err}"
            return Recall(warnings=[f"baton's earlier notes were not read: {cause}"])

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
        except FAILED as err:
            if refused(err):
                published.warnings.append(REFUSED.format(_first_line(str(err))))
            else:
                published.warnings.append(f"nothing was posted: {describe(err)}")
        return published

    def _publish(
        self, review: Review, change: ChangeSet, request: ChangeRequest, published: Published
    ) -> None:
        client = self.client()
        user_id = _user_id(client, published.warnings)
        mr = ask(lambda: self.merge_request(request, client))
        existing = None
        if user_id is not None:
            try:
                existing = find_sticky(mr, user_id)
            except FAILED as err:
                if refused(err):
                    raise
                published.warnings.append(
                    f"baton's earlier notes could not be read: {describe(err)}"
                )
        history = History.from_comment(existing[0].body) if existing else None
        notes: list[str] = []
        if existing is None and self.settings.inline:
            notes.append("findings were not posted on their lines: earlier notes could not be read")
        comments = (
            self._line_comments(review, change, history, notes) if existing is not None else []
        )
        if comments:
            posting = post_line_comments(mr, comments)
            published.inline_posted = len(posting.posted)
            published.warnings.extend(posting.warnings)
            if posting.refused:
                notes.append(
                    f"{len(posting.refused)} findings could not be placed on their line by "
                    "GitLab; they are listed here"
                )
            if posting.failed:
                notes.append(
                    f"{len(posting.failed)} findings were not posted on their lines "
                    f"({posting.reason}); "
                    "they are listed here"
                )
        if history is not None and user_id is not None:
            current = frozenset(f.fingerprint for f in review.findings) | {
                s.finding.fingerprint for s in review.suppressed
            }
            try:
                if resolve_fixed(mr, user_id, current):
                    notes.append("discussions of fixed findings were resolved")
            except FAILED as err:
                published.warnings.append(
                    f"fixed findings' discussions not resolved: {describe(err)}"
                )
        if self.settings.comment is CommentMode.STICKY:
            links = self.links(request)
            body = outgoing.summary(review, links=links, history=history, notes=notes)
            try:
                published.summary = upsert_sticky(
                    mr, existing or [], body, user_id, published.warnings
                )
            except FAILED as err:
                published.warnings.append(f"summary note not posted: {describe(err)}")

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


def _user_id(client: gitlab.Gitlab, warnings: list[str]) -> int | None:
    """The token's user (`GET /user`); None, with a warning, when GitLab does not say."""
    try:
        ask(client.auth)
    except FAILED as err:
        if refused(err):
            raise
        warnings.append(f"the token's user could not be read: {describe(err)}")
        return None
    return None if client.user is None else int(client.user.id)


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
