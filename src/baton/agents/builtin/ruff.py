"""ruff: how it is run over changed Python files and how its JSON becomes findings.

Without a ruff configuration in the repository, baton selects rules that find bugs rather
than style: syntax errors (E9), pyflakes (F), bugbear (B) and pylint errors (PLE). A
repository's own `ruff.toml`, `.ruff.toml` or `[tool.ruff]` wins, as ruff itself resolves it.

Severity map (documented in README): syntax errors, undefined names and pylint errors →
HIGH; bugbear and invalid comparisons → MEDIUM; other pyflakes rules → LOW; style families
(E, W, I, D, N, Q, UP, COM …) → INFO; anything else → LOW.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from baton.agents.builtin.common import expect, load_json, repo_relative
from baton.agents.tools import ToolRunner
from baton.findings.model import Confidence, Finding, Severity

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


def has_own_config(root: Path) -> bool:
    if (root / "ruff.toml").is_file() or (root / ".ruff.toml").is_file():
        return True
    pyproject = root / "pyproject.toml"
    return pyproject.is_file() and "[tool.ruff" in pyproject.read_text("utf-8", "replace")


def ruff_args(root: Path) -> list[str]:
    args = ["check", "--output-format", "json", "--no-fix", "--exit-zero", "--no-cache"]
    if has_own_config(root):
        return [*args, "--force-exclude"]
    return [*args, "--isolated", "--select", ",".join(DEFAULT_SELECT)]


async def scan(tools: ToolRunner, root: Path, files: Sequence[str], agent: str) -> list[Finding]:
    outputs = await tools.run_batched("ruff", ruff_args(root), files, cwd=root, processes=1)
    findings: list[Finding] = []
    for output in outputs:
        data = load_json("ruff", output.stdout)
        expect(isinstance(data, list), "ruff", "a JSON array")
        findings.extend(_finding(item, root, agent) for item in data)
    return findings


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
