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

    For a built-in name (security, quality, coverage, synthesizer) it adjusts that agent; any
    other name defines a Claude agent, whose `prompt` or `prompt_file` is its system prompt.
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
