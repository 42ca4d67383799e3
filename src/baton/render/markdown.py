"""The consolidated review comment: what the bot posts and `baton review` prints.

`render_markdown` turns a `Review` into GitHub/GitLab markdown from the package templates
(`render/templates/*.md.j2`). Every piece of text that came from a tool, the code or a file
name goes through `render.escape` first; the templates are rendered with autoescaping, so any
plain string that did not is HTML-escaped rather than trusted.

The comment starts with the hidden `<!-- baton:summary -->` marker and ends with the
`<!-- baton:state … -->` block (`memory.state`). It never exceeds `max_chars`: the least
severe findings are left out first, with a note saying how many; if even that is not enough,
the file lists and then the tables are dropped. Findings are sorted by severity, path, line
and rule, so the output does not depend on the order they arrived in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from baton.agents.base import AgentResult, AgentStatus, Usage
from baton.errors import UsageError
from baton.findings.model import Finding, Placement, Severity
from baton.findings.order import finding_order, sort_findings
from baton.gate import Verdict
from baton.memory.record import record_state
from baton.memory.state import encode_state, read_state
from baton.render.escape import code, inline, link, paragraph
from baton.render.inline import ICONS
from baton.render.pipeline_view import agent_label, note_remarks, revision_items, status_text
from baton.render.skipped import skipped_items
from baton.report import Review, SuppressedFinding

__all__ = ["MIN_CHARS", "LinkBuilder", "render_markdown", "sort_findings"]

MIN_CHARS = 2_000
"""The smallest `max_chars` accepted: room for the verdict, the notes and the state block."""

MARKER = "<!-- baton:summary -->"
PLACEMENT_NOTES = {
    Placement.ADDED: Markup(""),
    Placement.CONTEXT: Markup(" · _context: not an added line_"),
    Placement.OUTSIDE: Markup(" · _outside the diff: not counted by the gate_"),
    Placement.ELSEWHERE: Markup(" · _in a file this change does not touch_"),
}
COUNTED_NOTE = Markup(" · _counted by the gate: the agent's filter takes it_")
LIST_LIMIT = 50
COLLAPSE_AFTER = 10
_SHA = re.compile(r"[0-9a-f]{7,64}")


class LinkBuilder(Protocol):
    """Gives the web url of a location in the reviewed revision, or None when there is none."""

    def __call__(self, path: str, line: int | None, end_line: int | None, /) -> str | None: ...


@dataclass(frozen=True)
class FindingView:
    severity: str
    location: Markup
    title: Markup
    rule: Markup
    agent: Markup
    context_note: Markup
    details: tuple[Markup, ...]


@dataclass(frozen=True)
class History:
    """What the previous review of the same pull request found, read from its state block."""

    fingerprints: frozenset[str]
    head: str | None = None

    @classmethod
    def from_comment(cls, body: str) -> History | None:
        """The history stored in an earlier comment's state block, if it has a valid one."""
        read = read_state(body)
        if read.state is None and not read.fingerprints:
            return None
        return cls(read.fingerprints, read.state.head if read.state else None)


