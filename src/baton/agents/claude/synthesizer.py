"""The synthesizer: Claude sessions that check the earlier phases' findings.

It receives those findings as compact JSON (never another agent's transcript) and read-only
tools; it may confirm, merge, downgrade or dismiss findings, each with a reason
(`findings.revise` applies them and the report shows them). It runs one session per chunk
of the diff that earlier findings point at, and each session first reads that chunk's
`diff_block` — the bytes the reviewers sent, so the API reads them from its prompt cache —
then the synthesizer's instructions and the findings on that chunk's files (findings on no
chunk go with the first session). Findings are numbered across the whole run (F1 is the
most severe), so ids never collide between sessions.
The deterministic agents' findings are marked locked (unless `revise_builtin_findings`):
a model may merge into them but never lower or remove them — `findings.revise` enforces
this whatever the model answers; the mark only saves it the effort.
Findings beyond half the `chunk_tokens` budget of a session are not sent and stay as they
are. On an incremental review (`ctx.change` is what the new commits changed) only the
findings on those files are checked; the others were checked when their file last changed.
It fails open: when a session fails, the findings stand and the failure is shown, but
the review is not incomplete because of it; other sessions' revisions still apply.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from baton.agents.base import AgentContext, AgentOutput, Usage
from baton.agents.claude.chunks import Chunk, diff_block, estimate_tokens, split_into_chunks
from baton.agents.claude.launch import interpret, run_session
from baton.agents.claude.protocol import ReviewOutput, SessionJob, output_schema
from baton.agents.claude.roles import Role, session_prompt
from baton.change.model import ChangedFile
from baton.errors import AgentError, AgentSkipped
from baton.findings.model import Finding
from baton.findings.revise import Revision, is_locked

ROLE = Role(
    "synthesizer",
    "Checks the earlier phases' findings: confirms, merges, downgrades or dismisses.",
)


@dataclass
class Batch:
    """The findings one session checks: compact JSON items, and their ids."""

    items: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    """F-id → fingerprint."""
    tokens: int = 0
    left_out: int = 0


class SynthesizerAgent:
    name = "synthesizer"
    engine = "claude"
    description = ROLE.description
    keeps_outside_findings = True
    fails_open = True
    scans_skipped_files = False

    def accepts(self, file: ChangedFile) -> str | None:
        return None

    async def run(self, ctx: AgentContext) -> AgentOutput:
        handoff = ctx.handoff
        if handoff is None or not handoff.findings:
            raise AgentSkipped("no earlier findings to check")
        if ctx.limits.exhausted:
            raise AgentError("not started: the spending budget is reached")
        changed = {f.path for f in ctx.change.files}
        findings = [f for f in handoff.findings if f.path in changed]
        if not findings:
            raise AgentSkipped("no earlier findings on the files to check")
        locked = frozenset() if ctx.settings.revise_builtin_findings else handoff.locked_agents
        chunks, _ = split_into_chunks(ctx.files, ctx.settings.chunk_tokens)
        batches = batch_findings(findings, chunks, ctx.settings.chunk_tokens, locked)
        work = [(i, batch) for i, batch in enumerate(batches) if batch.items]
        results = await asyncio.gather(
            *(self._check(ctx, chunks, index, batch) for index, batch in work)
        )
        output = AgentOutput()
        spent = Usage()
        failures: list[str] = []
        summaries: list[str] = []
        for revisions, usage, denied, failure, summary in results:
            output.revisions.extend(revisions)
            spent = spent + usage
            output.denied.extend(d for d in denied if d not in output.denied)
            if failure is not None:
                failures.append(failure)
            elif summary:
                summaries.append(summary)
        if failures:
            output.failure = (
                failures[0]
                if len(work) == 1
                else f"{len(failures)} of {len(work)} sessions failed; first: {failures[0]}"
            )
        output.usage = spent
        left_out = sum(batch.left_out for batch in batches)
        summary = " ".join(summaries)
        if left_out:
            summary = f"{summary} ({left_out} lower-severity findings not checked: budget)"
        output.summary = summary.strip() or None
        return output

    async def _check(
        self, ctx: AgentContext, chunks: Sequence[Chunk], index: int, batch: Batch
    ) -> tuple[list[Revision], Usage, list[str], str | None, str]:
        job = SessionJob(
            agent=self.name,
            cwd=str(ctx.workspace.model_root or ctx.root),
            system_prompt=session_prompt(),
            shared=diff_block(chunks[index], index, len(chunks)) if chunks else None,
            prompt=synthesis_prompt(batch),
            tools=list(ROLE.tools),
            model=ctx.settings.model_for(self.name),
            max_turns=ctx.settings.max_turns_for(self.name),
            max_budget_usd=ctx.limits.remaining_usd(),
            output_schema=output_schema(),
        )
        async with ctx.limits.slots:
            if ctx.limits.exhausted:
                return [], Usage(), [], "not started: the spending budget is reached", ""
            try:
                outcome = await run_session(job, ctx.settings)
            except AgentError as err:
                return [], Usage(), [], str(err), ""
            ctx.limits.charge(outcome.usage.cost_usd)
        try:
            result = interpret(outcome, job.max_turns, ReviewOutput)
        except AgentError as err:  # what the failed session spent is still reported
            return [], outcome.usage, outcome.denied, str(err), ""
        revisions = [
            Revision(
                action=item.action,
                finding=batch.ids[item.finding],
                reason=item.reason,
                severity=item.severity,
                into=batch.ids.get(item.into) if item.into else None,
            )
            for item in result.revisions
            if item.finding in batch.ids
        ]
        return revisions, outcome.usage, outcome.denied, None, " ".join(result.summary.split())


def batch_findings(
    findings: Sequence[Finding],
    chunks: Sequence[Chunk],
    budget_tokens: int,
    locked: frozenset[str] = frozenset(),
) -> list[Batch]:
    """One batch per chunk (at least one): each finding goes to the first chunk holding its
    file, or to the first batch; a batch holds at most half of `budget_tokens`."""
    batches = [Batch() for _ in chunks] or [Batch()]
    where = {path: i for i, chunk in reversed(list(enumerate(chunks))) for path in chunk.paths}
    ordered = sorted(findings, key=lambda f: -f.severity.rank)
    for number, finding in enumerate(ordered, start=1):
        batch = batches[where.get(finding.path, 0)]
        compact = _compact(f"F{number}", finding)
        if is_locked(finding, locked):
            compact["locked"] = True
        item = json.dumps(compact, ensure_ascii=False)
        cost = estimate_tokens(item)
        if batch.tokens + cost > budget_tokens // 2 and batch.items:
            batch.left_out += 1
            continue
        batch.ids[f"F{number}"] = finding.fingerprint
        batch.items.append(item)
        batch.tokens += cost
    return batches


def synthesis_prompt(batch: Batch) -> str:
    """The synthesizer's instructions and the findings to check: what follows the diff."""
    return "\n".join(
        [
            "Your role:",
            "<role>",
            ROLE.instructions,
            "</role>",
            "Check these findings of the earlier reviewers of this change.",
            "<findings>",
            "[" + ",\n".join(batch.items) + "]",
            "</findings>",
            "Return your revisions through the structured output (`findings`: an empty list).",
        ]
    )


def _compact(finding_id: str, finding: Finding) -> dict[str, object]:
    item: dict[str, object] = {
        "id": finding_id,
        "agent": finding.agent,
        "rule": finding.rule_id,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        "at": finding.location,
        "title": finding.title,
    }
    if finding.message:
        item["message"] = finding.message[:400]
    if finding.also_reported_by:
        item["also"] = list(finding.also_reported_by)
    return item
