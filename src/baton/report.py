"""The finished review as one value: what `--json` writes and every renderer reads.

`Review.model_json_schema()` is shipped as `schema/report.schema.json`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from baton._version import __version__
from baton.agents.base import AgentResult
from baton.change.model import SkippedFile
from baton.findings.model import Finding, Severity
from baton.findings.revise import AppliedRevision
from baton.gate import GateResult
from baton.memory.state import ReviewState
from baton.shards.plan import ShardRecord

SCHEMA_VERSION = 1


class SuppressedFinding(BaseModel):
    model_config = ConfigDict(frozen=True)

    finding: Finding
    reason: str = Field(description="The inline marker or exclude glob that suppressed it.")
    justification: str | None = Field(
        default=None, description="Why, as written after the marker (`# baton: ignore[B602] why`)."
    )
    dismissed_by: str | None = Field(
        default=None, description="Who dismissed it in reply to its inline comment."
    )


class PhaseRecord(BaseModel):
    """One phase of the pipeline as it ran (or why it did not)."""

    model_config = ConfigDict(frozen=True)

    number: int
    agents: tuple[str, ...]
    ran: bool
    reason: str | None = Field(default=None, description="Why it was skipped.")
    duration_s: float = 0.0


class Review(BaseModel):
    """Everything one `baton review` run found and decided."""

    model_config = ConfigDict(frozen=True)

    schema_version: int = SCHEMA_VERSION
    baton_version: str = Field(default_factory=lambda: __version__)  # not in the schema
    base: str | None = None
    head: str | None = None
    files_changed: int = 0
    lines_added: int = 0
    config_source: str = Field(default="", description="Where repository config was read.")
    notes: tuple[str, ...] = Field(
        default=(), description="Things the reader should know, e.g. config changed by the PR."
    )
    phases: tuple[PhaseRecord, ...] = Field(default=(), description="The pipeline as it ran.")
    agents: tuple[AgentResult, ...] = ()
    findings: tuple[Finding, ...] = Field(
        default=(), description="Reported findings, most severe first."
    )
    suppressed: tuple[SuppressedFinding, ...] = ()
    revisions: tuple[AppliedRevision, ...] = Field(
        default=(), description="Changes later agents (the synthesizer) made to findings."
    )
    skipped: tuple[SkippedFile, ...] = Field(
        default=(), description="Changed files no agent reviewed, with the reason."
    )
    gate: GateResult
    memory: ReviewState | None = Field(
        default=None, description="What this run leaves for the next one on the same change."
    )
    shard: ShardRecord | None = Field(
        default=None, description="The share of the change this run reviewed (--shard K/N)."
    )

    def count(self, severity: Severity, agent: str | None = None) -> int:
        return sum(
            1
            for f in self.findings
            if f.severity is severity and (agent is None or f.agent == agent)
        )
