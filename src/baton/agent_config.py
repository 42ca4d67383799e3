"""One agent's configuration table, `[tool.baton.agents.<name>]`, and the engine choice.

Kept apart from `settings` (which validates every source at once) because an agent table is
its own small language: which engine, which prompt and tools, which limits, which rules and
paths. Unset values fall back to the global settings (`Settings.options_for`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from baton.findings.model import Severity
from baton.globs import checked_globs


class FilterMode(StrEnum):
    """Which of an analyser's findings count, as reviewdog's `-filter-mode` means it:
    `added` (on added lines), `diff_context` (on lines the diff shows), `file` (anywhere in
    a changed file), `nofilter` (anywhere, files the change does not touch included)."""

    ADDED = "added"
    DIFF_CONTEXT = "diff_context"
    FILE = "file"
    NOFILTER = "nofilter"


class ReportFormat(StrEnum):
    """The report formats analyser agents and imported results are read in."""

    SARIF = "sarif"
    RDJSON = "rdjson"
    RDJSONL = "rdjsonl"
    CHECKSTYLE = "checkstyle"


class Engine(StrEnum):
    """Whether a Claude agent reviews beside a built-in one: `builtin` (never), `claude`
    (always), `auto` (when a model credential is set). Built-in agents always run."""

    AUTO = "auto"
    CLAUDE = "claude"
    BUILTIN = "builtin"


def _upper_values(value: object) -> object:
    if isinstance(value, dict):
        return {k: v.upper() if isinstance(v, str) else v for k, v in value.items()}
    return value


SeverityMap = Annotated[dict[str, Severity], BeforeValidator(_upper_values)]
"""Rule id → severity; `info` and `INFO` both work."""


class AgentConfig(BaseModel):
    """One agent's table, `[tool.baton.agents.<name>]`.

    For a built-in name (security, quality, coverage, synthesizer, …) it adjusts that agent.
    Any other name defines an agent: with `command`, an analyser (an external tool whose
    report, in `format`, becomes findings); with `prompt` or `prompt_file`, a Claude agent.
    Unset values fall back to the global settings.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    engine: Engine | None = None
    description: str | None = None
    prompt: str | None = Field(default=None, description="System prompt of a Claude agent.")
    prompt_file: str | None = Field(
        default=None, description="Repository path of a file holding the system prompt."
    )
    tools: list[str] | None = Field(
        default=None, description="Claude tools; kept only where baton's read-only set allows."
    )
    extra_tools: list[str] = Field(
        default_factory=list, description="Claude tools beyond the read-only set, given as is."
    )
    model: str | None = None
    max_turns: int | None = Field(default=None, gt=0)
    timeout: float | None = Field(default=None, gt=0, description="Seconds; overrides `timeout`.")
    retries: int | None = Field(default=None, ge=0, le=10)
    severity: SeverityMap = Field(
        default_factory=dict, description="Rule id → severity for this agent's findings."
    )
    ignore: Annotated[list[str], AfterValidator(checked_globs)] = Field(
        default_factory=list, description="Globs of paths this agent does not review."
    )
    command: list[str] | None = Field(
        default=None,
        min_length=1,
        description="An analyser's argv; `{files}` expands to its changed files.",
    )
    format: ReportFormat | None = Field(
        default=None, description="The analyser's report format (sarif, rdjson, …)."
    )
    output: str | None = Field(
        default=None, description="File the analyser writes its report to (default: stdout)."
    )
    files: Annotated[list[str], AfterValidator(checked_globs)] = Field(
        default_factory=list, description="Globs of the paths an analyser accepts (all: none)."
    )
    filter: FilterMode | None = Field(
        default=None, description="Which analyser findings count (default: added)."
    )
