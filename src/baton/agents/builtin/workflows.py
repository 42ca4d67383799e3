"""The built-in `workflows` agent: zizmor over changed GitHub Actions files, offline.

It reviews workflows (`.github/workflows/*.yml|yaml`), action definitions (`action.yml` or
`action.yaml` anywhere) and `.github/dependabot.yml|yaml`. zizmor runs `--offline` (no
GitHub API, no network; no token is handed to it), with `--no-config` (a `zizmor.yml` the
change adds is never read), on a staged copy of each file at its repository path, one file
per process, so a file it cannot read is known by name.

Severity map (documented in README): zizmor's severity high → HIGH, medium → MEDIUM,
low → LOW, informational or unknown → INFO; its confidence becomes the finding's. A
`template-injection` of high severity and high confidence → CRITICAL: attacker-controlled
text (an issue title, a branch name) expanded into a script is code execution in CI.
`dangerous-triggers` (`pull_request_target`, `workflow_run`) keeps zizmor's own severity,
except in a workflow where a job checks out the pull request's code (baton's rule BTN901,
`ci_rules`): there it is CRITICAL too, so a change that only edits the trigger is caught.
baton's own rules for workflows run beside zizmor (`ci_rules.workflows`).
A file zizmor cannot audit is a whole-file `unauditable` finding: HIGH when its YAML does
not parse (GitHub refuses it too), MEDIUM when it does not match zizmor's schema.

`# zizmor: ignore[…]` comments are ignored (`--no-ignores`: zizmor then reports what they
cover, marked `ignored`, and baton counts it) unless `honor_tool_suppressions` says otherwise.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path, PurePosixPath
from typing import Any

from baton.agents.base import AgentContext, AgentOutput
from baton.agents.builtin.ci_common import output_shape, reviewable, staged
from baton.agents.builtin.ci_rules import scan_workflow, with_rules
from baton.agents.builtin.ci_rules.workflows import PWN_REQUEST
from baton.agents.builtin.common import expect, files_phrase, load_json, repo_relative
from baton.agents.processes import ToolOutput, run_process
from baton.agents.tools import tool_group
from baton.change.model import ChangedFile
from baton.errors import AgentError
from baton.findings.model import Confidence, Finding, Severity

TOOL = "zizmor"
WORKFLOW_DIR = PurePosixPath(".github/workflows")
ACTION_NAMES = frozenset({"action.yml", "action.yaml"})
DEPENDABOT = frozenset({".github/dependabot.yml", ".github/dependabot.yaml"})
YAML_SUFFIXES = frozenset({".yml", ".yaml"})
HIDDEN_ENV = frozenset({"ZIZMOR_CONFIG", "GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN"})
"""Never passed on: a configuration file the command line did not choose, and tokens."""
NOT_AUDITED = 3
"""zizmor's exit code when none of its inputs could be read ("no inputs collected")."""
UNAUDITABLE = "unauditable"

_SEVERITIES = {"high": Severity.HIGH, "medium": Severity.MEDIUM, "low": Severity.LOW}
_CONFIDENCES = {"high": Confidence.HIGH, "medium": Confidence.MEDIUM, "low": Confidence.LOW}
_RECOMMENDATIONS = {
    "template-injection": (
        "Pass the value through an `env:` variable and use it quoted in the script "
        '("$TITLE"), never as `${{ … }}` inside `run:`.'
    ),
    "artipacked": "Set `persist-credentials: false` on actions/checkout.",
    "unpinned-uses": "Pin the action to a full commit SHA (with the version in a comment).",
    "dangerous-triggers": (
        "Use `pull_request` where possible; never check out or run the pull request's code "
        "in a `pull_request_target` or `workflow_run` job."
    ),
    "excessive-permissions": "Set `permissions:` explicitly, to the least each job needs.",
}


def is_actions_file(path: str) -> bool:
    """A GitHub workflow, an action definition or the Dependabot configuration."""
    posix = PurePosixPath(path)
    if posix.name in ACTION_NAMES or path in DEPENDABOT:
        return True
    return posix.parent == WORKFLOW_DIR and posix.suffix in YAML_SUFFIXES


def severity_for(audit: str, severity: str, confidence: str) -> Severity:
    base = _SEVERITIES.get(severity.lower(), Severity.INFO)
    if audit == "template-injection" and base is Severity.HIGH and confidence.lower() == "high":
        return Severity.CRITICAL
    return base


def zizmor_args(*, honor_ignores: bool) -> list[str]:
    args = ["--offline", "--no-config", "--no-exit-codes", "--no-progress", "--color", "never"]
    if not honor_ignores:
        args.append("--no-ignores")
    return [*args, "--format", "json"]


