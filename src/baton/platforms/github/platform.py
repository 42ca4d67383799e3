"""baton on GitHub Actions: the event, the diff from the API, and publishing the review.

Publishing order: read the previous sticky comment (history), post one review with the new
findings' inline comments, then create or edit the sticky comment, then the job's own
surfaces. A read-only token (fork pull request) stops all writes after the first 403 with
one warning; any other API failure is a warning too. The verdict never depends on them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import quote

from github import Auth, Github, GithubException, GithubRetry
from github.PullRequest import PullRequest
from requests import RequestException

from baton.change.model import ChangeSet
from baton.change.parse import parse_diff
from baton.errors import UsageError
from baton.platforms.anchors import LineComment, new_line_comments
from baton.platforms.base import ChangeRequest, Published
from baton.platforms.github import contents
from baton.platforms.github.comments import (
    ReadOnlyToken,
    find_sticky,
    post_review,
    upsert_sticky,
)
from baton.platforms.github.event import load_event
from baton.platforms.github.surfaces import (
    mask,
    outputs_for,
    write_log,
    write_outputs,
    write_step_summary,
)
from baton.platforms.patches import FilePatch, Status, unified_diff
from baton.render.markdown import History, LinkBuilder, render_markdown
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
        retry = GithubRetry(total=3, backoff_factor=0.5, secondary_rate_wait=5)
        return Github(base_url=self.api_url, auth=Auth.Token(self.token), retry=retry, timeout=30)

    def fetch_diff(self, request: ChangeRequest) -> bytes:
        if request.number is None:
            raise UsageError("no local history and no pull request to ask GitHub for the diff")
        pull = self.client().get_repo(self.repository).get_pull(request.number)
        return _diff_of(pull)

    def read_file(self, request: ChangeRequest, path: str, ref: str) -> str | None:
        return contents.read_file(self.client(), self.repository, path, ref)

    def list_files(self, request: ChangeRequest, folder: str, ref: str) -> list[str]:
        return contents.list_files(self.client(), self.repository, folder, ref)

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
        body = render_markdown(review, links=links)
        if request.number is not None and self._wants_comments():
            body = self._comment(review, change, request, links, published) or body
        elif request.number is None:
            published.summary = f"no pull request in a {request.event} event"
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
    ) -> str | None:
        assert request.number is not None and request.head_sha is not None
        try:
            github = self.client()
            pull = github.get_repo(self.repository).get_pull(request.number)
            existing = find_sticky(pull, _login(github))
            history = History.from_comment(existing[0].body) if existing else None
            notes: list[str] = []
            inline = self._inline(review, change, history, notes)
            if inline:
                try:
                    posted = post_review(pull, request.head_sha, inline, _recheck_with(pull))
                except (GithubException, RequestException) as err:
                    posted = 0
                    published.warnings.append(f"inline review not posted: {_message(err)}")
                published.inline_posted = posted
                if posted < len(inline):
                    notes.append(f"{len(inline) - posted} inline comments were refused by GitHub")
            body = render_markdown(review, links=links, history=history, notes=notes)
            if self.settings.comment is CommentMode.STICKY:
                published.summary = upsert_sticky(pull, existing, body)
            return body
        except ReadOnlyToken:
            published.warnings.append(READ_ONLY_WARNING)
        except GithubException as err:
            published.warnings.append(f"GitHub API error {err.status}: {_message(err)}")
        except RequestException as err:  # PyGithub's retries exhausted (5xx, timeouts)
            published.warnings.append(f"GitHub API unreachable: {type(err).__name__}: {err}")
        return None

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
    """The pull request's diff from its files, page by page."""
    patches = []
    for file in pull.get_files():
        status: Status = file.status if file.status in _STATUSES else "modified"  # type: ignore[assignment]
        old = file.previous_filename or file.filename
        patches.append(FilePatch(old, file.filename, status, file.patch))
    return unified_diff(patches).encode("utf-8")


_STATUSES = frozenset({"added", "removed", "modified", "renamed", "copied"})


def _login(github: Github) -> str | None:
    """The token's own login; None for tokens that may not ask (the Actions token)."""
    try:
        return str(github.get_user().login)
    except GithubException:
        return None


def _message(err: GithubException | RequestException) -> str:
    if isinstance(err, RequestException):
        return f"{type(err).__name__}: {err}"[:200]
    data = err.data if isinstance(err.data, dict) else {}
    return str(data.get("message") or err)[:200]


def export_model_inputs(environ: Mapping[str, str]) -> None:
    """Action inputs that are Claude Code's own variables become environment variables."""
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        value = environ.get(f"INPUT_{name}", "").strip()
        if value:
            os.environ[name] = value
    mask(os.environ.get("ANTHROPIC_API_KEY", ""))