def render_markdown(
    review: Review,
    *,
    links: LinkBuilder | None = None,
    max_chars: int = 65_000,
    history: History | None = None,
    notes: Sequence[str] = (),
) -> str:
    """The whole comment, at most `max_chars` characters long.

    With `history`, each finding is marked new or still present and fixed ones are counted;
    `notes` are publishing remarks shown under the verdict (e.g. inline comments not posted).
    """
    if max_chars < MIN_CHARS:
        raise UsageError(f"comment size limit {max_chars} is too small; use at least {MIN_CHARS}")
    findings = sort_findings(review.findings)
    views = [_finding_view(f, links, history) for f in findings]
    state = Markup(encode_state(review.memory or record_state(review), budget=max_chars // 4))
    remarks = [*note_remarks(review), *(inline(note, limit=500) for note in notes)]
    if history is not None:
        current = {f.fingerprint for f in findings}
        fixed = len(
            history.fingerprints - current - {s.finding.fingerprint for s in review.suppressed}
        )
        if fixed:
            since = f" since {history.head[:7]}" if history.head else ""
            remarks.insert(0, Markup("✔️ {} fixed{}").format(_plural(fixed, "finding"), since))
    for level in range(3):
        context = _context(review, level) | {"state": state, "remarks": remarks}

        def render(shown: int, context: dict[str, Any] = context) -> str:
            note = _hidden_note(len(views) - shown)
            return _TEMPLATE.render(context, groups=_groups(views[:shown]), hidden_note=note)

        body = render(len(views))
        if len(body) <= max_chars:
            return body
        if len(render(0)) > max_chars:
            continue
        lo, hi = 0, 1
        while hi < len(views) and len(render(hi)) <= max_chars:
            lo, hi = hi, hi * 2
        hi = min(hi, len(views))
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if len(render(mid)) <= max_chars:
                lo = mid
            else:
                hi = mid - 1
        return render(lo)
    raise UsageError(f"comment size limit {max_chars} is too small for this review")


def _context(review: Review, level: int) -> dict[str, Any]:
    """What the template shows besides the findings; higher levels leave more out."""
    skipped = skipped_items(review)
    ordered = sorted(review.suppressed, key=lambda s: (finding_order(s.finding), s.reason))
    suppressed = [_silenced(s) for s in ordered if s.dismissed_by is None]
    dismissed = [_silenced(s) for s in ordered if s.dismissed_by is not None]
    return {
        "marker": Markup(MARKER),
        "verdict": _verdict(review, with_reasons=level < 2),
        "scope": _scope(review),
        "counts": _counts(review) if level < 2 else None,
        "agents": [_agent_view(a, review) for a in review.agents] if level < 2 else [],
        "show_usage": any(a.usage is not None for a in review.agents),
        "skipped": _listing(
            skipped if level < 1 else [],
            total=len(skipped),
            title=_plural(len(skipped), "file") + " not reviewed",
            collapsed=len(skipped) > COLLAPSE_AFTER,
        ),
        "revisions": _listing(
            revision_items(review) if level < 1 else [],
            total=len(review.revisions),
            title=_plural(len(review.revisions), "change") + " to findings by later agents",
            collapsed=len(review.revisions) > COLLAPSE_AFTER,
        ),
        "suppressed": _listing(
            suppressed if level < 1 else [],
            total=len(suppressed),
            title=_plural(len(suppressed), "finding") + " suppressed",
            collapsed=True,
        ),
        "dismissed": _listing(
            dismissed if level < 1 else [],
            total=len(dismissed),
            title=f"Dismissed ({len(dismissed)})",
            collapsed=len(dismissed) > COLLAPSE_AFTER,
        ),
        "footer": _footer(review),
    }


def _silenced(s: SuppressedFinding) -> Markup:
    """A suppressed or dismissed finding, with who or what silenced it and why."""
    why = Markup(" — *{}*").format(inline(s.justification, limit=300)) if s.justification else ""
    return Markup("**{}** {} — {} ({}){}").format(
        s.finding.severity.value,
        code(s.finding.location, limit=300),
        inline(s.finding.title, limit=200),
        inline(s.reason, limit=200),
        why,
    )


def _listing(items: list[Markup], *, total: int, title: str, collapsed: bool) -> dict[str, Any]:
    shown = items[:LIST_LIMIT]
    return {
        "entries": shown,
        "total": total,
        "more": total - len(shown),
        "title": title,
        "collapsed": collapsed,
    }


def _finding_view(
    finding: Finding, links: LinkBuilder | None, history: History | None
) -> FindingView:
    where = code(finding.location, limit=300)
    if links is not None:
        where = link(where, links(finding.path, finding.line, finding.end_line))
    details = []
    if finding.message:
        details.append(paragraph(finding.message, limit=4_000))
    if finding.recommendation:
        text = paragraph(finding.recommendation, limit=2_000)
        details.append(Markup("**Recommendation:** {}").format(text))
    facts = [Markup("confidence {}").format(finding.confidence.value)]
    if finding.cwe is not None:
        cwe = f"https://cwe.mitre.org/data/definitions/{finding.cwe}.html"
        facts.append(link(Markup("CWE-{}").format(finding.cwe), cwe))
    if finding.original_severity is not None:
        facts.append(Markup("reported as {}").format(finding.original_severity.value))
    if finding.also_reported_by:
        others = Markup(", ").join(code(other, limit=100) for other in finding.also_reported_by)
        facts.append(Markup("also reported as {}").format(others))
    if len(facts) > 1 or details:
        details.append(Markup(" · ").join(facts))
    return FindingView(
        severity=finding.severity.value,
        location=where,
        title=inline(finding.title, limit=300),
        rule=link(code(finding.rule_id, limit=100), finding.rule_url),
        agent=inline(finding.agent, limit=60),
        context_note=_placement_note(finding) + _age(finding, history),
        details=tuple(details),
    )


def _placement_note(finding: Finding) -> Markup:
    note = PLACEMENT_NOTES[finding.placement]
    if finding.counted_by_filter and finding.placement is not Placement.ADDED:
        return note.replace(" not counted by the gate", "") + COUNTED_NOTE
    return note


def _age(finding: Finding, history: History | None) -> Markup:
    if history is None:
        return Markup("")
    if finding.fingerprint in history.fingerprints:
        return Markup(" · still present")
    return Markup(" · 🆕 new")


def _groups(views: Sequence[FindingView]) -> list[dict[str, Any]]:
    groups = []
    for severity in Severity.ordered():
        members = [v for v in views if v.severity == severity.value]
        if members:
            groups.append(
                {
                    "icon": ICONS[severity],
                    "name": severity.value,
                    "count": len(members),
                    "findings": members,
                }
            )
    return groups


def _hidden_note(hidden: int) -> str:
    if not hidden:
        return ""
    noun = "finding" if hidden == 1 else "findings"
    return f"{hidden} lower-severity {noun} not shown (see the JSON/SARIF report)."


def _verdict(review: Review, *, with_reasons: bool) -> dict[str, Any]:
    gate = review.gate
    if gate.verdict is Verdict.PASS:
        icon, headline = "✅", Markup("passed")
    elif gate.verdict is Verdict.FAIL:
        conditions = len(gate.reasons) or 1
        noun = "condition" if conditions == 1 else "conditions"
        icon, headline = "❌", Markup("failed — {} blocking {}").format(conditions, noun)
        if gate.blocking_findings:
            noun = "finding" if gate.blocking_findings == 1 else "findings"
            headline = Markup("{} blocking {} (fail on {})").format(
                gate.blocking_findings, noun, gate.fail_on.value.upper()
            )
    else:
        icon = "⚠️"
        failed = [a.name for a in review.agents if a.status is AgentStatus.FAILED]
        names = Markup(", ").join(inline(name, limit=60) for name in failed)
        noun = "agent" if len(failed) == 1 else "agents"
        headline = Markup("review incomplete — {} {} failed").format(noun, names)
        if not failed:
            headline = Markup("review incomplete")
    reasons = [inline(r, limit=500) for r in gate.reasons] if with_reasons else []
    return {"icon": icon, "headline": headline, "reasons": reasons}


def _scope(review: Review) -> Markup:
    fail_on = review.gate.fail_on.value
    if review.files_changed == 0:
        return Markup("No changed files to review (fail on `{}`).").format(fail_on)
    return Markup("{} · {} · {} (fail on `{}`).").format(
        _plural(review.files_changed, "changed file"),
        _plural(review.lines_added, "added line"),
        _plural(len(review.findings), "finding"),
        fail_on,
    )


def _counts(review: Review) -> dict[str, Any] | None:
    if not review.findings:
        return None
    names = list(dict.fromkeys(a.name for a in review.agents))
    names += sorted({f.agent for f in review.findings} - set(names))
    rows = []
    for name in names:
        cells = [review.count(severity, name) for severity in Severity.ordered()]
        rows.append({"name": inline(name, limit=60), "cells": cells, "total": sum(cells)})
    totals = [review.count(severity) for severity in Severity.ordered()]
    columns = [severity.value for severity in Severity.ordered()]
    return {"columns": columns, "rows": rows, "totals": totals, "total": sum(totals)}


def _agent_view(agent: AgentResult, review: Review) -> dict[str, Any]:
    return {
        "name": agent_label(agent, review),
        "engine": inline(agent.engine, limit=60),
        "status": status_text(agent),
        "files": agent.files_reviewed,
        "findings": sum(1 for f in review.findings if f.agent == agent.name),
        "duration": f"{agent.duration_s:.1f}s",
        "usage": Markup(usage_text(agent.usage)) if agent.usage else Markup("—"),
        "summary": inline(agent.summary or "", limit=300),
        "denied": inline("; ".join(agent.denied[:5]), limit=600) if agent.denied else None,
    }


def usage_text(usage: Usage) -> str:
    """`12.3k in / 1.1k out · 4 turns · $0.0213`: what a model agent consumed."""
    tokens_in = usage.input_tokens + usage.cache_read_tokens + usage.cache_creation_tokens
    return (
        f"{_thousands(tokens_in)} in / {_thousands(usage.output_tokens)} out · "
        f"{usage.turns} turns · ${usage.cost_usd:.4f}"
    )


def _thousands(count: int) -> str:
    return f"{count / 1000:.1f}k" if count >= 1000 else str(count)


def _footer(review: Review) -> Markup:
    version = inline(review.baton_version, limit=40, line_start=False)
    refs = [_short(ref) for ref in (review.base, review.head) if ref]
    footer = Markup("baton {}").format(version)
    if refs:
        footer = Markup("{} · {}").format(footer, Markup("..").join(refs))
    used = [a.usage for a in review.agents if a.usage is not None]
    if used:
        total = sum(used, Usage())
        footer = Markup("{} · models: {}").format(footer, usage_text(total))
    return footer


def _short(ref: str) -> Markup:
    return code(ref[:7] if _SHA.fullmatch(ref) else ref, limit=40)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("baton", "render/templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )


_TEMPLATE = _environment().get_template("comment.md.j2")