class WorkflowsAgent:
    engine = "builtin"
    keeps_outside_findings = False
    fails_open = False
    scans_skipped_files = False
    name = "workflows"
    description = "GitHub Actions workflows, actions and Dependabot files (zizmor, offline)."

    def accepts(self, file: ChangedFile) -> str | None:
        return None if is_actions_file(file.path) else "not a GitHub workflow or action"

    async def run(self, ctx: AgentContext) -> AgentOutput:
        paths, skipped = reviewable(ctx.workspace, [f.path for f in ctx.files], TOOL)
        honor = ctx.settings.honor_tool_suppressions
        argv = [*ctx.tools.command(TOOL), *zizmor_args(honor_ignores=honor)]
        env = {key: value for key, value in os.environ.items() if key not in HIDDEN_ENV}
        limit = asyncio.Semaphore(ctx.tools.parallelism)
        findings: list[Finding] = []
        with staged(ctx.workspace, paths) as tree:

            async def one(path: str) -> list[Finding]:
                async with limit:
                    output = await run_process(
                        TOOL,
                        [*argv, "--", f"./{path}"],
                        cwd=tree,
                        ok_codes=(0, NOT_AUDITED),
                        env=env,
                    )
                return _findings(output, path, tree, self.name)

            async with tool_group() as group:
                tasks = [group.create_task(one(path)) for path in paths]
            for task in tasks:
                findings.extend(task.result())
        findings = pwn_triggers(
            with_rules(scan_workflow, findings, ctx.workspace, paths, self.name)
        )
        return AgentOutput(
            findings=findings,
            skipped=skipped,
            summary=f"zizmor (offline) on {files_phrase(len(paths))}",
        )


def pwn_triggers(findings: list[Finding]) -> list[Finding]:
    """zizmor's `dangerous-triggers` raised to CRITICAL in a workflow where a job checks out
    the pull request's code (baton's pwn-request rule): a change that only edits the trigger
    line makes that workflow exploitable, and its added line must carry the CRITICAL."""
    pwned = {f.path: f for f in findings if f.rule_id == PWN_REQUEST.id}
    raised = []
    for finding in findings:
        checkout = pwned.get(finding.path)
        if finding.rule_id != "dangerous-triggers" or checkout is None:
            raised.append(finding)
            continue
        note = f" A job checks out the pull request's code (line {checkout.line}): a pwn request."
        update = {
            "severity": Severity.CRITICAL,
            "original_severity": finding.severity,
            "message": finding.message + note,
        }
        raised.append(finding.model_copy(update=update))
    return raised


def _findings(output: ToolOutput, path: str, tree: Path, agent: str) -> list[Finding]:
    if output.returncode == NOT_AUDITED:
        if "no inputs collected" not in output.stderr:
            raise AgentError(f"zizmor exited with {NOT_AUDITED}: {_last_line(output.stderr)}")
        return [_unauditable(path, output.stderr, agent)]
    data = load_json(TOOL, output.stdout)
    expect(isinstance(data, list), TOOL, "a JSON array")
    with output_shape(TOOL):
        return [_finding(item, tree, agent) for item in data]


def _finding(item: dict[str, Any], tree: Path, agent: str) -> Finding:
    expect("ident" in item, TOOL, "a finding without ident")
    locations: Any = item.get("locations")
    expect(isinstance(locations, list) and bool(locations), TOOL, "a finding without location")
    primary = next(
        (place for place in locations if place.get("symbolic", {}).get("kind") == "Primary"),
        locations[0],
    )
    key = primary["symbolic"]["key"]
    expect(isinstance(key, dict) and "Local" in key, TOOL, "a finding outside local files")
    span = primary["concrete"]["location"]
    start = int(span["start_point"]["row"]) + 1
    end = int(span["end_point"]["row"]) + 1
    audit = str(item["ident"])
    determinations = item.get("determinations") or {}
    severity = str(determinations.get("severity", "unknown"))
    confidence = str(determinations.get("confidence", "unknown"))
    description = str(item.get("desc") or audit)
    annotation = str(primary["symbolic"].get("annotation") or "").strip()
    return Finding(
        agent=agent,
        rule_id=audit,
        rule_url=item.get("url"),
        severity=severity_for(audit, severity, confidence),
        confidence=_CONFIDENCES.get(confidence.lower(), Confidence.LOW),
        path=repo_relative(str(key["Local"]["verbatim_path"]), tree),
        line=start,
        end_line=max(end, start),
        title=description[:120],
        message=f"{description}: {annotation}" if annotation else description,
        recommendation=_RECOMMENDATIONS.get(audit),
    )


def _unauditable(path: str, stderr: str, agent: str) -> Finding:
    """The file zizmor could not read, with its own words on why (from its warning)."""
    warnings = [line for line in stderr.splitlines() if "WARN" in line and "failed to" in line]
    reason = warnings[0][warnings[0].index("failed to") :].strip() if warnings else "unreadable"
    broken = any("failed to parse" in line for line in warnings)
    kind = "its YAML does not parse" if broken else "it does not match zizmor's schema"
    return Finding(
        agent=agent,
        rule_id=UNAUDITABLE,
        severity=Severity.HIGH if broken else Severity.MEDIUM,
        confidence=Confidence.HIGH if broken else Confidence.MEDIUM,
        path=path,
        title=f"zizmor cannot audit this file: {kind}",
        message=f"zizmor skipped this file, so none of its checks ran here: {reason}",
        recommendation="Fix the file so that GitHub (and zizmor) can read it.",
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no output"
