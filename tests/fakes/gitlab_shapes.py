"""JSON bodies of the fake GitLab, in the shapes of GitLab's REST API v4 entities.

`UserBasic`, `Project`, `MergeRequest`, `MergeRequestDiff(Full)`, `Diff`, `Note`, `Discussion`
and `DraftNote`, with the fields python-gitlab and API clients read. URLs come from a `Site`:
the API root a request came in on (`http://host:port[/sub-path]/api/v4`) and the web root
before it, so a self-managed GitLab under a sub-path answers with sub-path URLs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from tests.fakes.gitlab_diff import DiffFile
from tests.fakes.gitlab_state import (
    Discussion,
    DraftNote,
    MergeRequest,
    Note,
    Project,
    Token,
    User,
    Version,
)


@dataclass(frozen=True)
class Site:
    api: str
    web: str

    def project_web(self, project: Project) -> str:
        return f"{self.web}/{project.path_with_namespace}"


def user_basic(site: Site, user: User) -> dict[str, Any]:
    digest = hashlib.md5(user.username.encode()).hexdigest()  # a gravatar key, as GitLab builds it
    return {
        "id": user.id,
        "username": user.username,
        "public_email": "",
        "name": user.name,
        "state": "active",
        "locked": False,
        "avatar_url": f"https://www.gravatar.com/avatar/{digest}?s=80&d=identicon",
        "web_url": f"{site.web}/{user.username}",
    }


def current_user(site: Site, token: Token) -> dict[str, Any]:
    """`GET /user`: the token's user with the fields only its owner sees."""
    user = token.user
    return user_basic(site, user) | {
        "created_at": "2025-01-01T00:00:00.000Z",
        "bio": "",
        "location": "",
        "website_url": "",
        "organization": "",
        "job_title": "",
        "bot": user.bot,
        "work_information": None,
        "followers": 0,
        "following": 0,
        "local_time": None,
        "last_sign_in_at": None if user.bot else "2026-01-01T00:00:00.000Z",
        "confirmed_at": "2025-01-01T00:00:00.000Z",
        "last_activity_on": "2026-01-01",
        "email": f"{user.username}@noreply.example.invalid",
        "theme_id": 1,
        "color_scheme_id": 1,
        "projects_limit": 0 if user.bot else 100000,
        "current_sign_in_at": None,
        "identities": [],
        "can_create_group": not user.bot,
        "can_create_project": not user.bot,
        "two_factor_enabled": False,
        "external": False,
        "private_profile": False,
        "commit_email": f"{user.username}@noreply.example.invalid",
        "is_admin": False,
    }


def project_json(site: Site, project: Project, level: int) -> dict[str, Any]:
    web = site.project_web(project)
    host = site.web.split("://", 1)[-1].split("/", 1)[0]
    namespace = project.namespace
    body: dict[str, Any] = {
        "id": project.id,
        "description": None,
        "name": project.path,
        "name_with_namespace": project.path_with_namespace.replace("/", " / "),
        "path": project.path,
        "path_with_namespace": project.path_with_namespace,
        "created_at": project.created_at,
        "default_branch": project.default_branch,
        "tag_list": [],
        "topics": [],
        "ssh_url_to_repo": f"git@{host.split(':')[0]}:{project.path_with_namespace}.git",
        "http_url_to_repo": f"{web}.git",
        "web_url": web,
        "readme_url": None,
        "forks_count": 0,
        "avatar_url": None,
        "star_count": 0,
        "last_activity_at": project.created_at,
        "namespace": {
            "id": 100 + len(namespace),
            "name": namespace.rpartition("/")[2],
            "path": namespace.rpartition("/")[2],
            "kind": "group",
            "full_path": namespace,
            "parent_id": None,
            "avatar_url": None,
            "web_url": f"{site.web}/groups/{namespace}",
        },
        "visibility": project.visibility,
        "merge_requests_enabled": True,
        "archived": False,
    }
    if level:
        access = {"access_level": level, "notification_level": 3}
        body["permissions"] = {"project_access": access, "group_access": None}
    return body


