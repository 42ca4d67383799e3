"""baton on GitHub Actions: the event, the diff from the API, what earlier runs left on the pull
request (`recall`, see `conversation`), and publishing the review.

Publishing order: read the previous sticky comment (history), post one review with the new
findings' inline comments, then create or edit the sticky comment, then resolve baton's review
threads of fixed findings (GraphQL, see `threads`), then the job's own surfaces. Each step's
failure is a warning and stops no later step: a review GitHub refuses
or never answers leaves its findings in the summary, with a line saying the inline comments
were not posted; if the comments cannot be read, no inline comment is posted (baton could not
tell the new findings) and the summary is still attempted. A read-only token (fork pull
request) stops all writes after the first 403 with one warning. The step summary, outputs
and annotations are written whatever happened before. The verdict never depends on any of it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import quote

from github import Github
from github.PullRequest import PullRequest

from baton.change.model import ChangeSet
from baton.change.parse import parse_diff
from baton.errors import IncompleteReviewError, UsageError
from baton.platforms import outgoing
from baton.platforms.anchors import LineComment, new_line_comments
from baton.platforms.base import ChangeRequest, Published, Recall
from baton.platforms.github import contents, conversation, threads
from baton.platforms.github.client import FAILED, UNREADABLE, describe, github_client
from baton.platforms.github.comments import (
    ReadOnlyToken,
    find_sticky,
    post_review,
    token_login,
    upsert_sticky,
)
from baton.platforms.github.event import load_event
from baton.platforms.github.graphql import GraphQL, graphql_url
from baton.platforms.github.surfaces import (
    mask,
    outputs_for,
    write_log,
    write_outputs,
    write_step_summary,
)
from baton.platforms.marks import fixed_fingerprints
from baton.platforms.patches import FilePatch, Status, unified_diff
from baton.platforms.resilience import api_timeout, read_again
from baton.render.markdown import History, LinkBuilder
from baton.report import Review
from baton.settings import CommentMode, Settings

READ_ONLY_WARNING = (
    "the token cannot write to this pull request (a fork, or `pull-requests: write` is "
    "missing): the review is in the job summary and annotations only"
)


class GitHubPlatform:
    name = "github"

    def __init__(self, settings: Settings, environ: Mapping[str, str]) -> None:
        self.settings = settings
        self.environ = environ
        self.repository = environ.get("GITHUB_REPOSITORY", "")
        self.api_url = environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
        self.server_url = environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        token = settings.github_token.get_secret_value() if settings.github_token else ""
        self.token = token or environ.get("GITHUB_TOKEN", "")
        self.timeout = api_timeout(environ)

    def load(self) -> ChangeRequest:
        """The pull request; also masks the token and exports the model inputs, once per job."""
        mask(self.token)
        export_model_inputs(self.environ)
        if not self.repository:
            raise UsageError("GITHUB_REPOSITORY is not set: is this a GitHub Actions job?")
        return load_event(self.environ)

    def client(self) -> Github:
        if not self.token:
            raise UsageError("no GitHub token: set the github_token input or GITHUB_TOKEN")
        return github_client(self.api_url, self.token, self.timeout)

    def fetch_diff(self, request: ChangeRequest) -> bytes:
        if request.number is None:
            raise UsageError("no local history and no pull request to ask GitHub for the diff")
        pull = self.client().get_repo(self.repository).get_pull(request.number)
        try:
            return _diff_of(pull)
        except FAILED as err:
            cause = describe(err)
            raise IncompleteReviewError(f"cannot read the diff from GitHub: {cause}") from None

    def read_file(self, request: ChangeRequest, path: str, ref: str) -> str | None:
        return contents.read_file(self.client(), self.repository, path, ref)

    def list_files(self, request: ChangeRequest, folder: str, ref: str) -> list[str]:
        return contents.list_files(self.client(), self.repository, folder, ref)

    def recall(self, request: ChangeRequest) -> Recall:
        if request.number is None:
            return Recall()
        try:
            return conversation.recall(self.client(), self.repository, request.number)
        except UsageError as err:
            return Recall(warnings=[f"baton's earlier comments were not read: {err}"])
        except Exception as err:  # never a traceback: at worst the review is done in full
            cause = f"{type(err).__name__}: {err}"
            return Recall(warnings=[f"baton's earlier comments were not read: {cause}"])

    def links(self, request: ChangeRequest) -> LinkBuilder | None:
        if not request.head_sha:
            return None
        blob = f"{self.server_url}/{self.repository}/blob/{request.head_sha}/"

        def build(path: str, line: int | None, end_line: int | None) -> str:
            anchor = "" if line is None else f"#L{line}" + (f"-L{end_line}" if end_line else "")
            return blob + quote(path) + anchor

        return build

    def publish(self, review: Review, change: ChangeSet, request: ChangeRequest) -> Published:
        published = Published()
        links = self.links(request)
        body = outgoing.summary(review, links=links)
        try:
            if request.number is not None and self._wants_comments():
                body = self._comment(review, change, request, links, published)
            elif request.number is None:
                published.summary = f"no pull request in a {request.event} event"
        except ReadOnlyToken:
            published.warnings.append(READ_ONLY_WARNING)
        except Exception as err:  # never a traceback: the job's own surfaces still follow
            published.warnings.append(f"publishing failed: {type(err).__name__}: {err}")
        write_step_summary(self.environ, body)
        reports = {"report_json": self.settings.report_json, "sarif": self.settings.report_sarif}
        write_outputs(self.environ, outputs_for(review, reports))
        write_log(review, published.warnings)
        return published

    def _wants_comments(self) -> bool:
        return self.settings.comment is CommentMode.STICKY or self.settings.inline

    def _comment(
        self,
        review: Review,
        change: ChangeSet,
        request: ChangeRequest,
        links: LinkBuilder | None,
        published: Published,
    ) -> str:
        """Post the review and the sticky comment; the summary with this run's remarks."""
        assert request.number is not None and request.head_sha is not None
        github = self.client()
        repo = github.get_repo(self.repository)  # lazy: naming it costs no request
        pull, issue = repo.get_pull(request.number), repo.get_issue(request.number)
        login = token_login(github)
        notes: list[str] = []
        try:
            existing = find_sticky(issue, login)
        except FAILED as err:
            existing = None
            warning = f"baton's earlier comments could not be read: {describe(err)}"
            published.warnings.append(warning)
        history = History.from_comment(existing[0].body) if existing else None
        if existing is None and self.settings.inline:
            notes.append("inline comments were not posted: earlier comments could not be read")
        inline = self._inline(review, change, history, notes) if existing is not None else []
        if inline:
            commit = repo.get_commit(request.head_sha)  # lazy, as above
            try:
                posted = post_review(pull, commit, inline, _recheck_with(pull))
            except FAILED as err:
                posted = 0
                published.warnings.append(f"inline review not posted: {describe(err)}")
                notes.append(f"{len(inline)} inline comments were not posted ({describe(err)})")
            else:
                if posted < len(inline):
                    notes.append(f"{len(inline) - posted} inline comments were refused by GitHub")
            published.inline_posted = posted
        body = outgoing.summary(review, links=links, history=history, notes=notes)
        if self.settings.comment is CommentMode.STICKY:
            try:
                published.summary = upsert_sticky(
                    issue, existing or [], body, login, published.warnings
                )
            except FAILED as err:
                published.warnings.append(f"summary comment not posted: {describe(err)}")
        fixed = fixed_fingerprints(review, history)
        if fixed and existing:
            author = login if login is not None else existing[0].user.login
            with GraphQL(graphql_url(self.api_url), self.token, self.timeout) as graphql:
                _, unresolved = threads.resolve_fixed(
                    graphql, self.repository, request.number, author, fixed
                )
            published.warnings.extend([unresolved] if unresolved else [])
        return body

    def _inline(
        self, review: Review, change: ChangeSet, history: History | None, notes: list[str]
    ) -> list[LineComment]:
        if not self.settings.inline:
            return []
        known = history.fingerprints if history else frozenset()
        limit = self.settings.max_inline
        chosen, more = new_line_comments(review.findings, change, known, limit)
        if more:
            notes.append(
                f"{more} more findings are not posted inline "
                f"(max_inline = {limit}); all are listed below"
            )
        return chosen


