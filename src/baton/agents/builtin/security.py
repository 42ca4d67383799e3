"""The built-in `security` agent: bandit and baton's own rules on changed Python files,
detect-secrets on all of them.

detect-secrets also gets the files skipped for their kind (binary, generated, vendored, too
large, a symlink): who writes the change chooses those, so they never hide a secret. The
tools run at the same time. One that fails leaves the others' findings standing: the agent
is failed with the reason (naming the tool that failed and those that finished) and what
the others found still counts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from baton.agents.base import AgentContext, AgentOutput
from baton.agents.builtin import bandit, own_rules, secrets
from baton.agents.builtin.common import files_phrase, is_python
from baton.change.model import ChangedFile
from baton.errors import AgentError, describe_failure


class SecurityAgent:
    engine = "builtin"
    keeps_outside_findings = False
    fails_open = False
    scans_skipped_files = True
    name = "security"
    description = (
        "Security issues (bandit and baton's own rules) and committed secrets (detect-secrets)."
    )

    def accepts(self, file: ChangedFile) -> str | None:
        return None

    async def run(self, ctx: AgentContext) -> AgentOutput:
        python = [f.path for f in ctx.files if is_python(f)]
        every = [*ctx.files, *ctx.secrets_only]
        honor = ctx.settings.honor_tool_suppressions
        scans: dict[str, Awaitable[object]] = {}
        if python:
            scans["bandit"] = bandit.scan(ctx.tools, ctx.workspace, python, self.name, honor=honor)
            scans[own_rules.TOOL] = own_rules.scan(ctx.tools, ctx.workspace, python, self.name)
        scans["detect-secrets"] = secrets.scan(
            ctx.tools, ctx.workspace, every, self.name, honor=honor
        )
        done = await asyncio.gather(*scans.values(), return_exceptions=True)
        output = AgentOutput(summary=f"{' + '.join(scans)} on {files_phrase(len(every))}")
        failed: dict[str, BaseException] = {}
        for tool, result in zip(scans, done, strict=True):
            if isinstance(result, BaseException):
                failed[tool] = result
            else:
                _collect(output, result)
        if len(failed) == len(scans) or any(not isinstance(f, Exception) for f in failed.values()):
            raise next(iter(failed.values()))  # nothing finished (or a cancellation)
        if failed:
            first = next(iter(failed.values()))
            finished = sorted(set(scans) - set(failed))
            whose = "its" if len(finished) == 1 else "their"
            done_note = f"{', '.join(finished)} finished; {whose} findings count"
            output.failure = f"{describe_failure(first)} ({done_note})"
            output.retryable = not isinstance(first, AgentError) or first.retryable
        return output


def _collect(output: AgentOutput, result: object) -> None:
    """Add one tool's result to the agent's output."""
    if isinstance(result, list):
        output.findings.extend(result)
    elif isinstance(result, bandit.BanditScan):
        output.findings.extend(result.findings)
        output.skipped.extend(result.skipped)
        output.secrets.extend(result.secrets)
    elif isinstance(result, secrets.SecretScan):
        output.findings.extend(result.findings)
        output.secrets.extend(result.secrets)
