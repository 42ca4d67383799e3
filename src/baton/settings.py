"""One settings model for CLI flags, `BATON_*` environment variables and repository config.

Precedence, highest first:

1. command-line flags (`baton review --fail-on high`)
2. environment variables (`BATON_FAIL_ON=high`; nested keys with `__`, lists comma-separated),
   then GitHub Action inputs (`INPUT_FAIL_ON`, set from `with:`; empty ones are ignored)
3. the reviewed repository's `.baton.toml` (top-level keys) **or** `[tool.baton]` in its
   `pyproject.toml` — one of the two; both at once is an error
4. built-in defaults

Unknown keys and bad values raise `UsageError` with one readable line (exit code 2).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextvars import ContextVar
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from baton.agent_config import AgentConfig, Engine, FilterMode, SeverityMap
from baton.errors import UsageError
from baton.findings.model import Severity
from baton.globs import checked_globs
from baton.settings_sources import (
    ENV_PREFIX,
    Selection,
    action_inputs,
    describe_validation_error,
    reject_unknown_env,
    reject_unknown_keys,
)

DEFAULT_AGENTS = ("security", "quality", "coverage")
MODEL_LAYER = "claude-"
"""Prefix of the Claude agent that reviews beside a built-in one: `claude-security`."""


class FailOn(StrEnum):
    """A severity threshold: the least severe finding that counts (`never`: none does).

    For `fail_on` it fails the gate, for `stop_on` it stops the pipeline, and for
    `suppress_max_severity` it is the most severe finding an inline marker can silence.
    """

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"
    NEVER = "never"

    @property
    def threshold(self) -> Severity | None:
        return None if self is FailOn.NEVER else Severity(self.value.upper())


class PlatformName(StrEnum):
    """Where the review is published: detected from the CI environment by default."""

    AUTO = "auto"
    LOCAL = "local"
    GITHUB = "github"
    GITLAB = "gitlab"


class CommentMode(StrEnum):
    STICKY = "sticky"
    OFF = "off"


class Incremental(StrEnum):
    AUTO = "auto"
    OFF = "off"


def _phases(value: object) -> object:
    """`"a,b;c"` (flags, environment) or a list whose items are a name or a list of names."""
    if isinstance(value, str):
        value = [part for part in value.split(";") if part.strip()]
    if isinstance(value, list):
        return [_split_commas(item) if isinstance(item, str) else item for item in value]
    return value


def _split_commas(value: object) -> object:
    """`"a, b"` or one per line (a multi-line action input) as a list."""
    if isinstance(value, str):
        return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]
    return value


def _web_address(value: str) -> str:
    if not value.startswith(("https://", "http://")) or any(c.isspace() for c in value):
        raise ValueError("must be an http:// or https:// address")
    return value.rstrip("/")


CommaList = Annotated[list[str], NoDecode]
PhaseList = Annotated[list[list[str]], NoDecode]


class Settings(BaseSettings):
    """Everything that shapes one review. Built once by `load_settings` and passed down."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_ignore_empty=True,
        extra="forbid",
        frozen=True,
        case_sensitive=False,
    )

    # What to review.
    repo: Path | None = Field(default=None, description="Checkout to review (default: cwd).")
    base: str | None = Field(default=None, description="Ref to compare with (merge-base).")
    head: str = Field(default="HEAD", description="Ref under review.")
    diff: str | None = Field(default=None, description="Unified diff file, or '-' for stdin.")

    # The gate.
    fail_on: FailOn = FailOn.CRITICAL
    min_diff_coverage: float = Field(default=80.0, ge=0, le=100)

    # The agents and the pipeline.
    only: CommaList | None = Field(
        default=None,
        description="Run only these agents (--agents, BATON_AGENTS, the `agents` input).",
    )
    agents: Annotated[dict[str, AgentConfig], NoDecode] = Field(default_factory=dict)
    phases: PhaseList | None = Field(
        default=None,
        description="Agents per phase, in order; phases run one after the other.",
    )
    stop_on: FailOn = Field(
        default=FailOn.CRITICAL,
        description="A phase with a finding at or above this skips the later phases.",
    )
    retries: int = Field(default=2, ge=0, le=10, description="Reruns of a failed agent.")
    retry_backoff: float = Field(
        default=2.0, ge=0, description="Seconds before the first rerun; doubles each time."
    )
    severity: SeverityMap = Field(
        default_factory=dict, description="Rule id → severity, for every agent."
    )
    suppress_max_severity: FailOn = Field(
        default=FailOn.HIGH,
        description=(
            "The most severe finding an inline `baton: ignore[…]` marker may silence "
            "(`never`: markers silence nothing). More severe ones only config can change."
        ),
    )
    honor_tool_suppressions: bool = Field(
        default=False,
        description="Let the tools obey `# nosec`, `# noqa` and `pragma: allowlist secret`.",
    )
    revise_builtin_findings: bool = Field(
        default=False,
        description="Let the synthesizer downgrade, merge or dismiss built-in findings too.",
    )
    context_tokens: int = Field(
        default=4_000, ge=200, description="Tokens of earlier findings given to later phases."
    )
    work_dir: Path | None = Field(
        default=None, description="Where agents leave context for later phases (default: temp)."
    )
    trust_head_config: bool = Field(
        default=False,
        description=(
            "Read repository config from the change's head, not its base commit. The change "
            "then sets its own gate and the commands analysers run: never for untrusted authors."
        ),
    )
    timeout: float = Field(default=300.0, gt=0, description="Seconds per agent.")
    engine: Engine = Engine.AUTO
    model: str | None = Field(default=None, description="Claude model; default: the CLI's.")
    max_turns: int = Field(default=30, gt=0, description="Claude turns per review session.")
    max_budget_usd: float | None = Field(
        default=None, gt=0, description="Run-wide spending cap for Claude agents."
    )
    max_concurrency: int = Field(default=4, ge=1, description="Claude sessions at once.")
    chunk_tokens: int = Field(
        default=40_000, ge=2_000, description="Diff tokens per Claude session; more is split."
    )
    api_max_retries: int = Field(default=3, ge=0, description="CLAUDE_CODE_MAX_RETRIES.")
    api_timeout: float = Field(default=120.0, gt=0, description="Seconds per API request.")
    tools: dict[str, str] = Field(
        default_factory=dict, description="Tool name → executable, e.g. bandit = '/opt/bandit'."
    )
    coverage_report: Path | None = None
    imports: CommaList = Field(
        default_factory=list,
        description="Reports of earlier CI steps reviewed as agents: FILE or FILE:FORMAT.",
    )
    dependencies: bool = Field(
        default=True, description="Look the package versions a change adds or bumps up in OSV."
    )
    osv_url: Annotated[str, AfterValidator(_web_address)] = Field(
        default="https://api.osv.dev", description="The OSV API, or a mirror of it."
    )

    # Scope.
    exclude: Annotated[CommaList, AfterValidator(checked_globs)] = Field(
        default_factory=list, description="Globs of paths not reviewed."
    )
    include_context_lines: bool = False
    max_file_bytes: int = Field(default=1_000_000, gt=0)

    # Publishing.
    platform: PlatformName = PlatformName.AUTO
    comment: CommentMode = CommentMode.STICKY
    inline: bool = Field(default=True, description="Inline comments on changed lines.")
    max_inline: int = Field(default=30, ge=0, le=100, description="Inline comments per review.")

    # Memory across pushes.
    incremental: Incremental = Field(
        default=Incremental.AUTO, description="Model agents review only what changed since."
    )
    full: bool = Field(default=False, description="Review in full this once (--full).")
    since: str | None = Field(default=None, description="Model agents review since this ref.")
    dismiss_max_severity: FailOn = Field(
        default=FailOn.HIGH, description="The most severe finding a reply may dismiss."
    )
    shard: str | None = Field(
        default=None, description="K/N: review shard K of N of the change and post nothing."
    )
    github_token: SecretStr | None = None
    gitlab_token: SecretStr | None = None

    # Outputs.
    report_json: Path | None = None
    report_sarif: Path | None = None
    report_codequality: Path | None = None
    report_markdown: Path | None = None

    @field_validator("only", "exclude", "imports", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return _split_commas(value)

    @field_validator("phases", mode="before")
    @classmethod
    def _phase_list(cls, value: object) -> object:
        return _phases(value)

    def options_for(self, agent: str) -> AgentConfig:
        """The agent's table; `claude-security` shares `security`'s."""
        return self.agents.get(configured_name(agent)) or AgentConfig()

    def filter_for(self, agent: str) -> FilterMode:
        """Which of the agent's findings count (an analyser's `filter`; `added` otherwise)."""
        return self.options_for(agent).filter or FilterMode.ADDED

    def timeout_for(self, agent: str) -> float:
        own = self.options_for(agent).timeout
        return self.timeout if own is None else own

    def engine_for(self, agent: str) -> Engine:
        return self.options_for(agent).engine or self.engine

    def model_for(self, agent: str, preferred: str | None = None) -> str | None:
        """The agent table's model, else `preferred` (its sub-agent file's), else `model`."""
        return self.options_for(agent).model or preferred or self.model

    def max_turns_for(self, agent: str) -> int:
        return self.options_for(agent).max_turns or self.max_turns

    def retries_for(self, agent: str) -> int:
        own = self.options_for(agent).retries
        return self.retries if own is None else own

    def severity_for(self, agent: str, rule_id: str) -> Severity | None:
        """The configured severity of `rule_id` from `agent`: its own table first."""
        return self.options_for(agent).severity.get(rule_id) or self.severity.get(rule_id)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        file_values = _FILE_VALUES.get() or {}
        return tuple(
            Selection(source)
            for source in (
                init_settings,
                env_settings,
                InitSettingsSource(settings_cls, action_inputs(os.environ, cls.model_fields)),
                InitSettingsSource(settings_cls, file_values),
            )
        )


def configured_name(agent: str) -> str:
    """The name an agent is configured under: `security` for `claude-security`."""
    role = agent.removeprefix(MODEL_LAYER)
    return role if role != agent and role in DEFAULT_AGENTS else agent


_FILE_VALUES: ContextVar[dict[str, Any] | None] = ContextVar("baton_file_values", default=None)


def load_settings(
    cli: Mapping[str, Any],
    file_values: Mapping[str, Any],
    file_source: str = "",
) -> Settings:
    """Validate flags, the process environment and file values at once.

    Any problem becomes one `UsageError` line.
    """
    reject_unknown_env(os.environ, Settings.model_fields)
    reject_unknown_keys(file_values, file_source, Settings.model_fields)
    token = _FILE_VALUES.set(dict(file_values))
    try:
        return Settings(**{k: v for k, v in cli.items() if v is not None})
    except ValidationError as err:
        raise UsageError(f"invalid configuration: {describe_validation_error(err)}") from err
    finally:
        _FILE_VALUES.reset(token)
