"""A fake GitHub REST API on 127.0.0.1 that real PyGithub can talk to, errors included.

    with FakeGitHub() as fake:  # or the `fake_github` fixture (tests/fakes/github_fixture.py)
        pull = fake.add_pull("acme/widgets", 7, diff=git_diff_text)
        gh = github.Github(base_url=fake.url, auth=github.Auth.Token(fake.ACTIONS_TOKEN),
                           seconds_between_requests=None, seconds_between_writes=None)
        gh.get_repo("acme/widgets").get_pull(7).create_issue_comment("hello")
        assert [c.body for c in fake.comments(pull)] == ["hello"]

Serving: `fake.url` is a GitHub Enterprise style root, `http://127.0.0.1:PORT/api/v3`; the same
API also answers at `fake.root_url` (github.com style). URLs in answers follow the root and
`Host` of each request. PyGithub's defaults sleep 0.25 s before every request and 1 s between
writes: pass `seconds_between_requests=None, seconds_between_writes=None` in tests.

Tokens (`Authorization: token X` or `Bearer X`; no header = anonymous, allowed to read only):
* `USER_TOKEN` — "octocat", a "User"; may write; `GET /user` answers octocat.
* `ACTIONS_TOKEN` — "github-actions[bot]" (id 41898282), a "Bot"; may write; `GET /user` is a
  403 "Resource not accessible by integration" (as for GITHUB_TOKEN); APPROVE is refused
  ("GitHub Actions is not permitted to approve pull requests.").
* `READ_ONLY_TOKEN` — the same bot with a fork pull request's read-only token: every write is a
  403 "Resource not accessible by integration".
* `add_token(...)` registers more (`contents=False`: no `contents: read`, reading files is a
  403 "Resource not accessible by integration"); an unknown token gets 401 "Bad credentials".

Endpoints (any other is a 404 "Not Found" whose body has a `fake` note naming the request):
`GET /repos/{o}/{r}`, `GET .../commits/{sha}` (SHAs of the fake's pull requests; else 422
"No commit found for SHA: ..."), `GET .../pulls/{n}`, `GET .../pulls/{n}/files` (paginated,
capped at 3000 files while `changed_files` keeps the real count), `GET|POST
.../issues/{n}/comments`, `GET|PATCH|DELETE .../issues/comments/{id}`, `GET|POST
.../pulls/{n}/reviews`, `GET .../pulls/{n}/reviews/{id}` and `.../reviews/{id}/comments`,
`GET .../pulls/{n}/comments`, `POST .../pulls/{n}/comments/{id}/replies` (a reply to a
thread's top comment, with `in_reply_to_id`), `GET|PATCH|DELETE .../pulls/comments/{id}`,
`GET /user`,
`GET /users/{login}`, `GET /rate_limit`, `GET .../contents/{path}?ref=` (files and folders at a
ref, see `github_contents`). Lists honour `per_page` (default 30, at most 100) and
`page`, and send `Link` headers (prev/next/last/first) on `/repositories/{id}/...` URLs like
github.com; `/repositories/{id}/...` is served too. Answers carry `x-ratelimit-*` headers.
`author_association` is OWNER for the repository's owner, what `set_association` says, NONE for
bots and CONTRIBUTOR for everyone else. GraphQL: `POST /graphql` (and `/api/graphql`) answers a
pull request's `reviewThreads` and `resolveReviewThread` (see `github_graphql`).

Validation, as GitHub answers it (nothing is stored when a request is refused):
* Review (`POST .../reviews`): all inline comments are checked and the whole review fails with
  422 {"message": "Unprocessable Entity", "errors": ["<one sentence>"]}, the reasons joined
  like "Line could not be resolved, Path could not be resolved, and Line could not be resolved".
  Reasons: path not in the PR → "Path could not be resolved"; `line` (on `side`, RIGHT = new
  file, LEFT = old) or `position` not on a diff line → "Line could not be resolved";
  `start_line` (on `start_side`) outside the line's hunk → "Pull request review thread start
  line must be part of the same hunk as the line."; not before it → "... must precede the end
  line."; body over 65536 characters → "Body is too long (maximum is 65536 characters)".
  `commit_id` must be a head SHA the PR has had (`push` adds one; lines are checked against
  that commit's files) → else "The commitOID is not part of the pull request". Also: a bad
  `event`, APPROVE/REQUEST_CHANGES on one's own PR, any new review while the user has a
  PENDING one ("User can only have one pending review per pull request").
* Issue comments: a body over 65536 characters or empty → 422 "Validation Failed" with GitHub's
  `errors` objects (`{"resource": "IssueComment", "code": "unprocessable", "field": "data",
  "message": "Body is too long (maximum is 65536 characters)"}`); no `body` → 422.
* Faults, planned with `inject(Fault..., times=N, on="writes"|"reads"|"any", path=regex,
  method=M, after=K)`: secondary rate limit (403 or 429, with `retry-after` or with
  `x-ratelimit-remaining: 0` and `x-ratelimit-reset`), primary rate limit, 5xx, 404 (an endpoint
  this GitHub lacks), 403 "Resource not accessible by integration" (a read-only token's write),
  hang, reset, lost answer (carried out, never answered), truncated or malformed answer
  (carried out, then the body cut short or cut to half its JSON). They come before
  authentication; all but the last three change nothing.

Set-up: `add_pull(repo, number, diff=... | files=[FileChange(...)], title=, body=, draft=,
state=, author=, head_ref=, base_ref=, head_sha=, base_sha=, head_repo=)` (`head_repo`: `...`
same repository, "someone/fork" a fork, None a deleted fork); `push(pull, sha, diff=|files=)`
moves the head; `add_comment(pull, body, author=)` seeds a comment; `add_file(repo, path,
text_or_bytes, ref=)` puts a file at a ref; `add_review_comment(pull, path, line, body,
author=)` seeds an inline comment (a submitted review of its own) and `add_reply(pull, comment,
body, author=)` a reply in its thread; `set_association(repo, login, association)`;
`add_token` (`resolve_threads=False`: GraphQL refuses to resolve threads), `add_user`,
`add_repo`. A `pull` argument is a `Pull` or its number (when only one repo has it).

PyGithub 2.10.0 against this fake (pinned by tests/fakes/test_github_api.py): its default
`GithubRetry` retries a 403 or 429 that has `retry-after` after that many seconds (a 403
secondary limit without it after `secondary_rate_wait`, 60 s by default), retries 5xx at once
(GET and POST alike) 10 times and then raises `requests.exceptions.RetryError` (not a
`GithubException`), retries a read timeout (so a lost answer to a POST creates the
comment twice), and raises `RateLimitExceededException` for a primary limit when retries are
off; "Resource not accessible by integration" 403s are raised at once, never retried; a 429
without `retry-after` is not retried at all; an answer cut short raises
`requests.exceptions.ChunkedEncodingError` and one that is not JSON `json.JSONDecodeError`, both
unretried.

Inspection: `requests()`/`writes()` give `RecordedRequest`s (method, path, route, query,
headers, JSON body, login, status, outcome); `comments(pull)`, `reviews(pull)`,
`review_comments(pull)` give the stored objects (live; read them once the client is done);
`resolved_threads(pull)` maps each resolved thread's top comment id to who resolved it.

Not modelled: issues that are not pull requests, private repositories, organisations and team
permissions (a write token may edit or delete anyone's comment), review submission/dismissal,
single review comments (`POST .../pulls/{n}/comments`), outdated comments after a push (they
keep their line), the diff/patch media types, reactions, GraphQL beyond review threads, ETags and
conditional requests, primary rate-limit accounting (`x-ratelimit-remaining` only counts down),
body required for REQUEST_CHANGES/COMMENT reviews. The review-comment reasons "Path/Line could
not be resolved" are GitHub's current wording; the `start_line` ones are its older wording,
no current sample being known. The review "Body is too long" wording is assumed, and so is the
422 for a reply to a reply.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from types import EllipsisType

from tests.fakes.github_diff import FileChange, PullFile, files_from_changes, files_from_diff
from tests.fakes.github_http import Backend, Handler
from tests.fakes.github_reviews import add_review
from tests.fakes.github_state import IssueComment, Pull, Repo, Review, ReviewComment, Token, User
from tests.fakes.github_traffic import Fault, FaultRule, RecordedRequest
from tests.fakes.server import LocalServer
from tests.fakes.traffic import RecordingFake

__all__ = ["FakeGitHub", "Fault", "FaultRule", "FileChange", "RecordedRequest"]

ACTIONS_LOGIN = "github-actions[bot]"


class FakeGitHub(RecordingFake[Fault, RecordedRequest]):
    """The server and its state; a context manager. Thread-safe."""

    USER_TOKEN = "ghp_fake_user_token"
    ACTIONS_TOKEN = "ghs_fake_actions_token"
    READ_ONLY_TOKEN = "ghs_fake_read_only_token"

    _backend: Backend

    def __init__(self) -> None:
        self._backend = Backend()
        state = self._backend.state
        state.users["octocat"] = User("octocat", 583231, "User")
        state.users[ACTIONS_LOGIN] = User(ACTIONS_LOGIN, 41898282, "Bot")
        self.add_token(self.USER_TOKEN, "octocat")
        for value, write in ((self.ACTIONS_TOKEN, True), (self.READ_ONLY_TOKEN, False)):
            self.add_token(
                value, ACTIONS_LOGIN, write=write, user_endpoint_forbidden=True, can_approve=False
            )
        self._server = LocalServer(self._backend, Handler, "fake-github")

    @property
    def root_url(self) -> str:
        """`http://127.0.0.1:PORT`: the API at the root, as on api.github.com."""
        return self._server.url

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT/api/v3`: the API root for `Github(base_url=...)`."""
        return f"{self.root_url}/api/v3"

    # -- set-up ------------------------------------------------------------------------------

    def add_user(self, login: str, *, type: str = "User") -> User:
        """An account ("User", "Bot" or "Organization"); the existing one if known."""
        with self._backend.lock:
            return self._backend.state.user(login, type)

    def add_token(
        self,
        value: str,
        login: str,
        *,
        type: str = "User",
        write: bool = True,
        user_endpoint_forbidden: bool = False,
        can_approve: bool = True,
        contents: bool = True,
        resolve_threads: bool = True,
    ) -> Token:
        """Let `value` authenticate as `login` (created with `type` if new)."""
        with self._backend.lock:
            user = self._backend.state.user(login, type)
            token = Token(
                value, user, write, user_endpoint_forbidden, can_approve, contents, resolve_threads
            )
            self._backend.state.tokens[value] = token
            return token

    def add_repo(self, full_name: str, *, fork: bool = False) -> Repo:
        """The public repository `owner/name`; the existing one if known."""
        owner_login, _, name = full_name.partition("/")
        with self._backend.lock:
            state = self._backend.state
            if full_name.lower() not in state.repos:
                owner = state.user(owner_login, "Organization")
                state.repos[full_name.lower()] = Repo(state.new_id("repo"), owner, name, fork)
            return state.repos[full_name.lower()]

    def add_file(self, repo: str, path: str, content: str | bytes, *, ref: str = "main") -> None:
        """Put a file (text is stored as UTF-8) at `ref`, a branch or SHA, of `repo` (created
        if new); what `GET .../contents/{path}?ref=` then serves."""
        found = self.add_repo(repo)
        data = content.encode() if isinstance(content, str) else content
        with self._backend.lock:
            found.files.setdefault(ref, {})[path.strip("/")] = data

    def add_pull(
        self,
        repo: str,
        number: int = 1,
        *,
        diff: str | None = None,
        files: Sequence[FileChange] | None = None,
        title: str = "Change things",
        body: str = "",
        draft: bool = False,
        state: str = "open",
        author: str = "octocat",
        head_ref: str = "feature",
        base_ref: str = "main",
        head_sha: str | None = None,
        base_sha: str | None = None,
        head_repo: str | EllipsisType | None = ...,
    ) -> Pull:
        """A pull request of `repo` (created if new) whose files come from `diff` (a whole
        `git diff`) or `files` (GitHub `patch` texts). `head_repo`: `...` = the same repository,
        a name = a fork (created), None = a deleted fork (`head.repo` is null)."""
        pull_files = _files(diff, files)
        base = self.add_repo(repo)
        fork: Repo | None = base
        if head_repo is None:
            fork = None
        elif isinstance(head_repo, str):
            fork = self.add_repo(head_repo, fork=True)
        with self._backend.lock:
            st = self._backend.state
            head = head_sha or _sha(f"{repo}#{number}:head")
            stamp = st.now()
            pull = Pull(
                repo=base,
                number=number,
                id=st.new_id("pull"),
                title=title,
                body=body,
                draft=draft,
                state=state,
                user=st.user(author),
                head_sha=head,
                head_ref=head_ref,
                head_repo=fork,
                base_sha=base_sha or _sha(f"{repo}#{number}:base"),
                base_ref=base_ref,
                created_at=stamp,
                updated_at=stamp,
                revisions={head: pull_files},
            )
            st.pulls[(base.full_name.lower(), number)] = pull
            return pull

    def push(
        self,
        pull: Pull | int,
        head_sha: str,
        *,
        diff: str | None = None,
        files: Sequence[FileChange] | None = None,
    ) -> None:
        """Move the pull request's head to `head_sha` with new files; the old head stays one of
        its commits (a review may still name it as `commit_id`)."""
        pull_files = _files(diff, files)
        with self._backend.lock:
            found = self._pull(pull)
            found.revisions[head_sha] = pull_files
            found.head_sha = head_sha
            found.updated_at = self._backend.state.now()

    def add_comment(
        self, pull: Pull | int, body: str, *, author: str = ACTIONS_LOGIN
    ) -> IssueComment:
        """An issue comment already on the pull request (e.g. an earlier sticky comment)."""
        with self._backend.lock:
            state = self._backend.state
            return state.add_issue_comment(self._pull(pull), state.user(author), {"body": body})

    def add_review_comment(
        self, pull: Pull | int, path: str, line: int, body: str, *, author: str = ACTIONS_LOGIN
    ) -> ReviewComment:
        """An inline comment already on the pull request, on `line` of the head's `path`: a
        submitted review (COMMENTED) of `author` holding that one comment, validated like any."""
        with self._backend.lock:
            state = self._backend.state
            found = self._pull(pull)
            token = Token("", state.user(author))
            item = {"path": path, "line": line, "side": "RIGHT", "body": body}
            payload = {"event": "COMMENT", "body": "", "comments": [item]}
            return add_review(state, found, token, payload).comments[0]

    def add_reply(
        self, pull: Pull | int, comment: ReviewComment | int, body: str, *, author: str
    ) -> ReviewComment:
        """A reply by `author` in the thread whose top comment is `comment`."""
        comment_id = comment if isinstance(comment, int) else comment.id
        with self._backend.lock:
            state = self._backend.state
            return state.add_reply(self._pull(pull), comment_id, state.user(author), {"body": body})

    def set_association(self, repo: str, login: str, association: str) -> None:
        """`login`'s `author_association` on `repo`: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR,
        FIRST_TIME_CONTRIBUTOR, FIRST_TIMER, MANNEQUIN or NONE
        (https://docs.github.com/en/graphql/reference/enums#commentauthorassociation)."""
        found = self.add_repo(repo)
        with self._backend.lock:
            self._backend.state.user(login)
            found.associations[login] = association

    # -- inspection (plus `inject`, `requests` and `writes` from `RecordingFake`) ------------

    def comments(self, pull: Pull | int) -> list[IssueComment]:
        with self._backend.lock:
            return list(self._pull(pull).comments)

    def reviews(self, pull: Pull | int) -> list[Review]:
        """All reviews, PENDING ones included."""
        with self._backend.lock:
            return list(self._pull(pull).reviews)

    def review_comments(self, pull: Pull | int) -> list[ReviewComment]:
        """Inline comments of all reviews (PENDING included), oldest first."""
        with self._backend.lock:
            found = self._pull(pull)
            return sorted((c for r in found.reviews for c in r.comments), key=lambda c: c.id)

    def resolved_threads(self, pull: Pull | int) -> dict[int, str]:
        """Resolved review threads: the id of each one's top comment -> who resolved it."""
        with self._backend.lock:
            return {top: user.login for top, user in self._pull(pull).resolved.items()}

    def _pull(self, pull: Pull | int) -> Pull:
        if isinstance(pull, Pull):
            return pull
        matches = [p for p in self._backend.state.pulls.values() if p.number == pull]
        if len(matches) != 1:
            raise ValueError(f"{len(matches)} fake pull requests have number {pull}")
        return matches[0]


def _files(diff: str | None, files: Sequence[FileChange] | None) -> list[PullFile]:
    if diff is not None and files is not None:
        raise ValueError("give the pull request's `diff` or its `files`, not both")
    if diff is not None:
        return files_from_diff(diff)
    return files_from_changes(files or [])


def _sha(seed: str) -> str:
    return hashlib.sha1(seed.encode()).hexdigest()
