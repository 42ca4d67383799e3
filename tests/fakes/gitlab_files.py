"""Files of the fake GitLab's projects, as its repository files and tree APIs answer about them.

`FakeGitLab.add_file` puts a file at a ref (`Project.files`: ref -> path -> bytes). A project
has its default branch, the refs files were put at, and its merge requests' SHAs and branches.
* `GET /projects/:id/repository/files/:file_path?ref=` (the path URL-encoded, `%2F` for `/`):
  `file_name`, `file_path`, `size`, `encoding: "base64"`, `content`, `content_sha256`, `ref`,
  `blob_id`, `commit_id`, `last_commit_id`, `execute_filemode`; no `ref` is a 400 `{"error":
  "ref is missing"}`, an unknown ref 404 "404 Commit Not Found", a path that is no file 404
  "404 File Not Found".
* `GET /projects/:id/repository/tree?path=&ref=&recursive=` (no `ref`: the default branch):
  the folder's entries (`id`, `name`, `type` "tree" or "blob", `path`, `mode`), folders first,
  each by name, paginated like the other lists; an unknown ref or a path that is no folder is a
  404 "404 Tree Not Found" (GitLab since late 2023; before, a missing path was an empty list).
Reading either needs Reporter access to a private project (a Guest gets 403, a stranger 404
"404 Project Not Found"). Not modelled: symlinks, submodules, LFS, `HEAD` metadata headers.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from tests.fakes.gitlab_state import GitLabState, Project, not_found, param_error


def file_json(state: GitLabState, project: Project, path: str, params: dict[str, Any]) -> Any:
    """The answer to `GET .../repository/files/:path`, or the `ApiError` GitLab sends."""
    ref = params.get("ref")
    if not isinstance(ref, str) or not ref:
        raise param_error("ref is missing")
    if not _has_ref(state, project, ref):
        raise not_found("Commit")
    data = project.files.get(ref, {}).get(path.strip("/"))
    if data is None:
        raise not_found("File")
    commit = _commit(project, ref)
    return {
        "file_name": path.rpartition("/")[2],
        "file_path": path,
        "size": len(data),
        "encoding": "base64",
        "content_sha256": hashlib.sha256(data).hexdigest(),
        "ref": ref,
        "blob_id": _blob_sha(data),
        "commit_id": commit,
        "last_commit_id": commit,
        "execute_filemode": False,
        "content": base64.b64encode(data).decode(),
    }


def tree(state: GitLabState, project: Project, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The entries `GET .../repository/tree` lists (all pages), or the `ApiError`."""
    ref = params.get("ref") or project.default_branch
    folder = str(params.get("path") or "").strip("/")
    recursive = str(params.get("recursive", "")).lower() in ("true", "1")
    if not _has_ref(state, project, ref):
        raise not_found("Tree")
    prefix = f"{folder}/" if folder else ""
    entries: dict[str, bytes | None] = {}  # path -> a file's bytes, None for a folder
    for name, data in project.files.get(ref, {}).items():
        if not name.startswith(prefix):
            continue
        parts = name.removeprefix(prefix).split("/")
        for depth in range(1, len(parts) if recursive else 1):
            entries[prefix + "/".join(parts[:depth])] = None
        if recursive or len(parts) == 1:
            entries[name] = data
        else:
            entries[prefix + parts[0]] = None
    if folder and not entries:
        raise not_found("Tree")
    found = sorted(entries.items(), key=lambda item: (item[1] is not None, item[0]))
    return [_tree_entry(project, ref, path, data) for path, data in found]


def _tree_entry(project: Project, ref: str, path: str, data: bytes | None) -> dict[str, Any]:
    if data is None:
        seed = f"tree {project.path_with_namespace}@{ref}:{path}"
        sha, kind, mode = hashlib.sha1(seed.encode()).hexdigest(), "tree", "040000"
    else:
        sha, kind, mode = _blob_sha(data), "blob", "100644"
    return {"id": sha, "name": path.rpartition("/")[2], "type": kind, "path": path, "mode": mode}


def _has_ref(state: GitLabState, project: Project, ref: str) -> bool:
    if ref in project.files or ref == project.default_branch:
        return True
    for mr in state.project_merge_requests(project):
        if ref in (mr.source_branch, mr.target_branch):
            return True
        if any(ref in version.refs for version in mr.versions):
            return True
    return False


def _commit(project: Project, ref: str) -> str:
    if len(ref) == 40 and all(c in "0123456789abcdef" for c in ref):
        return ref
    return hashlib.sha1(f"{project.path_with_namespace}@{ref}".encode()).hexdigest()


def _blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
