"""Fixed `Review` values the renderer tests share, built the way the pipeline builds them.

Verdicts come from the real `gate.decide`; versions, SHAs and durations are fixed so the
golden files do not change with baton's version.
"""

from __future__ import annotations

from collections.abc import Iterable

from baton.agents.base import AgentResult, AgentStatus, Usage
from baton.change.model import SkippedFile
from baton.findings.model import Confidence, Finding, Placement, Severity
from baton.gate import decide
from baton.report import Review, SuppressedFinding
from baton.settings import FailOn

VERSION = "9.9.9"
BASE = "0123456789abcdef0123456789abcdef01234567"
HEAD = "fedcba9876543210fedcba9876543210fedcba98"


def finding(
    severity: Severity = Severity.MEDIUM,
    path: str = "src/app.py",
    line: int | None = 10,
    *,
    agent: str = "quality",
    rule_id: str = "E000",
    title: str = "something is off",
    fingerprint: str | None = None,
    **extra: object,
) -> Finding:
    fp = fingerprint if fingerprint is not None else f"{agent}-{rule_id}-{path}-{line}"
    return Finding(
        agent=agent,
        rule_id=rule_id,
        severity=severity,
        path=path,
        line=line,
        title=title,
        fingerprint=fp,
        **extra,
    )


def agent(
    name: str,
    findings: Iterable[Finding] = (),
    *,
    status: AgentStatus = AgentStatus.OK,
    **extra: object,
) -> AgentResult:
    del findings  # the review's findings carry their agent; results only count them
    return AgentResult(name=name, status=status, **extra)


def review(
    findings: Iterable[Finding] = (),
    agents: Iterable[AgentResult] = (),
    *,
    fail_on: FailOn = FailOn.CRITICAL,
    **extra: object,
) -> Review:
    found = tuple(findings)
    ran = tuple(agents)
    values: dict[str, object] = {
        "baton_version": VERSION,
        "base": BASE,
        "head": HEAD,
        "files_changed": 3,
        "lines_added": 42,
    }
    values.update(extra)
    return Review(
        agents=ran,
        findings=found,
        gate=decide(found, ran, fail_on),
        **values,
    )


def passing() -> Review:
    quality = [
        finding(
            Severity.LOW,
            "src/util.py",
            7,
            rule_id="E501",
            rule_url="https://docs.astral.sh/ruff/rules/line-too-long/",
            title="Line too long (104 > 100)",
            confidence=Confidence.HIGH,
        )
    ]
    return review(
        quality,
        [
            agent("security", files_reviewed=2, duration_s=1.25, summary="bandit, detect-secrets"),
            agent("quality", quality, files_reviewed=3, duration_s=0.31, summary="ruff"),
            agent(
                "coverage",
                files_reviewed=2,
                duration_s=0.05,
                summary="diff coverage 100% (12 of 12 added executable lines), minimum 80%",
            ),
        ],
    )


def failing() -> Review:
    security = [
        finding(
            Severity.CRITICAL,
            "config/settings.py",
            4,
            agent="security",
            rule_id="aws-access-key",
            title="AWS access key committed",
            message="An AWS access key id is committed in plain text.",
            recommendation="Revoke the key and load it from the environment.",
            confidence=Confidence.HIGH,
        ),
        finding(
            Severity.HIGH,
            "src/app.py",
            12,
            end_line=14,
            agent="security",
            rule_id="B602",
            rule_url="https://bandit.readthedocs.io/en/latest/plugins/b602_subprocess_popen_with_shell_equals_true.html",
            title="subprocess call with shell=True identified, security issue.",
            message="Shell injection is possible when any part of the command\ncomes from a user.",
            recommendation="Pass the command as a list and drop shell=True.",
            cwe=78,
            confidence=Confidence.HIGH,
            also_reported_by=("quality:S602",),
        ),
        finding(
            Severity.CRITICAL,
            "src/app.py",
            30,
            agent="security",
            rule_id="B105",
            title="Possible hardcoded password: 'hunter2'",
            cwe=259,
            placement=Placement.CONTEXT,
        ),
    ]
    quality = [
        finding(Severity.MEDIUM, "src/app.py", 3, rule_id="F401", title="`os` imported but unused"),
        finding(
            Severity.INFO, "src/app.py", None, rule_id="I001", title="Import block is unsorted"
        ),
    ]
    coverage = [
        finding(
            Severity.LOW,
            "src/app.py",
            40,
            end_line=44,
            agent="coverage",
            rule_id="uncovered",
            title="5 added lines not covered by tests",
            message="The coverage report shows them never ran.",
            recommendation="Add or extend a test that runs this code.",
        )
    ]
    suppressed = finding(
        Severity.LOW, "src/app.py", 50, agent="security", rule_id="B101", title="Use of assert"
    )
    return review(
        [*quality, *coverage, *security],
        [
            agent("security", security, files_reviewed=2, duration_s=2.5, summary="bandit"),
            agent("quality", quality, files_reviewed=3, duration_s=0.4),
            agent(
                "coverage",
                coverage,
                files_reviewed=2,
                duration_s=0.1,
                summary="diff coverage 90.0% (45 of 50 added executable lines), minimum 80%",
            ),
        ],
        fail_on=FailOn.HIGH,
        skipped=(SkippedFile(path="assets/logo.png", reason="binary file"),),
        suppressed=(SuppressedFinding(finding=suppressed, reason="baton: ignore[B101]"),),
    )