def merge_request_json(site: Site, mr: MergeRequest) -> dict[str, Any]:
    version = mr.version
    path = mr.project.path_with_namespace
    user_notes = sum(1 for note in mr.notes if not note.system)
    body: dict[str, Any] = {
        "id": mr.id,
        "iid": mr.iid,
        "project_id": mr.project.id,
        "title": mr.title,
        "description": mr.description,
        "state": mr.state,
        "created_at": mr.created_at,
        "updated_at": mr.updated_at,
        "merged_by": None,
        "merge_user": None,
        "merged_at": None,
        "closed_by": None,
        "closed_at": mr.updated_at if mr.state == "closed" else None,
        "target_branch": mr.target_branch,
        "source_branch": mr.source_branch,
        "user_notes_count": user_notes,
        "upvotes": 0,
        "downvotes": 0,
        "author": user_basic(site, mr.author),
        "assignees": [],
        "assignee": None,
        "reviewers": [],
        "source_project_id": mr.source_project.id,
        "target_project_id": mr.project.id,
        "labels": [],
        "draft": mr.draft,
        "work_in_progress": mr.draft,
        "milestone": None,
        "merge_when_pipeline_succeeds": False,
        "merge_status": "can_be_merged",
        "detailed_merge_status": "draft_status" if mr.draft else "mergeable",
        "sha": version.head_sha,
        "merge_commit_sha": None,
        "squash_commit_sha": None,
        "discussion_locked": None,
        "should_remove_source_branch": None,
        "force_remove_source_branch": True,
        "prepared_at": mr.created_at,
        "reference": f"!{mr.iid}",
        "references": {"short": f"!{mr.iid}", "relative": f"!{mr.iid}", "full": f"{path}!{mr.iid}"},
        "web_url": f"{site.project_web(mr.project)}/-/merge_requests/{mr.iid}",
        "time_stats": {
            "time_estimate": 0,
            "total_time_spent": 0,
            "human_time_estimate": None,
            "human_total_time_spent": None,
        },
        "squash": False,
        "squash_on_merge": False,
        "task_completion_status": {"count": 0, "completed_count": 0},
        "has_conflicts": False,
        "blocking_discussions_resolved": all(d.resolved for d in mr.discussions if d.resolvable),
        "subscribed": False,
        "changes_count": str(len(version.files)),
        "latest_build_started_at": None,
        "latest_build_finished_at": None,
        "first_deployed_to_production_at": None,
        "pipeline": None,
        "head_pipeline": None,
        "diff_refs": {
            "base_sha": version.base_sha,
            "head_sha": version.head_sha,
            "start_sha": version.start_sha,
        },
        "merge_error": None,
        "user": {"can_merge": False},
    }
    if mr.source_project is not mr.project:
        body["allow_collaboration"] = body["allow_maintainer_to_push"] = False
    return body


def version_json(mr: MergeRequest, version: Version) -> dict[str, Any]:
    return {
        "id": version.id,
        "head_commit_sha": version.head_sha,
        "base_commit_sha": version.base_sha,
        "start_commit_sha": version.start_sha,
        "created_at": version.created_at,
        "merge_request_id": mr.id,
        "state": "collected",
        "real_size": str(len(version.files)),
        "patch_id_sha": hashlib.sha1(f"{version.refs}".encode()).hexdigest(),
    }


def diff_json(file: DiffFile) -> dict[str, Any]:
    return {
        "diff": file.diff,
        "collapsed": False,
        "too_large": False,
        "new_path": file.new_path,
        "old_path": file.old_path,
        "a_mode": file.a_mode,
        "b_mode": file.b_mode,
        "new_file": file.new_file,
        "renamed_file": file.renamed_file,
        "deleted_file": file.deleted_file,
        "generated_file": False,
    }


def position_json(position: dict[str, Any] | None) -> dict[str, Any]:
    keys = ("base_sha", "start_sha", "head_sha", "old_path", "new_path")
    found = position or {}
    body = {key: found.get(key) for key in keys}
    body["position_type"] = found.get("position_type") or "text"
    return body | {key: found.get(key) for key in ("old_line", "new_line", "line_range")}


def note_json(site: Site, mr: MergeRequest, note: Note) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": note.id,
        "type": note.type,
        "body": note.body,
        "author": user_basic(site, note.author),
        "created_at": note.created_at,
        "updated_at": note.updated_at,
        "system": note.system,
        "noteable_id": mr.id,
        "noteable_type": "MergeRequest",
        "project_id": mr.project.id,
    }
    if note.type == "DiffNote":
        body["commit_id"] = note.commit_id
        body["position"] = position_json(note.position)
    body["resolvable"] = note.resolvable
    if note.resolvable:
        body["resolved"] = note.resolved
        resolver = note.resolved_by
        body["resolved_by"] = None if resolver is None else user_basic(site, resolver)
        body["resolved_at"] = note.resolved_at
    return body | {
        "suggestions": [],
        "confidential": False,
        "internal": False,
        "imported": False,
        "imported_from": "none",
        "noteable_iid": mr.iid,
        "commands_changes": {},
    }


def discussion_json(site: Site, mr: MergeRequest, discussion: Discussion) -> dict[str, Any]:
    return {
        "id": discussion.id,
        "individual_note": discussion.individual,
        "notes": [note_json(site, mr, note) for note in discussion.notes],
    }


def draft_json(mr: MergeRequest, draft: DraftNote) -> dict[str, Any]:
    return {
        "id": draft.id,
        "author_id": draft.author.id,
        "merge_request_id": mr.id,
        "resolve_discussion": draft.resolve_discussion,
        "discussion_id": draft.reply_to,
        "note": draft.note,
        "commit_id": draft.commit_id,
        "line_code": draft.line_code,
        "position": position_json(draft.position),
    }


def member_json(site: Site, user: User, level: int) -> dict[str, Any]:
    """A member of a project, inherited memberships included (`Entities::Member`,
    https://docs.gitlab.com/api/members/#get-a-member-of-a-group-or-project-including-inherited-and-invited-members)."""
    return user_basic(site, user) | {
        "access_level": level,
        "created_at": "2025-01-01T00:00:00.000Z",
        "created_by": None,
        "expires_at": None,
        "group_saml_identity": None,
        "membership_state": "active",
    }
