"""The gate: from findings and agent outcomes to a verdict and the job's exit code.

Only parsed findings count — text in a tool's output never does. A blocking finding or a
blocking agent condition (diff coverage below threshold) gives 1; otherwise any failed agent
gives 3 (an incomplete review is never green), and so do phases skipped after a finding at
`stop_on` that does not itself fail the gate, files of the change that could not be read as
the diff shows them, and a change with added lines that no agent reviewed; otherwise 0.
1 wins over 3. An agent that fails open (the synthesizer) is shown failed but does not make
the review incomplete.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from baton.agents.base import AgentResult, AgentStatus
from baton.errors import ExitCode
from baton.findings.model import Finding
from baton.settings import FailOn


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    INCOMPLETE = "incomplete"


class GateResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    exit_code: int
    fail_on: FailOn
    reasons: tuple[str, ...] = ()
    blocking_findings: int = 0
    incomplete: tuple[str, ...] = Field(
        default=(),
        description="What left the review incomplete besides failed agents: phases stopped, "
        "files or shards not reviewed.",
    )


def is_blocking(finding: Finding, fail_on: FailOn) -> bool:
    threshold = fail_on.threshold
    if threshold is None or not finding.counted:
        return False
    return finding.severity.at_least(threshold)


def decide(
    findings: Iterable[Finding],
    agents: Iterable[AgentResult],
    fail_on: FailOn,
    *,
    stopped: str | None = None,
    unreviewed: Sequence[str] = (),
) -> GateResult:
    """`stopped`: why later phases were skipped; `unreviewed`: what of the change could not
    be reviewed. Either makes a review that does not fail incomplete."""
    results = list(agents)
    blocking = [f for f in findings if is_blocking(f, fail_on)]
    reasons: list[str] = []
    if blocking:
        worst = max(blocking, key=lambda f: f.severity.rank).severity
        noun = "finding" if len(blocking) == 1 else "findings"
        reasons.append(f"{len(blocking)} {noun} at or above {fail_on.value} (worst: {worst})")
    for result in results:
        reasons.extend(f"{result.name}: {why}" for why in result.blocking)
    failed = [r for r in results if r.status is AgentStatus.FAILED and not r.fails_open]
    if reasons:
        verdict, code = Verdict.FAIL, ExitCode.BLOCKING
    elif failed or stopped is not None or unreviewed:
        verdict, code = Verdict.INCOMPLETE, ExitCode.INCOMPLETE
    else:
        verdict, code = Verdict.PASS, ExitCode.PASS
    reasons.extend(f"agent {r.name} failed: {r.reason}" for r in failed)
    incomplete = [f"later phases skipped: {stopped}"] if stopped is not None else []
    incomplete.extend(unreviewed)
    reasons.extend(incomplete)
    return GateResult(
        verdict=verdict,
        exit_code=int(code),
        fail_on=fail_on,
        reasons=tuple(reasons),
        blocking_findings=len(blocking),
        incomplete=tuple(incomplete),
    )
