"""The built-in `security` agent: bandit on changed Python files, detect-secrets on all of them.

detect-secrets also gets the files skipped for their kind (binary, generated, vendored, too
large, a symlink): who writes the change chooses those, so they never hide a secret. Both
tools run at the same time; either failing fails the agent (its reason names the tool).
"""

from __future__ import annotations

from baton.agents.base import AgentContext, AgentOutput
from baton.agents.builtin import bandit, secrets
from baton.agents.builtin.common import files_phrase, is_python
from baton.agents.tools import tool_group
from baton.change.model import ChangedFile


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
        async with tool_group() as group:
            code = group.create_task(
                bandit.scan(ctx.tools, ctx.workspace, python, self.name, honor=honor)
            )
            leaked = group.create_task(
                secrets.scan(ctx.tools, ctx.workspace, every, self.name, honor=honor)
            )
        scanned = code.result()
        tools = "bandit + detect-secrets" if python else "detect-secrets"
        return AgentOutput(
            findings=[*scanned.findings, *leaked.result()],
            skipped=scanned.skipped,
            summary=f"{tools} on {files_phrase(len(every))}",
        )
