"""The review as SARIF 2.1.0, for GitHub code scanning and any other SARIF consumer.

One run whose driver is baton. Each `<agent>/<rule_id>` becomes one rule carrying
`properties.security-severity` (CRITICAL 9.5, HIGH 8.0, MEDIUM 5.5, LOW 3.0, INFO 0.0, the
highest among its findings) and, for the security agent, the `security` tag that makes
GitHub use it. Findings become results (CRITICAL/HIGH → error, MEDIUM → warning, LOW/INFO →
note) located relative to `%SRCROOT%`, with the finding fingerprint as partial fingerprint;
suppressed findings are included with a `suppressions` entry. Failed and skipped agents are
reported as tool execution notifications.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from baton.agents.base import AgentStatus
from baton.findings.model import Finding, Severity
from baton.findings.order import finding_order, sort_findings
from baton.gate import Verdict
from baton.render.escape import safe_url
from baton.report import Review, SuppressedFinding

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "batonFingerprint/v1"
SECURITY_AGENT = "security"
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def rule_key(finding: Finding) -> str:
    """The SARIF rule id of a finding: `<agent>/<rule_id>`."""
    return f"{finding.agent}/{finding.rule_id}"


def render_sarif(review: Review) -> dict[str, Any]:
    """The SARIF log (a JSON-ready dict) for `review`."""
    reported = [(f, None) for f in sort_findings(review.findings)]
    suppressed = [
        (s.finding, s)
        for s in sorted(review.suppressed, key=lambda s: (finding_order(s.finding), s.reason))
    ]
    entries: list[tuple[Finding, SuppressedFinding | None]] = [*reported, *suppressed]
    rules = _rules([f for f, _ in entries])
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "baton",
                "version": review.baton_version,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The root of the reviewed repository."}}
        },
        "invocations": [_invocation(review)],
        "results": [_result(f, index[rule_key(f)], reason) for f, reason in entries],
        "properties": {
            "verdict": review.gate.verdict.value,
            "base": review.base,
            "head": review.head,
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _rules(findings: list[Finding]) -> list[dict[str, Any]]:
    by_key: dict[str, list[Finding]] = {}
    for finding in findings:
        by_key.setdefault(rule_key(finding), []).append(finding)
    rules = []
    for key in sorted(by_key):
        members = by_key[key]
        first = members[0]
        worst = max((f.severity for f in members), key=lambda s: s.rank)
        tags = ["security"] if first.agent == SECURITY_AGENT else [first.agent]
        tags += sorted({f"external/cwe/cwe-{f.cwe}" for f in members if f.cwe is not None})
        rule: dict[str, Any] = {
            "id": key,
            "name": first.rule_id,
            "shortDescription": {"text": first.title or first.rule_id},
            "defaultConfiguration": {"level": LEVEL[worst]},
            "properties": {"security-severity": SECURITY_SEVERITY[worst], "tags": tags},
        }
        help_uri = next((safe_url(f.rule_url) for f in members if safe_url(f.rule_url)), None)
        if help_uri is not None:
            rule["helpUri"] = help_uri.replace("&amp;", "&")
        rules.append(rule)
    return rules


def _result(
    finding: Finding, rule_index: int, suppressed_by: SuppressedFinding | None
) -> dict[str, Any]:
    location: dict[str, Any] = {
        "artifactLocation": {"uri": quote(finding.path, safe="/"), "uriBaseId": SRCROOT}
    }
    if finding.line is not None:
        region = {"startLine": finding.line}
        if finding.end_line is not None and finding.end_line >= finding.line:
            region["endLine"] = finding.end_line
        location["region"] = region
    text = "\n\n".join(
        part
        for part in (
            finding.title,
            finding.message,
            f"Recommendation: {finding.recommendation}" if finding.recommendation else "",
        )
        if part
    )
    result: dict[str, Any] = {
        "ruleId": rule_key(finding),
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": text or finding.rule_id},
        "locations": [{"physicalLocation": location}],
        "properties": {
            "severity": finding.severity.value,
            "confidence": finding.confidence.value,
            "agent": finding.agent,
            "placement": finding.placement.value,
            "alsoReportedBy": list(finding.also_reported_by),
        },
    }
    if finding.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if suppressed_by is not None:
        result["suppressions"] = [_suppression(suppressed_by)]
    return result


def _suppression(suppressed: SuppressedFinding) -> dict[str, Any]:
    """The written reason as the justification (the marker when none), and the marker; a
    dismissal in the conversation is an external suppression, with who dismissed it."""
    if suppressed.dismissed_by is not None:
        return {
            "kind": "external",
            "status": "accepted",
            "justification": suppressed.justification or suppressed.reason,
            "properties": {"dismissedBy": suppressed.dismissed_by},
        }
    return {
        "kind": "inSource",
        "justification": suppressed.justification or suppressed.reason,
        "properties": {"marker": suppressed.reason},
    }


def _invocation(review: Review) -> dict[str, Any]:
    notes = []
    for agent in review.agents:
        if agent.status is AgentStatus.OK:
            continue
        failed = agent.status is AgentStatus.FAILED
        what = "failed" if failed else "skipped"
        reason = f": {agent.reason}" if agent.reason else ""
        notes.append(
            {
                "level": "error" if failed else "note",
                "message": {"text": f"agent {agent.name} {what}{reason}"},
            }
        )
    return {
        "executionSuccessful": review.gate.verdict is not Verdict.INCOMPLETE
        and not any(a.status is AgentStatus.FAILED for a in review.agents),
        "exitCode": review.gate.exit_code,
        "toolExecutionNotifications": notes,
    }
