"""Files of the fake GitHub's repositories, as its contents API answers about them.

`FakeGitHub.add_file` puts a file at a ref (`Repo.files`: ref -> path -> bytes). A repository
has the refs files were put at and its pull requests' SHAs and branches. `GET /repos/{o}/{r}/
contents/{path}?ref=` (no `ref`: "main") answers, as GitHub does with its default media type:
* a file: `type: "file"`, `encoding: "base64"`, `content` (base64 in lines of 60 characters),
  `size`, `name`, `path`, `sha` (the git blob SHA), URLs and `_links`; over 1 MB, `encoding:
  "none"` and an empty `content`;
* a folder (the root too): a list of its entries, folders (`type: "dir"`, `size` 0) and files,
  by name, without `content`;
* 404 "Not Found" for a path that is neither, 404 "No commit found for the ref X" for a ref the
  repository does not have.
Not modelled: symlinks and submodules, the raw and html media types, files over 100 MB (a 403),
folders over 1,000 entries (GitHub cuts them off).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import quote

from tests.fakes.github_shapes import Site
from tests.fakes.github_state import ApiError, GitHubState, Repo

LARGE = 1024 * 1024  # bigger files come without content


def contents_json(
    site: Site, state: GitHubState, repo: Repo, path: str, ref: str
) -> dict[str, Any] | list[dict[str, Any]]:
    """The answer to `GET .../contents/{path}?ref={ref}`, or the `ApiError` GitHub sends."""
    if not _has_ref(state, repo, ref):
        raise ApiError(404, f"No commit found for the ref {ref}")
    files = repo.files.get(ref, {})
    path = path.strip("/")
    if path in files:
        data = files[path]
        body = _entry(site, repo, ref, path, "file", data)
        if len(data) > LARGE:
            return body | {"content": "", "encoding": "none"}
        return body | {"content": _base64(data), "encoding": "base64"}
    prefix = f"{path}/" if path else ""
    children: dict[str, bytes | None] = {}  # name -> a file's bytes, None for a folder
    for name, data in files.items():
        if name.startswith(prefix):
            child, slash, _ = name.removeprefix(prefix).partition("/")
            children[child] = None if slash else data
    if path and not children:
        raise ApiError(404, "Not Found")
    return [
        _entry(site, repo, ref, prefix + name, "file" if data is not None else "dir", data)
        for name, data in sorted(children.items())
    ]


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _has_ref(state: GitHubState, repo: Repo, ref: str) -> bool:
    if ref in repo.files:
        return True
    return any(
        ref in pull.revisions or ref in (pull.base_sha, pull.base_ref, pull.head_ref)
        for pull in state.all_pulls(repo.full_name)
    )


def _entry(
    site: Site, repo: Repo, ref: str, path: str, kind: str, data: bytes | None
) -> dict[str, Any]:
    api = site.repo_api(repo)
    if data is None:
        sha = hashlib.sha1(f"tree {repo.full_name}@{ref}:{path}".encode()).hexdigest()
        git_url, html_url, download = f"{api}/git/trees/{sha}", "tree", None
    else:
        sha = blob_sha(data)
        git_url, html_url = f"{api}/git/blobs/{sha}", "blob"
        download = f"{site.html}/{repo.full_name}/raw/{quote(ref)}/{quote(path)}"
    url = f"{api}/contents/{quote(path)}?ref={quote(ref)}"
    html = f"{site.html}/{repo.full_name}/{html_url}/{quote(ref)}/{quote(path)}"
    return {
        "type": kind,
        "size": 0 if data is None else len(data),
        "name": path.rpartition("/")[2],
        "path": path,
        "sha": sha,
        "url": url,
        "git_url": git_url,
        "html_url": html,
        "download_url": download,
        "_links": {"self": url, "git": git_url, "html": html},
    }


def _base64(data: bytes) -> str:
    text = base64.b64encode(data).decode()
    return "".join(text[i : i + 60] + "\n" for i in range(0, len(text), 60))
