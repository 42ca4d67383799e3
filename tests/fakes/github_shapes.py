"""JSON bodies of the fake GitHub, in the shapes of GitHub's REST API (version 2022-11-28).

Every object carries the fields PyGithub reads (`id`, `node_id`, `url`, `html_url`, `user`,
timestamps, ...) so that it never has to fetch an object again to complete it. URLs are built
from a `Site`: the API root the request came in on (`http://host:port` or `.../api/v3`) and the
web root, like GitHub Enterprise's `https://ghe.example/api/v3` and `https://ghe.example`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from tests.fakes.github_diff import PullFile
from tests.fakes.github_state import IssueComment, Pull, Repo, Review, ReviewComment, User

DOCS = "https://docs.github.com/rest"


@dataclass(frozen=True)
class Site:
    api: str
    html: str

    def repo_api(self, repo: Repo) -> str:
        return f"{self.api}/repos/{repo.full_name}"

    def pull_html(self, pull: Pull) -> str:
        return f"{self.html}/{pull.repo.full_name}/pull/{pull.number}"


def error_body(
    status: int, message: str, errors: list[Any] | None = None, doc: str = ""
) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message}
    if errors is not None:
        body["errors"] = errors
    body["documentation_url"] = f"{DOCS}/{doc}" if doc else DOCS
    body["status"] = str(status)
    return body


def user_json(site: Site, user: User) -> dict[str, Any]:
    prefix = {"Bot": "BOT", "Organization": "O"}.get(user.type, "U")
    html = f"{site.html}/apps/{user.login.removesuffix('[bot]')}" if user.type == "Bot" else ""
    return {
        "login": user.login,
        "id": user.id,
        "node_id": f"{prefix}_fake{user.id}",
        "avatar_url": f"{site.html}/avatars/u/{user.id}?v=4",
        "gravatar_id": "",
        "url": f"{site.api}/users/{quote(user.login)}",
        "html_url": html or f"{site.html}/{user.login}",
        "type": user.type,
        "user_view_type": "public",
        "site_admin": False,
    }


def repo_json(site: Site, repo: Repo, *, push: bool | None = None) -> dict[str, Any]:
    api = site.repo_api(repo)
    body = {
        "id": repo.id,
        "node_id": f"R_fake{repo.id}",
        "name": repo.name,
        "full_name": repo.full_name,
        "private": False,
        "owner": user_json(site, repo.owner),
        "html_url": f"{site.html}/{repo.full_name}",
        "description": None,
        "fork": repo.fork,
        "url": api,
        "pulls_url": f"{api}/pulls{{/number}}",
        "issues_url": f"{api}/issues{{/number}}",
        "issue_comment_url": f"{api}/issues/comments{{/number}}",
        "commits_url": f"{api}/commits{{/sha}}",
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-01-01T00:00:00Z",
        "pushed_at": "2025-01-01T00:00:00Z",
        "default_branch": "main",
        "visibility": "public",
        "archived": False,
        "disabled": False,
    }
    if push is not None:
        body["permissions"] = {
            "admin": False,
            "maintain": False,
            "push": push,
            "triage": push,
            "pull": True,
        }
    return body


def pull_json(site: Site, pull: Pull) -> dict[str, Any]:
    api = f"{site.repo_api(pull.repo)}/pulls/{pull.number}"
    issue = f"{site.repo_api(pull.repo)}/issues/{pull.number}"
    html = site.pull_html(pull)
    files = pull.files
    return {
        "url": api,
        "id": pull.id,
        "node_id": f"PR_fake{pull.id}",
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue,
        "commits_url": f"{api}/commits",
        "review_comments_url": f"{api}/comments",
        "review_comment_url": f"{site.repo_api(pull.repo)}/pulls/comments{{/number}}",
        "comments_url": f"{issue}/comments",
        "statuses_url": f"{site.repo_api(pull.repo)}/statuses/{pull.head_sha}",
        "number": pull.number,
        "state": pull.state,
        "locked": False,
        "title": pull.title,
        "user": user_json(site, pull.user),
        "body": pull.body or None,
        "labels": [],
        "created_at": pull.created_at,
        "updated_at": pull.updated_at,
        "closed_at": None if pull.state == "open" else pull.updated_at,
        "merged_at": None,
        "merge_commit_sha": None,
        "draft": pull.draft,
        "head": _part(site, pull.head_repo, pull.head_ref, pull.head_sha, pull.repo.owner),
        "base": _part(site, pull.repo, pull.base_ref, pull.base_sha, pull.repo.owner),
        "author_association": pull.repo.association(pull.user),
        "merged": False,
        "mergeable": None,
        "comments": len(pull.comments),
        "review_comments": len(pull.review_comments()),
        "commits": len(pull.revisions),
        "additions": sum(file.additions for file in files),
        "deletions": sum(file.deletions for file in files),
        "changed_files": len(files),
    }


def _part(site: Site, repo: Repo | None, ref: str, sha: str, fallback: User) -> dict[str, Any]:
    owner = repo.owner if repo is not None else fallback
    return {
        "label": f"{owner.login}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user_json(site, owner),
        "repo": None if repo is None else repo_json(site, repo),
    }


def file_json(site: Site, repo: Repo, sha: str, file: PullFile) -> dict[str, Any]:
    path = quote(file.filename)
    body: dict[str, Any] = {
        "sha": file.sha,
        "filename": file.filename,
        "status": file.status,
        "additions": file.additions,
        "deletions": file.deletions,
        "changes": file.additions + file.deletions,
        "blob_url": f"{site.html}/{repo.full_name}/blob/{sha}/{path}",
        "raw_url": f"{site.html}/{repo.full_name}/raw/{sha}/{path}",
        "contents_url": f"{site.repo_api(repo)}/contents/{path}?ref={sha}",
    }
    if file.patch is not None:
        body["patch"] = file.patch
    if file.previous_filename is not None:
        body["previous_filename"] = file.previous_filename
    return body


def commit_json(site: Site, repo: Repo, sha: str) -> dict[str, Any]:
    api = f"{site.repo_api(repo)}/commits/{sha}"
    person = {
        "name": "Test Author",
        "email": "author@example.invalid",
        "date": "2026-01-01T00:00:00Z",
    }
    return {
        "sha": sha,
        "node_id": f"C_fake{sha[:12]}",
        "url": api,
        "html_url": f"{site.html}/{repo.full_name}/commit/{sha}",
        "commit": {
            "url": f"{site.repo_api(repo)}/git/commits/{sha}",
            "message": "change",
            "author": person,
            "committer": person,
            "comment_count": 0,
        },
        "author": None,
        "committer": None,
        "parents": [],
    }


def issue_comment_json(site: Site, pull: Pull, comment: IssueComment) -> dict[str, Any]:
    return {
        "url": f"{site.repo_api(pull.repo)}/issues/comments/{comment.id}",
        "html_url": f"{site.pull_html(pull)}#issuecomment-{comment.id}",
        "issue_url": f"{site.repo_api(pull.repo)}/issues/{pull.number}",
        "id": comment.id,
        "node_id": f"IC_fake{comment.id}",
        "user": user_json(site, comment.user),
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
        "author_association": pull.repo.association(comment.user),
        "body": comment.body,
        "reactions": _reactions(f"{site.repo_api(pull.repo)}/issues/comments/{comment.id}"),
        "performed_via_github_app": None,
    }


def review_json(site: Site, pull: Pull, review: Review) -> dict[str, Any]:
    html = f"{site.pull_html(pull)}#pullrequestreview-{review.id}"
    pull_api = f"{site.repo_api(pull.repo)}/pulls/{pull.number}"
    body: dict[str, Any] = {
        "id": review.id,
        "node_id": f"PRR_fake{review.id}",
        "user": user_json(site, review.user),
        "body": review.body,
        "state": review.state,
        "html_url": html,
        "pull_request_url": pull_api,
        "author_association": pull.repo.association(review.user),
        "_links": {"html": {"href": html}, "pull_request": {"href": pull_api}},
        "commit_id": review.commit_id,
    }
    if review.submitted_at is not None:
        body["submitted_at"] = review.submitted_at
    return body


def review_comment_json(site: Site, pull: Pull, comment: ReviewComment) -> dict[str, Any]:
    """A review comment; a reply has `in_reply_to_id` (the top comment of its thread), a top
    comment has no such key."""
    api = f"{site.repo_api(pull.repo)}/pulls/comments/{comment.id}"
    html = f"{site.pull_html(pull)}#discussion_r{comment.id}"
    pull_api = f"{site.repo_api(pull.repo)}/pulls/{pull.number}"
    reply = {} if comment.in_reply_to_id is None else {"in_reply_to_id": comment.in_reply_to_id}
    return reply | {
        "url": api,
        "pull_request_review_id": comment.review_id,
        "id": comment.id,
        "node_id": f"PRRC_fake{comment.id}",
        "diff_hunk": comment.diff_hunk,
        "path": comment.path,
        "position": comment.position,
        "original_position": comment.position,
        "commit_id": comment.commit_id,
        "original_commit_id": comment.commit_id,
        "user": user_json(site, comment.user),
        "body": comment.body,
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
        "html_url": html,
        "pull_request_url": pull_api,
        "author_association": pull.repo.association(comment.user),
        "_links": {
            "self": {"href": api},
            "html": {"href": html},
            "pull_request": {"href": pull_api},
        },
        "reactions": _reactions(api),
        "start_line": comment.start_line,
        "original_start_line": comment.start_line,
        "start_side": comment.start_side,
        "line": comment.line,
        "original_line": comment.line,
        "side": comment.side,
        "subject_type": "line",
    }


def _reactions(url: str) -> dict[str, Any]:
    kinds = ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")
    return {"url": f"{url}/reactions", "total_count": 0, **dict.fromkeys(kinds, 0)}


def pull_request_event(repo: str, number: int, base: str, head: str) -> dict[str, Any]:
    """The `pull_request` webhook payload a workflow run reads from GITHUB_EVENT_PATH
    (https://docs.github.com/webhooks/webhook-events-and-payloads#pull_request), with what
    baton reads of it: the number, the title, draft, and both ends' SHAs, refs and repos."""
    owner, _, name = repo.partition("/")
    return {
        "action": "opened",
        "number": number,
        "pull_request": {
            "number": number,
            "title": "Change",
            "draft": False,
            "base": {"sha": base, "ref": "main", "repo": {"full_name": repo}},
            "head": {"sha": head, "ref": "feature", "repo": {"full_name": repo}},
        },
        "repository": {"full_name": repo, "name": name, "owner": {"login": owner}},
    }
