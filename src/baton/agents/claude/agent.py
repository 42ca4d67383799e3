"""`ClaudeAgent`: one reviewer role played by Claude Code sessions over chunks of the change.

Chunks run concurrently under the run's session slots and budget. A failed chunk fails the
agent (verdict incomplete) but keeps the other chunks' findings; chunks not started because
the budget is spent are listed as skipped files. Beside a built-in agent it is named
`claude-<role>` (`claude-coverage` reads the coverage report; the built-in `coverage` agent
keeps the diff-coverage figures and the gate's minimum).

Each session's first message is the chunk's `diff_block` — the same bytes for every role,
so the API reads it from its prompt cache for all but the first session of the chunk —
then the role's instructions and this session's task.
"""

from __future__ import annotations

import asyncio
import re

from baton.agents.base import AgentContext, AgentOutput, Usage
from baton.agents.builtin.coverage_reports import find_report
from baton.agents.claude.chunks import Chunk, diff_block, split_into_chunks
from baton.agents.claude.launch import interpret, run_session
from baton.agents.claude.protocol import ReportedFinding, ReviewOutput, SessionJob, output_schema
from baton.agents.claude.roles import Role, session_prompt
from baton.change.model import ChangedFile, SkippedFile
from baton.errors import AgentError
from baton.findings.model import Finding

_SUMMARY_SPACE = re.compile(r"\s+")


class ClaudeAgent:
    engine = "claude"
    keeps_outside_findings = True
    fails_open = False
    scans_skipped_files = False

    def __init__(self, role: Role, *, name: str | None = None) -> None:
        self.role = role
        self.name = name or role.name
        self.description = role.description

    def accepts(self, file: ChangedFile) -> str | None:
        return None

    async def run(self, ctx: AgentContext) -> AgentOutput:
        output = AgentOutput()
        chunks, too_big = split_into_chunks(ctx.files, ctx.settings.chunk_tokens)
        output.skipped.extend(too_big)
        results = await asyncio.gather(
            *(self._review_chunk(ctx, chunk, i, len(chunks)) for i, chunk in enumerate(chunks))
        )
        usage = Usage()
        failures: list[str] = []
        summaries: list[str] = []
        for chunk, (findings, chunk_usage, denied, failure, summary) in zip(
            chunks, results, strict=True
        ):
            usage = usage + chunk_usage
            output.findings.extend(findings)
            output.denied.extend(d for d in denied if d not in output.denied)
            if failure is not None:
                failures.append(failure)
                if failure.startswith("not started"):
                    output.skipped.extend(SkippedFile(path=p, reason=failure) for p in chunk.paths)
            if summary:
                summaries.append(summary)
        output.usage = usage
        if failures:
            output.failure = (
                failures[0]
                if len(failures) == 1
                else (
                    f"{len(failures)} of {len(chunks)} review sessions failed; first: {failures[0]}"
                )
            )
        model_summary = " ".join(summaries)[:300]
        output.summary = "; ".join(s for s in (output.summary, model_summary) if s) or None
        return output

    async def _review_chunk(
        self, ctx: AgentContext, chunk: Chunk, index: int, total: int
    ) -> tuple[list[Finding], Usage, list[str], str | None, str]:
        async with ctx.limits.slots:
            if ctx.limits.exhausted:
                spent = ctx.limits.spent_usd
                return [], Usage(), [], f"not started: budget of ${spent:.2f} reached", ""
            job = SessionJob(
                agent=self.name,
                cwd=str(ctx.workspace.model_root or ctx.root),
                system_prompt=session_prompt(),
                shared=diff_block(chunk, index, total),
                prompt=self._prompt(ctx, chunk, index, total),
                tools=list(self.role.tools),
                model=ctx.settings.model_for(self.name, self.role.model),
                max_turns=ctx.settings.max_turns_for(self.name),
                max_budget_usd=ctx.limits.remaining_usd(),
                output_schema=output_schema(),
                add_dirs=[str(ctx.handoff.folder)] if ctx.handoff else [],
            )
            try:
                outcome = await run_session(job, ctx.settings)
            except AgentError as err:
                return [], Usage(), [], str(err), ""
            ctx.limits.charge(outcome.usage.cost_usd)
        try:
            review = interpret(outcome, job.max_turns, ReviewOutput, required=("findings",))
        except AgentError as err:
            return [], outcome.usage, outcome.denied, str(err), ""
        findings = [self._finding(item) for item in review.findings]
        summary = _SUMMARY_SPACE.sub(" ", review.summary).strip()
        return findings, outcome.usage, outcome.denied, None, summary

    def _prompt(self, ctx: AgentContext, chunk: Chunk, index: int, total: int) -> str:
        """The role's instructions and this session's task: what follows the diff."""
        part = f" (part {index + 1} of {total})" if total > 1 else ""
        lines = [
            "Your role:",
            "<role>",
            self.role.instructions,
            "</role>",
            f"Review the change above as the {self.role.name} reviewer{part}.",
        ]
        if self.role.name == "coverage":
            report = ctx.settings.coverage_report or find_report(ctx.root)
            lines.append(
                f"Coverage report: {report}" if report else "No coverage report was found."
            )
        if ctx.handoff is not None:
            lines += [
                "Earlier reviewers of this change found the following (a summary; every "
                f"finding is in {ctx.handoff.folder / 'findings.json'}). Do not repeat them;"
                " look for what they missed.",
                "<earlier-findings>",
                ctx.handoff.summary,
                "</earlier-findings>",
            ]
        lines.append("Return your findings through the structured output (leave `revisions` out).")
        return "\n".join(lines)

    def _finding(self, item: ReportedFinding) -> Finding:
        return Finding(
            agent=self.name,
            rule_id=item.rule_id,
            severity=item.severity,
            confidence=item.confidence,
            path=item.path.removeprefix("./"),
            line=item.line,
            end_line=item.end_line if item.end_line and item.line else None,
            title=item.title,
            message=item.message,
            recommendation=item.recommendation,
            cwe=item.cwe,
        )
