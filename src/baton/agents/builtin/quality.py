"""The built-in `quality` agent: ruff on changed Python files, tuned to bugs rather than style."""

from __future__ import annotations

from baton.agents.base import AgentContext, AgentOutput
from baton.agents.builtin import ruff
from baton.agents.builtin.common import files_phrase, is_python
from baton.change.model import ChangedFile


class QualityAgent:
    engine = "builtin"
    keeps_outside_findings = False
    fails_open = False
    scans_skipped_files = False
    name = "quality"
    description = "Bugs and risky code in Python (ruff: pyflakes, bugbear, pylint errors)."

    def accepts(self, file: ChangedFile) -> str | None:
        return None if is_python(file) else "not Python"

    async def run(self, ctx: AgentContext) -> AgentOutput:
        files = [f.path for f in ctx.files]
        trusted = ruff.trusted_config(ctx.workspace.config) is not None
        config = "repository ruff config" if trusted else "baton's rule set"
        honor = ctx.settings.honor_tool_suppressions
        findings = await ruff.scan(ctx.tools, ctx.workspace, files, self.name, honor=honor)
        return AgentOutput(
            findings=findings, summary=f"ruff ({config}) on {files_phrase(len(files))}"
        )
