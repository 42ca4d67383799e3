"""An analyser agent: an external tool the trusted configuration names, run over the change,
its report read as findings.

    [tool.baton.agents.eslint]
    command = ["npx", "eslint", "--format", "@microsoft/eslint-formatter-sarif", "{files}"]
    format = "sarif"
    files = ["*.ts", "*.tsx"]

`{files}` (a whole argument) expands to the agent's changed files, each as `./PATH` so no
name can be read as an option, in batches under the OS argument limit; without it the
command runs once. The command runs at the root of the reviewed revision's checkout, with
the job's environment, reading its report from stdout or from `output` (removed before each
run, so a stale report is never read). Any exit code with a report that parses means
findings; no report that parses fails the agent with the tool's exit and last stderr line.

Commands come only from trusted configuration (the base commit's, flags, environment):
a pull request cannot add or change one. The tool itself reads whatever configuration files
the checkout holds: pin them in the command when the change must not steer them.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from pathspec import GitIgnoreSpec

from baton.agent_config import AgentConfig, ReportFormat
from baton.agents.analyser.formats import ToolReport
from baton.agents.analyser.reading import MAX_REPORT_BYTES, check_size, read_report, report_summary
from baton.agents.base import AgentContext, AgentOutput
from baton.agents.builtin.common import files_phrase
from baton.agents.processes import ToolOutput, describe_exit, run_process
from baton.agents.tools import MAX_ARGS_PER_CALL
from baton.change.model import ChangedFile
from baton.errors import AgentError
from baton.findings.model import Finding
from baton.globs import path_globs

FILES = "{files}"
"""The argument of a command that stands for the agent's changed files."""
ANY_EXIT = range(-256, 256)


class AnalyserAgent:
    """One `[agents.NAME]` table with a `command`."""

    engine = "analyser"
    keeps_outside_findings = False
    fails_open = False
    scans_skipped_files = False

    def __init__(self, name: str, table: AgentConfig, description: str) -> None:
        if table.command is None or table.format is None:
            raise ValueError(f"agents.{name} is not an analyser")
        self.name = name
        self.description = description
        self.command: tuple[str, ...] = tuple(table.command)
        self.format: ReportFormat = table.format
        self.output = table.output
        self._files: GitIgnoreSpec | None = path_globs(table.files)

    def accepts(self, file: ChangedFile) -> str | None:
        if self._files is None or self._files.match_file(file.path):
            return None
        return f"not in agents.{self.name}.files"

    async def run(self, ctx: AgentContext) -> AgentOutput:
        root = ctx.workspace.model_root or ctx.root
        program = _executable(self.command[0], root)
        paths = [f"./{f.path}" for f in ctx.files]
        batches = [
            paths[i : i + MAX_ARGS_PER_CALL] for i in range(0, len(paths), MAX_ARGS_PER_CALL)
        ]
        runs = batches if FILES in self.command else [[]]
        findings: list[Finding] = []
        unplaced: list[str] = []
        for batch in runs:
            argv = [program, *_expand(self.command[1:], batch)]
            report = await self._run_once(argv, root, ctx)
            findings.extend(report.findings)
            unplaced.extend(report.unplaced)
        merged = ToolReport(tuple(findings), None, tuple(dict.fromkeys(unplaced)))
        what = f"{self.command[0]} on {files_phrase(len(paths))}"
        return AgentOutput(findings=findings, summary=report_summary(what, merged))

    async def _run_once(self, argv: list[str], root: Path, ctx: AgentContext) -> ToolReport:
        target = root / self.output if self.output is not None else None
        if target is not None:
            target.unlink(missing_ok=True)
        limit = None if target is not None else MAX_REPORT_BYTES
        output = await run_process(self.name, argv, cwd=root, ok_codes=ANY_EXIT, max_stdout=limit)
        text = output.stdout if target is None else _read_output(target, output)
        if not text.strip():
            if self.format is ReportFormat.RDJSONL and output.returncode == 0:
                return ToolReport((), None, ())  # one line per finding, and none found
            raise AgentError(f"{self.name}: no report ({_exit(output)})")
        try:
            return read_report(self.format, text, ctx, root, self.name)
        except AgentError as err:
            raise AgentError(f"{self.name}: {err} ({_exit(output)})") from None


def _expand(args: Sequence[str], files: list[str]) -> list[str]:
    expanded: list[str] = []
    for arg in args:
        expanded.extend(files if arg == FILES else [arg])
    return expanded


def _executable(program: str, root: Path) -> str:
    """`program` as a path: relative to the checkout when it has a `/`, else from PATH."""
    if "/" in program:
        candidate = root / program  # an absolute `program` stays as it is
        found = str(candidate) if candidate.is_file() else None
    else:
        found = shutil.which(program)
    if found is None:
        raise AgentError(f"{program} not found: install it or fix the command", retryable=False)
    return found


def _read_output(target: Path, output: ToolOutput) -> str:
    try:
        check_size(str(target), target.stat().st_size)
        return target.read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        raise AgentError(f"no report at {target.name} ({_exit(output)})") from None


def _exit(output: ToolOutput) -> str:
    return f"the tool exited with {describe_exit(output)}"
