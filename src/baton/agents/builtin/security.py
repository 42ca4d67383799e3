"""The built-in `security` agent: bandit on changed Python files, detect-secrets on all of them.

detect-secrets also gets the files skipped for their kind (binary, generated, vendored, too
large, a symlink): who writes the change chooses those, so they never hide a secret. Both
tools run at the same time. One that fails leaves the other's findings standing: the agent
is failed with the reason (naming the tool that failed and the one that finished) and what the
other found still counts.
"""

from __future__ import annotations

import asyncio

from baton.agents.base import AgentContext, AgentOutput
from baton.agents.builtin import bandit, secrets
from baton.agents.builtin.common import files_phrase, is_python
from baton.change.model import ChangedFile
from baton.errors import AgentError, describe_failure


class SecurityAgent:
    engine = "builtin"
    keeps_outside_findings = False
    fails_open = False
    scans_skipped_files = True
    name = "security"
    description = "Security issues (bandit) and committed secrets (detect-secrets)."

    def accepts(self, file: ChangedFile) -> str | None:
        return None

    async def run(self, ctx: AgentContext) -> AgentOutput:
        python = [f.path for f in ctx.files if is_python(f)]
        every = [*ctx.files, *ctx.secrets_only]
        honor = ctx.settings.honor_tool_suppressions
        code, leaked = await asyncio.gather(
            bandit.scan(ctx.tools, ctx.workspace, python, self.name, honor=honor),
            secrets.scan(ctx.tools, ctx.workspace, every, self.name, honor=honor),
            return_exceptions=True,
        )
        tools = "bandit + detect-secrets" if python else "detect-secrets"
        output = AgentOutput(summary=f"{tools} on {files_phrase(len(every))}")
        failures: list[BaseException] = []
        if isinstance(code, BaseException):
            failures.append(code)
        else:
            output.findings.extend(code.findings)
            output.skipped.extend(code.skipped)
            output.secrets.extend(code.secrets)
        if isinstance(leaked, BaseException):
            failures.append(leaked)
        else:
            output.findings.extend(leaked.findings)
            output.secrets.extend(leaked.secrets)
        if len(failures) == 2 or any(not isinstance(f, Exception) for f in failures):
            raise failures[0]  # nothing finished (or a cancellation): the agent failed
        if failures:
            finished = "detect-secrets" if isinstance(code, BaseException) else "bandit"
            output.failure = (
                f"{describe_failure(failures[0])} ({finished} finished; its findings count)"
            )
            output.retryable = not isinstance(failures[0], AgentError) or failures[0].retryable
        return output
