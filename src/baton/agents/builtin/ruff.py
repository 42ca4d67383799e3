"""ruff: how it is run over changed Python files and how its JSON becomes findings.

Without a ruff configuration in the trusted revision, baton selects rules that find bugs
rather than style: syntax errors (E9), pyflakes (F), bugbear (B) and pylint errors (PLE).
The trusted revision's root `.ruff.toml`, `ruff.toml` or `[tool.ruff]` in `pyproject.toml`
(in ruff's order) is passed with `--config`, which makes ruff ignore every configuration file
it would otherwise find beside the files, the change's own included. Files of the change are
always linted (ruff's `exclude` does not drop a file named on the command line), and
`# noqa` / `# ruff: noqa` are ignored unless `honor_tool_suppressions` says otherwise.

Severity map (documented in README): syntax errors, undefined names and pylint errors →
HIGH; bugbear and invalid comparisons → MEDIUM; other pyflakes rules → LOW; style families
(E, W, I, D, N, Q, UP, COM …) → INFO; anything else → LOW.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from baton.agents.builtin.common import (
    at_git_lines,
    expect,
    load_json,
    pyproject_tools,
    repo_relative,
)
from baton.agents.tools import ToolRunner
from baton.change.workspace import Workspace
from baton.findings.model import Confidence, Finding, Severity
from baton.tool_config import PYPROJECT, RUFF_FILES

DEFAULT_SELECT = ("E9", "F", "B", "PLE")
HIGH_RULES = frozenset({"F821", "F822", "F823", "F706", "F704", "F502", "F501", "F509"})
STYLE_PREFIXES = ("E", "W", "I", "D", "N", "Q", "UP", "COM", "ERA", "C4", "SIM", "RET")
_PREFIX = re.compile(r"[A-Z]+")


def severity_for(code: str) -> Severity:
    if code == "invalid-syntax" or code.startswith(("E9", "PLE")) or code in HIGH_RULES:
        return Severity.HIGH
    if code.startswith(("B", "F63")):
        return Severity.MEDIUM
    if code.startswith("F"):
        return Severity.LOW
    prefix = _PREFIX.match(code)
    if prefix is not None and prefix.group(0) in STYLE_PREFIXES:
        return Severity.INFO
    return Severity.LOW


def trusted_config(config: Path) -> Path | None:
    """The trusted revision's ruff configuration file (copied to `config`), if any."""
    for name in RUFF_FILES:
        if (config / name).is_file():
            return config / name
    return config / PYPROJECT if "ruff" in pyproject_tools(config) else None


def ruff_args(config: Path, *, honor_noqa: bool) -> list[str]:
    args = ["check", "--output-format", "json", "--no-fix", "--exit-zero", "--no-cache"]
    if not honor_noqa:
        args.append("--ignore-noqa")
    own = trusted_config(config)
    if own is not None:
        return [*args, "--config", str(own)]
    return [*args, "--isolated", "--select", ",".join(DEFAULT_SELECT)]


async def scan(
    tools: ToolRunner, workspace: Workspace, files: Sequence[str], agent: str, *, honor: bool
) -> list[Finding]:
    root = workspace.text
    args = ruff_args(workspace.config, honor_noqa=honor)
    outputs = await tools.run_batched("ruff", args, files, cwd=root, processes=1)
    findings: list[Finding] = []
    for output in outputs:
        data = load_json("ruff", output.stdout)
        expect(isinstance(data, list), "ruff", "a JSON array")
        findings.extend(_finding(item, root, agent) for item in data)
    return at_git_lines(findings, workspace)


def _finding(item: dict[str, Any], root: Path, agent: str) -> Finding:
    expect(isinstance(item, dict) and "location" in item and "filename" in item, "ruff", "item")
    code = str(item.get("code") or "invalid-syntax")
    start = int(item["location"]["row"])
    end = int((item.get("end_location") or {}).get("row", start))
    message = str(item.get("message", "")).strip()
    fix = item.get("fix") or {}
    return Finding(
        agent=agent,
        rule_id=code,
        rule_url=item.get("url"),
        severity=severity_for(code),
        confidence=Confidence.HIGH,
        path=repo_relative(str(item["filename"]), root),
        line=max(start, 1),
        end_line=max(end, start, 1),
        title=message[:120] or code,
        message=message,
        recommendation=fix.get("message") if isinstance(fix, dict) else None,
    )
