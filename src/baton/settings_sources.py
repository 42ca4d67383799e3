"""Where settings come from besides flags: the environment, GitHub Action inputs and config
files, and the checks that keep each source to the keys it may set.

`Selection` wraps every source so that `agents` given as names means `only`. Action inputs
(`INPUT_FAIL_ON`) are read by setting name; `import` is the action's spelling of `imports`.
Unknown `BATON_*` variables and unknown config keys are usage errors, and settings of one
run (`repo`, `base`, tokens …) cannot come from a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import PydanticBaseSettingsSource

from baton.errors import UsageError

ENV_PREFIX = "BATON_"


class Selection(PydanticBaseSettingsSource):
    """A source in which `agents` given as names (`--agents`, `BATON_AGENTS=a,b`, the action
    input, `agents = [..]`) means `only`, so it never replaces another source's agent tables."""

    def __init__(self, inner: PydanticBaseSettingsSource) -> None:
        super().__init__(inner.settings_cls)
        self._inner = inner

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        values = dict(self._inner())
        if isinstance(values.get("agents"), str | list):
            values["only"] = values.pop("agents")
        return values


def describe_validation_error(err: ValidationError) -> str:
    """Pydantic's errors as `field: message (got value)` joined on one line."""
    parts = []
    for item in err.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "settings"
        got = item.get("input")
        shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}{shown}")
    return "; ".join(parts)


ACTION_INPUTS_IGNORED = frozenset(
    {"config", "anthropic_api_key", "anthropic_base_url", "mode", "reports"}
)
"""Action inputs that are not settings: read by the platform layer or the image's entrypoint."""
ACTION_INPUT_NAMES = {"imports": "import"}
"""Settings whose action input is spelled differently (`with: import: codeql.sarif`)."""


def action_inputs(environ: Mapping[str, str], fields: Iterable[str]) -> dict[str, str]:
    """GitHub Action inputs (`INPUT_FAIL_ON=high`) that name a setting; empty means unset.

    action.yml declares no defaults (but the token's), so an input the workflow does not set
    leaves the repository's own config in force.
    """
    values = {}
    for name in fields:
        value = environ.get(f"INPUT_{ACTION_INPUT_NAMES.get(name, name).upper()}", "").strip()
        if value and name not in ACTION_INPUTS_IGNORED:
            values[name] = value
    return values


NOT_SETTINGS = frozenset({"BATON_IMAGE"})
"""BATON_* variables that are not settings: the GitLab template's image."""


def reject_unknown_env(environ: Mapping[str, str], fields: Iterable[str]) -> None:
    known = set(fields)
    for key in environ:
        if not key.upper().startswith(ENV_PREFIX) or key.upper() in NOT_SETTINGS:
            continue
        field = key[len(ENV_PREFIX) :].lower().split("__", 1)[0]
        if field not in known:
            raise UsageError(f"unknown setting in environment: {key}")


NOT_IN_FILES = frozenset(
    {"repo", "base", "head", "diff", "platform", "github_token", "gitlab_token"}
    | {"trust_head_config", "work_dir"}
)
"""Settings of one run, not of the repository: flags and environment only. A config file
that could set them could choose which commit its own settings are read from."""


def reject_unknown_keys(values: Mapping[str, Any], source: str, fields: Iterable[str]) -> None:
    where = source or "config"
    unknown = sorted(set(values) - set(fields))
    if unknown:
        hint = " (agent tables are [agents.NAME])" if "agent" in unknown else ""
        raise UsageError(f"{where}: unknown key {', '.join(unknown)}{hint}")
    run_only = sorted(NOT_IN_FILES & set(values))
    if run_only:
        raise UsageError(
            f"{where}: {', '.join(run_only)} can only be set by a flag or the environment"
        )
