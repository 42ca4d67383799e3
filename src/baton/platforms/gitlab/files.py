"""Reading repository files at a commit through GitLab's repository files and tree APIs.

`read_file` asks `GET /projects/:id/repository/files/:path?ref=` and `list_files`
`GET /projects/:id/repository/tree?path=&ref=` (every page) of the merge request's target
project (`CI_MERGE_REQUEST_PROJECT_ID`), so a checkout without that commit still sees it.
"404 File Not Found" is None and "404 Tree Not Found" (or an empty tree) is no files; anything
else stops the review with an `IncompleteReviewError` naming the path, the commit and the
cause: a token GitLab refuses or that cannot see the project (it needs `read_api`, or
`read_repository` for single files, and Reporter access), GitLab unreachable or failing after
a few retries, a commit GitLab does not know, or a file that is binary, not UTF-8 or over 1 MB.
An answer that could not be read is asked for again (`client.ask`) before it counts.
"""

from __future__ import annotations

from typing import Any

import gitlab
from gitlab.exceptions import GitlabError
from gitlab.v4.objects import Project
from requests import RequestException

from baton.errors import IncompleteReviewError
from baton.platforms.gitlab.client import ask, cause
from baton.platforms.repo_text import file_text, unreadable

# Reads retry 429s and 5xx a few times (0.1 s, 0.2 s, 0.4 s apart), not python-gitlab's 10.
RETRIES: dict[str, Any] = {"retry_transient_errors": True, "max_retries": 3}
ACCESS = (
    "the GitLab token needs the read_api scope (read_repository is enough for single files) "
    "and at least Reporter access to project {project}"
)


def read_file(client: gitlab.Gitlab, project: str, path: str, ref: str) -> str | None:
    """The text of `path` at `ref` in `project` (id or path); None when no file is there."""
    path = path.strip("/")
    where = _where(path, ref)
    files = _project(client, project).files
    try:
        found = ask(lambda: files.get(file_path=path, ref=ref, **RETRIES))
    except GitlabError as err:
        if err.response_code == 404 and cause(err) == "404 File Not Found":
            return None
        raise _refused(where, project, ref, err) from None
    except RequestException as err:
        raise _unreachable(where, err) from None
    return file_text(found.decode(), where)


def list_files(client: gitlab.Gitlab, project: str, folder: str, ref: str) -> list[str]:
    """Paths of the files directly inside `folder` at `ref`, sorted; [] for no such folder."""
    folder = folder.strip("/")
    where = _where(folder or "/", ref)
    found = _project(client, project)
    try:
        entries = ask(lambda: found.repository_tree(path=folder, ref=ref, get_all=True, **RETRIES))
    except GitlabError as err:
        if err.response_code == 404 and cause(err) == "404 Tree Not Found":
            return []
        raise _refused(where, project, ref, err) from None
    except RequestException as err:
        raise _unreachable(where, err) from None
    return sorted(str(entry["path"]) for entry in entries if entry.get("type") == "blob")


def _project(client: gitlab.Gitlab, project: str) -> Project:
    return client.projects.get(project, lazy=True)


def _where(path: str, ref: str) -> str:
    return f"{path} at {ref} from GitLab"


def _refused(where: str, project: str, ref: str, err: GitlabError) -> IncompleteReviewError:
    said = cause(err)
    if said == "404 Commit Not Found":
        return unreadable(where, f"GitLab does not know commit {ref}")
    if err.response_code in (401, 403) or said == "404 Project Not Found":
        return unreadable(where, f"GitLab API error {said}; {ACCESS.format(project=project)}")
    return unreadable(where, f"GitLab API error {said}")


def _unreachable(where: str, err: RequestException) -> IncompleteReviewError:
    detail = " ".join(str(err).split())[:200]
    return unreadable(where, f"GitLab API unreachable: {type(err).__name__}: {detail}")
