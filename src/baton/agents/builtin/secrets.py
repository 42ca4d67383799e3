"""detect-secrets: how it is run over changed text files and how its results become findings.

detect-secrets reports only a hash of each secret, so the value never reaches baton's
memory, logs or comment. Severity map (documented in README):

* a credential with a recognisable live format (cloud, VCS, payment, chat tokens, private
  keys) → CRITICAL
* basic-auth URLs and JSON web tokens → HIGH
* keyword assignments (`password = "…"`) and high-entropy strings → MEDIUM, low confidence
* anything unknown → MEDIUM
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from baton.agents.builtin.common import expect, load_json, repo_relative
from baton.agents.tools import ToolRunner
from baton.findings.model import Confidence, Finding, Severity

LIVE_FORMATS = frozenset(
    {
        "Artifactory Credentials",
        "AWS Access Key",
        "Azure Storage Account access key",
        "Cloudant Credentials",
        "Discord Bot Token",
        "GitHub Token",
        "GitLab Token",
        "IBM Cloud IAM Key",
        "IBM COS HMAC Credentials",
        "Mailchimp Access Key",
        "NPM tokens",
        "OpenAI Token",
        "Private Key",
        "PyPI Token",
        "SendGrid API Key",
        "Slack Token",
        "SoftLayer Credentials",
        "Square OAuth Secret",
        "Stripe Access Key",
        "Telegram Bot Token",
        "Twilio API Key",
    }
)
HIGH_FORMATS = frozenset({"Basic Auth Credentials", "JSON Web Token"})
GUESSES = frozenset({"Secret Keyword", "Base64 High Entropy String", "Hex High Entropy String"})
INFORMATIONAL = frozenset({"Public IP (ipv4)"})

DOCS_URL = "https://github.com/Yelp/detect-secrets#viewing-potential-secrets"


def severity_for(kind: str) -> tuple[Severity, Confidence]:
    if kind in LIVE_FORMATS:
        return Severity.CRITICAL, Confidence.HIGH
    if kind in HIGH_FORMATS:
        return Severity.HIGH, Confidence.MEDIUM
    if kind in GUESSES:
        return Severity.MEDIUM, Confidence.LOW
    if kind in INFORMATIONAL:
        return Severity.LOW, Confidence.LOW
    return Severity.MEDIUM, Confidence.MEDIUM


def rule_id_for(kind: str) -> str:
    return "secret-" + "-".join(kind.lower().replace("(", "").replace(")", "").split())


SCAN_ARGS = (
    "scan",
    # This heuristic drops any secret on a line that also holds `x: y[z]` or `x = f(…)`, so
    # a trailing `# baton: ignore[rule]` (or any such comment) would hide a live key.
    "--disable-filter",
    "detect_secrets.filters.heuristic.is_indirect_reference",
)


async def scan(tools: ToolRunner, root: Path, files: Sequence[str], agent: str) -> list[Finding]:
    outputs = await tools.run_batched("detect-secrets", SCAN_ARGS, files, cwd=root, processes=1)
    findings: list[Finding] = []
    for output in outputs:
        data = load_json("detect-secrets", output.stdout)
        expect(
            isinstance(data, dict) and isinstance(data.get("results"), dict),
            "detect-secrets",
            "results",
        )
        for filename, items in data["results"].items():
            expect(isinstance(items, list), "detect-secrets", "results per file")
            findings.extend(_finding(item, repo_relative(filename, root), agent) for item in items)
    return findings


def _finding(item: dict[str, Any], path: str, agent: str) -> Finding:
    expect("type" in item and "line_number" in item, "detect-secrets", "result without type/line")
    kind = str(item["type"])
    severity, confidence = severity_for(kind)
    digest = str(item.get("hashed_secret", ""))[:12]
    return Finding(
        agent=agent,
        rule_id=rule_id_for(kind),
        rule_url=DOCS_URL,
        severity=severity,
        confidence=confidence,
        path=path,
        line=int(item["line_number"]),
        title=f"Possible secret: {kind}",
        message=(
            f"An added value looks like a credential ({kind}); value hidden, sha1 {digest}…. "
            "Anything committed stays in the history, even after it is removed."
        ),
        recommendation=(
            "Revoke and rotate the credential, then load it from the environment or a secret store."
        ),
        cwe=798,
    )
