"""bandit, the Python security linter: how it is run and how its JSON becomes findings.

Severity map (documented in README):

* bandit HIGH severity with HIGH confidence on an injection weakness (CWE-77/78 command,
  CWE-89 SQL, CWE-94/95 code injection, CWE-502 unsafe deserialization) → CRITICAL
* deserialization of untrusted data (CWE-502: B301 pickle/marshal/shelve/dill, B302, B506
  yaml.load, B614 torch.load) and TLS verification turned off (CWE-295: B323 unverified
  context) and code run from a string (CWE-95: B307 `eval`, B102 `exec`) → at least HIGH,
  as baton's own rules for the same weaknesses (`patterns`)
* otherwise bandit's own severity: HIGH → HIGH, MEDIUM → MEDIUM, LOW → LOW
* LOW confidence lowers the result one step (never below INFO)

Hard-coded password rules (B105-B107) quote the value in their message, quotes included: the
whole quoted value becomes a stub and is handed to the run's redactor (`BanditScan.secrets`),
so it is removed wherever else it appears.

bandit reads the reviewed files from the workspace (`raw/`), which holds no configuration of
the change's. Its configuration is the trusted revision's `[tool.bandit]`, when there is one.
`# nosec` is ignored unless `honor_tool_suppressions` says otherwise, and bandit's built-in
excludes (`.git`, `CVS`, `.tox`, … matched as substrings, so `.github/x.py` would vanish)
are replaced by a pattern no path contains. A file bandit was given but did not report on
(excluded by the trusted configuration) is listed as skipped, never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
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
from baton.change.model import SkippedFile
from baton.change.workspace import Workspace
from baton.findings.model import Confidence, Finding, Severity
from baton.redact import stub
from baton.tool_config import PYPROJECT

INJECTION_CWES = frozenset({77, 78, 89, 94, 95, 502})
AT_LEAST_HIGH = frozenset({"B301", "B302", "B506", "B614", "B323", "B307", "B102"})
"""Unsafe deserialization, TLS verification off and code run from a string (`eval`, `exec`):
baton's own rules for such weaknesses rate them HIGH (`patterns`), so bandit's MEDIUM is
raised to match."""
DEFAULT_SKIPS = ("B101", "B404", "B603")
"""assert_used, import of subprocess, subprocess without shell: noise in review comments."""
NO_EXCLUDES = "//baton: no default excludes//"
"""Replaces bandit's default `--exclude` list; no normalised path contains `//`."""

_QUOTED_PASSWORD = re.compile(r"^(?P<lead>[^']*')(?P<value>.*)'(?P<tail>[^']*)$", re.DOTALL)
PASSWORD_RULES = frozenset({"B105", "B106", "B107"})
_LOWER = {
    Severity.CRITICAL: Severity.HIGH,
    Severity.HIGH: Severity.MEDIUM,
    Severity.MEDIUM: Severity.LOW,
    Severity.LOW: Severity.INFO,
    Severity.INFO: Severity.INFO,
}


@dataclass
class BanditScan:
    findings: list[Finding] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    """Hard-coded passwords bandit quoted: for the run's redactor."""


def severity_for(
    bandit_severity: str, confidence: str, cwe: int | None, rule: str = ""
) -> Severity:
    base = {"HIGH": Severity.HIGH, "MEDIUM": Severity.MEDIUM}.get(bandit_severity, Severity.LOW)
    if rule in AT_LEAST_HIGH and base is Severity.MEDIUM and confidence != "LOW":
        return Severity.HIGH
    if base is Severity.HIGH and confidence == "HIGH" and cwe in INJECTION_CWES:
        return Severity.CRITICAL
    if confidence == "LOW":
        return _LOWER[base]
    return base


def has_config(config: Path) -> bool:
    """Whether the trusted revision's pyproject.toml (copied to `config`) has [tool.bandit]."""
    return "bandit" in pyproject_tools(config)


