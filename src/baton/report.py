"""The finished review as one value: what `--json` writes and every renderer reads.

`Review.model_json_schema()` is shipped as `schema/report.schema.json`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from baton._version import __version__
from baton.agents.base import AgentResult
from baton.change.model import SkippedFile
from baton.findings.model import Finding, Severity
from baton.gate import GateResult

SCHEMA_VERSION = 1


class SuppressedFinding(BaseModel):
    model_config = ConfigDict(frozen=True)

    finding: Finding
    reason: str = Field(description="The inline marker or exclude glob that suppressed it.")


class Review(BaseModel):
    """Everything one `baton review` run found and decided."""

    model_config = ConfigDict(frozen=True)

    schema_version: int = SCHEMA_VERSION
    baton_version: str = __version__
    base: str | None = None
    head: str | None = None
    files_changed: int = 0
    lines_added: int = 0
    config_source: str = Field(default="", description="Where repository config was read.")
    agents: tuple[AgentResult, ...] = ()
    findings: tuple[Finding, ...] = Field(
        default=(), description="Reported findings, most severe first."
    )
    suppressed: tuple[SuppressedFinding, ...] = ()
    skipped: tuple[SkippedFile, ...] = Field(
        default=(), description="Changed files no agent reviewed, with the reason."
    )
    gate: GateResult

    def count(self, severity: Severity, agent: str | None = None) -> int:
        return sum(
            1
            for f in self.findings
            if f.severity is severity and (agent is None or f.agent == agent)
        )
