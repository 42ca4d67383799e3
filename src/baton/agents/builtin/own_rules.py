"""baton's own Python rules (`patterns`) as the security agent runs them.

The rules run as a tool of their own — `python -m baton.agents.builtin.patterns -- ./FILE…`
over the workspace copy, in a process the agent's deadline can kill — and write SARIF, which
is read like any analyser's report. Rule ids are `BTN…`; where bandit reports the same
problem on the same line, the two findings merge (`findings.merge.rule_family`).
"""

from __future__ import annotations

from collections.abc import Sequence

from baton.agent_config import ReportFormat
from baton.agents.analyser.formats import parse_report
from baton.agents.builtin.common import at_git_lines
from baton.agents.tools import ToolRunner
from baton.change.workspace import Workspace
from baton.findings.model import Finding

TOOL = "baton-patterns"


async def scan(
    tools: ToolRunner, workspace: Workspace, files: Sequence[str], agent: str
) -> list[Finding]:
    root = workspace.text
    outputs = await tools.run_batched(TOOL, [], files, cwd=root)
    findings: list[Finding] = []
    for output in outputs:
        report = parse_report(ReportFormat.SARIF, output.stdout, root=root, agent=agent)
        findings.extend(report.findings)
    return at_git_lines(findings, workspace)