def bandit_args(config: Path, *, honor_nosec: bool) -> list[str]:
    """The trusted `[tool.bandit]` wins; otherwise skip the noisiest checks."""
    args = ["-f", "json", "-q", "-x", NO_EXCLUDES]
    if not honor_nosec:
        args.append("--ignore-nosec")
    if has_config(config):
        return [*args, "-c", str(config / PYPROJECT)]
    return [*args, "-s", ",".join(DEFAULT_SKIPS)]


async def scan(
    tools: ToolRunner, workspace: Workspace, files: Sequence[str], agent: str, *, honor: bool
) -> BanditScan:
    root = workspace.raw
    args = bandit_args(workspace.config, honor_nosec=honor)
    outputs = await tools.run_batched("bandit", args, files, cwd=root, ok_codes=(0, 1))
    result = BanditScan()
    seen: set[str] = set()
    for output in outputs:
        data = load_json("bandit", output.stdout)
        expect(
            isinstance(data, dict) and isinstance(data.get("results"), list), "bandit", "results"
        )
        for error in data.get("errors", []):
            reason = str(error.get("reason", "could not be analysed"))
            path = repo_relative(str(error.get("filename", "?")), root)
            seen.add(path)
            result.skipped.append(SkippedFile(path=path, reason=f"bandit: {reason}"))
        metrics = data.get("metrics")
        seen.update(repo_relative(str(name), root) for name in metrics or {} if name != "_totals")
        for item in data["results"]:
            finding, secret = _finding(item, root, agent)
            result.findings.append(finding)
            result.secrets.extend([secret] if secret else [])
    result.findings = at_git_lines(result.findings, workspace)
    result.skipped.extend(
        SkippedFile(path=path, reason="bandit: excluded by the repository's bandit config")
        for path in files
        if path not in seen
    )
    return result


def _finding(item: dict[str, Any], root: Path, agent: str) -> tuple[Finding, str | None]:
    """The finding, and the password it quotes (for a hard-coded password rule)."""
    expect("test_id" in item and "line_number" in item, "bandit", "result without test_id/line")
    cwe_info = item.get("issue_cwe") or {}
    cwe = cwe_info.get("id") if isinstance(cwe_info, dict) else None
    confidence = str(item.get("issue_confidence", "MEDIUM")).upper()
    line_range = item.get("line_range") or [item["line_number"]]
    rule = str(item["test_id"])
    text = str(item.get("issue_text", "")).strip()
    quoted = _QUOTED_PASSWORD.match(text) if rule in PASSWORD_RULES else None
    if quoted is not None:
        text = f"{quoted['lead']}{stub(quoted['value'])}'{quoted['tail']}"
    finding = Finding(
        agent=agent,
        rule_id=rule,
        rule_url=item.get("more_info"),
        severity=severity_for(
            str(item.get("issue_severity", "LOW")).upper(), confidence, cwe, rule
        ),
        confidence=Confidence(confidence)
        if confidence in Confidence.__members__
        else Confidence.LOW,
        path=repo_relative(str(item["filename"]), root),
        line=int(item["line_number"]),
        end_line=int(max(line_range)) if line_range else None,
        title=text.split(".")[0][:120] or rule,
        message=text,
        recommendation=_recommendation(rule),
        cwe=int(cwe) if isinstance(cwe, int) else None,
    )
    return finding, quoted["value"] if quoted is not None else None


_RECOMMENDATIONS = {
    "B602": "Pass the command as a list and drop shell=True; never build it from input.",
    "B608": "Use parameterised queries instead of building SQL from strings.",
    "B301": "Do not unpickle data that may come from outside; use a safe format such as JSON.",
    "B506": "Use yaml.safe_load.",
    "B105": "Read the secret from the environment or a secret store.",
    "B106": "Read the secret from the environment or a secret store.",
    "B107": "Read the secret from the environment or a secret store.",
}


def _recommendation(rule: str) -> str | None:
    return _RECOMMENDATIONS.get(rule)
