"""Reading repository files at a commit through GitHub's contents API.

`read_file` and `list_files` ask `GET /repos/{owner}/{repo}/contents/{path}?ref=` of the
repository the pull request targets (`GITHUB_REPOSITORY`), so a checkout without that commit
still sees it. A path or folder that is not there is an answer (None, or no files); anything
else stops the review with an `IncompleteReviewError` naming the path, the commit and the
cause: a token GitHub refuses (it needs `contents: read`), GitHub unreachable after the
client's retries, a commit GitHub does not know, a repository it does not show, or a file that
is binary, not UTF-8 or over 1 MB (GitHub sends no content for those). An answer that could not
be read (cut short, not JSON) is asked for again (`resilience.read_again`) before it counts.
"""

from __future__ import annotations

from github import Github, GithubException
from github.ContentFile import ContentFile

from baton.errors import IncompleteReviewError
from baton.platforms.github.client import UNREACHABLE, UNREADABLE, describe
from baton.platforms.repo_text import file_text, unreadable
from baton.platforms.resilience import read_again

PERMISSION = "the token needs the `contents: read` permission on {repository}"


def read_file(github: Github, repository: str, path: str, ref: str) -> str | None:
    """The text of `path` at `ref`; None when no file is there (a folder is no file)."""
    path = path.strip("/")
    where = _where(path, ref)
    found = _contents(github, repository, path, ref)
    if not isinstance(found, ContentFile) or found.type != "file":
        return None
    if found.encoding != "base64":  # "none": GitHub leaves out files over 1 MB
        raise unreadable(where, f"the file is over 1 MB ({found.size} bytes)")
    return file_text(found.decoded_content, where)


def list_files(github: Github, repository: str, folder: str, ref: str) -> list[str]:
    """Paths of the files directly inside `folder` at `ref`, sorted; [] for no such folder."""
    found = _contents(github, repository, folder.strip("/"), ref)
    if not isinstance(found, list):
        return []
    return sorted(entry.path for entry in found if entry.type == "file")


def _contents(
    github: Github, repository: str, path: str, ref: str
) -> ContentFile | list[ContentFile] | None:
    where = _where(path or "/", ref)
    try:  # the client is lazy: `complete()` asks for the repository itself
        repo = read_again(lambda: github.get_repo(repository).complete(), UNREADABLE)
    except GithubException as err:
        if err.status == 404:
            cause = f"GitHub shows no repository {repository} to this token"
            raise unreadable(where, cause) from None
        raise _refused(where, repository, err) from None
    except UNREACHABLE as err:
        raise _unreachable(where, err) from None
    try:
        return read_again(lambda: repo.get_contents(path, ref=ref), UNREADABLE)
    except GithubException as err:
        message = _message(err)
        if err.status == 404 and message == "Not Found":
            return None
        if err.status == 404 and message.startswith("No commit found"):
            raise unreadable(where, f"GitHub does not know commit {ref}") from None
        raise _refused(where, repository, err) from None
    except UNREACHABLE as err:
        raise _unreachable(where, err) from None


def _where(path: str, ref: str) -> str:
    return f"{path} at {ref} from GitHub"


def _refused(where: str, repository: str, err: GithubException) -> IncompleteReviewError:
    cause = f"GitHub API error {err.status}: {_message(err)}"
    if err.status == 401 or (err.status == 403 and "rate limit" not in cause.lower()):
        cause += "; " + PERMISSION.format(repository=repository)
    return unreadable(where, cause)


def _unreachable(where: str, err: Exception) -> IncompleteReviewError:
    return unreadable(where, describe(err))


def _message(err: GithubException) -> str:
    data = err.data if isinstance(err.data, dict) else {}
    return " ".join(str(data.get("message") or err).split())[:200]