def _recheck_with(pull: PullRequest) -> Callable[[Sequence[LineComment]], list[LineComment]]:
    """Keep the comments whose anchors GitHub's own diff of the pull request accepts."""

    def recheck(comments: Sequence[LineComment]) -> list[LineComment]:
        theirs = parse_diff(_diff_of(pull), root=".")
        files = theirs.by_path()
        kept = []
        for comment in comments:
            file = files.get(comment.anchor.path)
            if file is None or not file.is_shown(comment.anchor.line):
                continue
            start = comment.anchor.start_line
            if start is not None:
                hunk = file.hunk_for(comment.anchor.line)
                if hunk is None or not hunk.contains_new(start):
                    continue
            kept.append(comment)
        return kept

    return recheck


def _diff_of(pull: PullRequest) -> bytes:
    """The pull request's diff from its files, page by page (all pages read again when one
    answer could not be read)."""
    patches = []
    for file in read_again(lambda: list(pull.get_files()), UNREADABLE):
        status: Status = file.status if file.status in _STATUSES else "modified"  # type: ignore[assignment]
        old = file.previous_filename or file.filename
        patches.append(FilePatch(old, file.filename, status, file.patch))
    return unified_diff(patches).encode("utf-8")


_STATUSES = frozenset({"added", "removed", "modified", "renamed", "copied"})


def export_model_inputs(environ: Mapping[str, str]) -> None:
    """Action inputs that are Claude Code's own variables become environment variables."""
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        value = environ.get(f"INPUT_{name}", "").strip()
        if value:
            os.environ[name] = value
    mask(os.environ.get("ANTHROPIC_API_KEY", ""))