def incomplete() -> Review:
    quality = [finding(Severity.LOW, "src/app.py", 5, rule_id="E711", title="Comparison to None")]
    return review(
        quality,
        [
            agent(
                "security",
                status=AgentStatus.FAILED,
                reason="bandit exited 2: error: unrecognized arguments",
                duration_s=0.2,
            ),
            agent("quality", quality, files_reviewed=3, duration_s=0.3),
            agent("coverage", status=AgentStatus.SKIPPED, reason="no coverage report"),
        ],
    )


def coverage_below() -> Review:
    coverage = [
        finding(
            Severity.LOW,
            "src/app.py",
            20,
            end_line=31,
            agent="coverage",
            rule_id="uncovered",
            title="12 added lines not covered by tests",
        )
    ]
    return review(
        coverage,
        [
            agent("security", files_reviewed=2, duration_s=1.0),
            agent("quality", files_reviewed=2, duration_s=0.2),
            agent(
                "coverage",
                coverage,
                files_reviewed=2,
                duration_s=0.1,
                summary="diff coverage 40.0% (8 of 20 added executable lines), minimum 80%",
                blocking=("diff coverage 40.0% is below the 80% minimum",),
            ),
        ],
        skipped=tuple(
            SkippedFile(path=f"vendor/lib{i:02}.js", reason="excluded by vendor/**")
            for i in range(12)
        ),
    )


def empty_change() -> Review:
    return review(
        (),
        [
            agent("security", status=AgentStatus.SKIPPED, reason="no files to review"),
            agent("quality", status=AgentStatus.SKIPPED, reason="no files to review"),
            agent("coverage", status=AgentStatus.SKIPPED, reason="no files to review"),
        ],
        files_changed=0,
        lines_added=0,
    )


def claude_agents() -> Review:
    security = [
        finding(
            Severity.HIGH,
            "api/views.py",
            31,
            agent="security",
            rule_id="missing-authz",
            title="Delete endpoint has no permission check",
            message="Any signed-in user can delete another user's project.",
            recommendation="Check that request.user owns the project before deleting it.",
            cwe=862,
        ),
        finding(
            Severity.MEDIUM,
            "api/views.py",
            88,
            agent="security",
            rule_id="open-redirect",
            title="Redirect target taken from the query string",
            placement=Placement.OUTSIDE,
        ),
    ]
    usage = Usage(
        input_tokens=10_500,
        output_tokens=900,
        cache_read_tokens=2_000,
        cost_usd=0.0421,
        turns=4,
        sessions=1,
    )
    return review(
        security,
        [
            agent(
                "security",
                engine="claude",
                files_reviewed=2,
                duration_s=41.5,
                usage=usage,
                denied=("Bash: No such tool available", "Read: permission denied (/etc/passwd)"),
                summary="Adds project deletion; the new endpoint lacks an ownership check.",
            ),
            agent("quality", files_reviewed=2, duration_s=0.4, summary="ruff"),
        ],
    )


SCENARIOS = {
    "claude": claude_agents,
    "pass": passing,
    "fail": failing,
    "incomplete": incomplete,
    "coverage-below": coverage_below,
    "empty": empty_change,
}
