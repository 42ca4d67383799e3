"""The body of one inline comment: a finding on the line it is about.

Same escaping as the consolidated comment; a hidden marker with the fingerprint lets later
runs recognise comments they posted.
"""

from __future__ import annotations

from markupsafe import Markup

from baton.findings.model import Finding, Severity
from baton.render.escape import code, inline, link, paragraph

INLINE_MARKER = "<!-- baton:inline {} -->"
ICONS = {
    Severity.CRITICAL: "🚨",
    Severity.HIGH: "🔴",
    Severity.MEDIUM: "🟠",
    Severity.LOW: "🟡",
    Severity.INFO: "🔵",
}


def render_inline(finding: Finding) -> str:
    parts = [
        Markup("{} **{}** {} · {} · {}").format(
            ICONS[finding.severity],
            finding.severity.value,
            inline(finding.title, limit=300),
            link(code(finding.rule_id, limit=100), finding.rule_url),
            inline(finding.agent, limit=60),
        )
    ]
    if finding.message:
        parts.append(paragraph(finding.message, limit=4_000))
    if finding.recommendation:
        text = paragraph(finding.recommendation, limit=2_000)
        parts.append(Markup("**Recommendation:** {}").format(text))
    parts.append(Markup(INLINE_MARKER.format(finding.fingerprint or "-")))
    return str(Markup("\n\n").join(parts)) + "\n"
