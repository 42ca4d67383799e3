"""Checking what is sent to the fake GitLab's note endpoints: parameters and positions.

Parameters are checked first, as Grape checks them: a missing or badly typed one is a 400
`{"error": "body is missing, position[base_sha] is missing"}` (all problems joined). Notes are
then validated like GitLab's `Note`/`DiffNote` models: a refusal is 400 `{"message": "400 Bad
request - Note {:note=>[...], :line_code=>[...]}"}`, the errors hash printed the way Ruby 3.3
prints it (Ruby 3.4 would print `{line_code: [...]}`); `ruby_errors` renders it.

A diff note's `position` must name one of the merge request's diff versions by its three SHAs
and a line of that version's diff (`DiffFile.resolve`): an added line by `new_line` alone, a
removed line by `old_line` alone, an unchanged line by both; the file by `new_path` (and, for a
renamed file, its `old_path` too; a differing `old_path` never matches). Anything else has no
line code: `{:line_code=>["can't be blank", "must be a valid line code"]}`, plus
`:position=>["is incomplete"]` when a SHA, both paths or both lines are missing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tests.fakes.gitlab_state import ApiError, MergeRequest, bad_request, param_error

NOTE_LIMIT = 1_000_000
NO_LINE_CODE = ["can't be blank", "must be a valid line code"]
POSITION_KEYS = (
    "base_sha",
    "start_sha",
    "head_sha",
    "old_path",
    "new_path",
    "position_type",
    "old_line",
    "new_line",
    "line_range",
)

Errors = dict[str, list[str]]


def ruby_errors(errors: Errors) -> str:
    """`{:line_code=>["can't be blank", "must be a valid line code"]}`, as Ruby 3.3 prints."""
    items = [f":{key}=>[{', '.join(json.dumps(m) for m in msgs)}]" for key, msgs in errors.items()]
    return "{" + ", ".join(items) + "}"


def invalid_note(errors: Errors) -> ApiError:
    return bad_request(f"Note {ruby_errors(errors)}")


# -- parameters, as Grape coerces and checks them ---------------------------------------------


def text(
    params: Mapping[str, Any],
    key: str,
    problems: list[str],
    *,
    required: bool = False,
    allow_blank: bool = True,
    label: str | None = None,
) -> str | None:
    value, name = params.get(key), label or key
    if value is None:
        if required:
            problems.append(f"{name} is missing")
        return None
    if not isinstance(value, str | int | float):
        problems.append(f"{name} is invalid")
        return None
    if not allow_blank and not str(value).strip():
        problems.append(f"{name} is empty")
    return str(value)


def integer(params: Mapping[str, Any], key: str, problems: list[str], label: str) -> int | None:
    value = params.get(key)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    problems.append(f"{label} is invalid")
    return None


def boolean(params: Mapping[str, Any], key: str, problems: list[str]) -> bool | None:
    value = params.get(key)
    if value is None or isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "yes", "t"):
        return True
    if str(value).lower() in ("false", "0", "no", "f"):
        return False
    problems.append(f"{key} is invalid")
    return None


def position(
    params: Mapping[str, Any], problems: list[str], types: tuple[str, ...]
) -> dict[str, Any] | None:
    """The `position` hash normalised to GitLab's `position.to_h` keys, or None if not sent."""
    raw = params.get("position")
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.append("position is invalid")
        return None
    found: dict[str, Any] = {}
    for key in ("base_sha", "start_sha", "head_sha", "position_type"):
        found[key] = text(raw, key, problems, required=True, label=f"position[{key}]")
    if found["position_type"] is not None and found["position_type"] not in types:
        problems.append("position[position_type] does not have a valid value")
    for key in ("new_path", "old_path"):
        found[key] = text(raw, key, problems, label=f"position[{key}]")
    for key in ("new_line", "old_line"):
        found[key] = integer(raw, key, problems, f"position[{key}]")
    found["line_range"] = raw.get("line_range")
    return {key: found.get(key) for key in POSITION_KEYS}


def checked(problems: list[str]) -> None:
    if problems:
        raise param_error(", ".join(problems))


# -- validation, as GitLab's models validate ---------------------------------------------------


def body_errors(body: str) -> Errors:
    if not body.strip():
        return {"note": ["can't be blank"]}
    if len(body) > NOTE_LIMIT:
        return {"note": [f"is too long (maximum is {NOTE_LIMIT} characters)"]}
    return {}


def line_code(mr: MergeRequest, pos: Mapping[str, Any]) -> tuple[str | None, Errors]:
    """The line code of a text `position` in `mr`'s diff, or the errors GitLab reports."""
    if pos["position_type"] != "text":
        raise bad_request("fake: only text positions are modelled")
    shas = (pos["base_sha"], pos["start_sha"], pos["head_sha"])
    version = next((v for v in mr.versions if v.refs == shas), None)
    files = version.files if version is not None else []
    for file in files:
        if pos["new_path"] and pos["new_path"] != file.new_path:
            continue
        if not pos["new_path"] and pos["old_path"] != file.old_path:
            continue
        if pos["old_path"] not in (None, file.old_path) or (
            file.renamed_file and pos["old_path"] is None
        ):
            continue
        line = file.resolve(pos["old_line"], pos["new_line"])
        if line is not None:
            return file.line_code(line), {}
    errors: Errors = {"line_code": list(NO_LINE_CODE)}
    if not complete(pos):
        errors["position"] = ["is incomplete"]
    return None, errors


def complete(pos: Mapping[str, Any]) -> bool:
    """GitLab's `Position#complete?`: SHAs, a path and a line (for a text position)."""
    if not all(pos[key] for key in ("base_sha", "start_sha", "head_sha")):
        return False
    if not (pos["new_path"] or pos["old_path"]):
        return False
    return (
        pos["position_type"] != "text"
        or pos["old_line"] is not None
        or (pos["new_line"] is not None)
    )
