"""The agent interface: what every reviewer (built-in tool or model) receives and returns.

An agent is any object with a `name`, an `accepts(file)` filter and an async `run(ctx)`.
It raises `AgentError` when it cannot finish and `AgentSkipped` when it has nothing to do;
`agents.runner` turns both, timeouts and crashes into an `AgentResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict, Field

from baton.agents.limits import RunLimits
from baton.change.model import ChangedFile, ChangeSet, SkippedFile
from baton.change.workspace import Workspace
from baton.findings.model import Finding
from baton.findings.revise import Revision

if TYPE_CHECKING:
    from baton.agents.tools import ToolRunner
    from baton.settings import Settings


DETERMINISTIC_ENGINES = frozenset({"builtin", "analyser", "import"})
"""Engines whose findings come from tools, not models: no model may revise them."""


class AgentStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


class Usage(BaseModel):
    """What a model agent consumed. Built-in agents have none."""

    model_config = ConfigDict(frozen=True)

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_creation_tokens: int = 0
    cost_usd: float = 0.0
    turns: int = 0
    sessions: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            cache_creation_tokens=self.cache_creation_tokens + other.cache_creation_tokens,
            cost_usd=round(self.cost_usd + other.cost_usd, 6),
            turns=self.turns + other.turns,
            sessions=self.sessions + other.sessions,
        )


@dataclass(frozen=True)
class Handoff:
    """What earlier phases leave for later ones: their findings, a summary within the
    `context_tokens` budget, and the run's work directory holding the full JSON."""

    findings: tuple[Finding, ...]
    summary: str
    folder: Path
    locked_agents: frozenset[str] = frozenset()
    """Agents whose findings a later agent may not revise (the deterministic ones)."""


@dataclass(frozen=True)
class AgentContext:
    """Everything an agent may look at. `files` is already narrowed to what it accepts.

    `workspace` holds the reviewed revision's bytes of the changed files (what tools read);
    `root` is the checkout (coverage reports and other files of the job live there).
    """

    change: ChangeSet
    files: tuple[ChangedFile, ...]
    settings: Settings
    tools: ToolRunner
    workspace: Workspace
    secrets_only: tuple[ChangedFile, ...] = ()
    """Files skipped for their kind (binary, generated, …), given to agents that scan every
    file for secrets."""
    limits: RunLimits = field(default_factory=RunLimits)
    handoff: Handoff | None = None
    """Set for agents in the second and later phases."""

    @property
    def root(self) -> Path:
        return Path(self.change.root)


@dataclass
class AgentOutput:
    """What an agent's `run` returns when it finishes."""

    findings: list[Finding] = field(default_factory=list)
    summary: str | None = None
    blocking: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    usage: Usage | None = None
    denied: list[str] = field(default_factory=list)
    failure: str | None = None
    """Set when part of the work failed: the agent is failed, its findings are kept."""
    retryable: bool = True
    """Whether running the agent again could mend `failure` (not for a missing tool)."""
    revisions: list[Revision] = field(default_factory=list)
    """Changes to earlier phases' findings (the synthesizer's)."""
    secrets: list[str] = field(default_factory=list)
    """Values of secrets found in the change, for the run's redactor (`baton.redact`); never
    written anywhere."""


class Agent(Protocol):
    """A reviewer. Built-in agents live in `agents/builtin/`, one module each."""

    @property
    def name(self) -> str: ...

    @property
    def engine(self) -> str:
        """`builtin`, `analyser`, `import` or `claude`; shown in the log and the comment."""
        ...

    @property
    def description(self) -> str: ...

    @property
    def fails_open(self) -> bool:
        """Whether its failure leaves the verdict as it is (the synthesizer's does)."""
        ...

    @property
    def keeps_outside_findings(self) -> bool:
        """Whether its findings off the changed lines are kept (marked, never blocking)."""
        ...

    @property
    def scans_skipped_files(self) -> bool:
        """Whether it also gets the files skipped for their kind (`secrets_only`)."""
        ...

    def accepts(self, file: ChangedFile) -> str | None:
        """None when the agent reviews this file, else the reason it skips it."""
        ...

    async def run(self, ctx: AgentContext) -> AgentOutput: ...


class AgentResult(BaseModel):
    """How one agent's run ended, as recorded in the report.

    Its findings travel separately (`agents.runner.AgentRun`); the review's reported
    findings, after placement, suppression and merging, are in `Review.findings`.
    """

    model_config = ConfigDict(frozen=True)

    name: str
    engine: str = "builtin"
    status: AgentStatus
    reason: str | None = Field(default=None, description="Why it failed or was skipped.")
    raw_findings: int = Field(
        default=0, description="Findings the agent returned, before placement on the diff."
    )
    files_reviewed: int = 0
    skipped: tuple[SkippedFile, ...] = ()
    duration_s: float = 0.0
    summary: str | None = Field(default=None, description="One line shown in the status table.")
    blocking: tuple[str, ...] = Field(
        default=(), description="Gate failures not tied to a severity, e.g. low diff coverage."
    )
    metrics: dict[str, float] = Field(default_factory=dict)
    usage: Usage | None = Field(default=None, description="Tokens, cost and turns (models).")
    denied: tuple[str, ...] = Field(
        default=(), description="Tool calls the agent attempted that were refused or denied."
    )
    phase: int = Field(default=1, ge=1, description="The pipeline phase it ran in.")
    attempts: int = Field(default=1, ge=0, description="Runs, reruns included; 0: not run.")
    fails_open: bool = Field(
        default=False, description="Its failure does not make the review incomplete."
    )
