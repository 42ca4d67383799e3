"""The one shape every agent's output takes: `Severity`, `Confidence` and `Finding`.

Agents build `Finding` values with an empty fingerprint; `findings.merge` fills it in once
the changed lines are known. Values are frozen: later stages make changed copies.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    """How bad a finding is. Ordered: compare with `rank`, not with the string value."""

    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"
    INFO = "INFO"

    @property
    def rank(self) -> int:
        """4 for CRITICAL down to 0 for INFO."""
        return _RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank

    @classmethod
    def of_score(cls, score: float) -> Severity:
        """CVSS's qualitative severity rating scale, the same in v3.x and v4.0 (and SARIF's
        `security-severity`): 9.0 CRITICAL, 7.0 HIGH, 4.0 MEDIUM, above 0 LOW, else INFO
        (https://www.first.org/cvss/v3.1/specification-document#Qualitative-Severity-Rating-Scale)."""
        if score >= 9.0:
            return cls.CRITICAL
        if score >= 7.0:
            return cls.HIGH
        if score >= 4.0:
            return cls.MEDIUM
        return cls.LOW if score > 0.0 else cls.INFO

    @classmethod
    def ordered(cls) -> tuple[Severity, ...]:
        """Most severe first."""
        return (cls.CRITICAL, cls.HIGH, cls.MEDIUM, cls.LOW, cls.INFO)


_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Confidence(StrEnum):
    """How sure the reporting tool is that the finding is real."""

    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


class Placement(StrEnum):
    """Where a finding sits relative to the change. Only ADDED findings can fail the gate."""

    ADDED = "added"
    CONTEXT = "context"
    OUTSIDE = "outside"
    ELSEWHERE = "elsewhere"
    """In a file the change does not touch (an analyser whose filter is `nofilter`)."""


class Finding(BaseModel):
    """One problem reported by one agent (or, after merging, by several) at one place."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agent: str = Field(description="Name of the agent that reported it first.")
    rule_id: str = Field(description="The tool's rule id, e.g. B602, F821, aws-access-key.")
    rule_url: str | None = Field(default=None, description="Documentation of the rule.")
    severity: Severity
    confidence: Confidence = Confidence.MEDIUM
    path: str = Field(description="Repository-relative POSIX path in the new revision.")
    line: int | None = Field(default=None, ge=1, description="1-based line; None: whole file.")
    end_line: int | None = Field(default=None, ge=1)
    title: str = Field(description="One-line summary.")
    message: str = Field(default="", description="What is wrong and why it matters.")
    recommendation: str | None = Field(default=None, description="How to fix it.")
    cwe: int | None = Field(default=None, description="CWE number, when the tool gives one.")
    fingerprint: str = Field(
        default="",
        description="Stable id: rule, path and the text of the line, not the line number.",
    )
    also_reported_by: tuple[str, ...] = Field(
        default=(),
        description="`agent:rule` of duplicates merged into this finding.",
    )
    original_severity: Severity | None = Field(
        default=None,
        description="The agent's own severity, when config or a later agent changed it.",
    )
    placement: Placement = Field(
        default=Placement.ADDED,
        description=(
            "added: on a line the change adds; context: on an unchanged line shown in the "
            "diff; outside: elsewhere in a changed file (kept for model reviewers' findings); "
            "elsewhere: in a file the change does not touch."
        ),
    )
    counted_by_filter: bool = Field(
        default=False,
        description=(
            "Counted by the gate although not on an added line: its agent's filter "
            "(diff_context, file or nofilter) says so."
        ),
    )

    @property
    def counted(self) -> bool:
        """Whether the gate counts it: on an added line, or its agent's filter says so."""
        return self.placement is Placement.ADDED or self.counted_by_filter

    @property
    def location(self) -> str:
        """`path:line` or `path:line-end` (or just the path for a whole-file finding)."""
        if self.line is None:
            return self.path
        if self.end_line is not None and self.end_line != self.line:
            return f"{self.path}:{self.line}-{self.end_line}"
        return f"{self.path}:{self.line}"
