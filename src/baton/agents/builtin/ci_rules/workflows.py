"""The workflow rule (BTN901): a privileged workflow that checks out the pull request's code.

`pull_request_target`, `workflow_run` and `issue_comment` run in the base repository's
context: its secrets and a token that can write. A job of such a workflow that checks out
the pull request (actions/checkout with a `ref:` naming its head or merge commit, or a
`repository:` naming the fork; a `run:` that fetches `pull/N/head`, runs `gh pr checkout` or
applies `gh pr diff`) hands that context to code anyone can propose: the "pwn request". The
finding is on the `ref:` (or `repository:`, or `run:`) line, beside zizmor's
`dangerous-triggers` on the trigger. A job or step whose `if:` admits only the repository's
own branches (`head.repo.full_name == github.repository`, `!…head.repo.fork`) or only
unprivileged events (`github.event_name == 'pull_request'`) is left alone.

The YAML is composed (nodes with their lines), never constructed, with the safe loader.
"""

from __future__ import annotations

import re

import yaml

from baton.agents.builtin.ci_rules.model import Rule
from baton.findings.model import Confidence, Finding, Severity

PWN_REQUEST = Rule(
    "BTN901",
    "pwn-request",
    "Privileged workflow checks out the pull request's code",
    Severity.CRITICAL,
    829,
    "Run the pull request's code in a `pull_request` workflow (no secrets, read-only token); "
    "if a privileged step needs its results, pass them as an artifact that is read as data, "
    "never run.",
    Confidence.HIGH,
)
RULES = (PWN_REQUEST,)

PRIVILEGED = ("pull_request_target", "workflow_run", "issue_comment")
HEAD_REF = re.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref)\b|github\.event\.pull_request\."
    r"merge_commit_sha|github\.head_ref\b|refs/pull/|github\.event\.workflow_run\."
    r"head_(?:sha|branch)\b"
)
HEAD_REPO = re.compile(
    r"github\.event\.pull_request\.head\.repo\.(?:full_name|name|clone_url)"
    r"|github\.event\.workflow_run\.head_repository\.full_name"
)
FETCHES = re.compile(
    r"\bgit\s+fetch\b[^\n]*\bpull/(?:\$\{\{[^}]*\}\}|[^\s/]+)/(?:head|merge)\b"
    r"|\bgh\s+pr\s+checkout\b"
    r"|\bgh\s+pr\s+diff\b[^\n]*\|\s*(?:git\s+(?:apply|am)|patch)\b"
    r"|\bgit\s+(?:checkout|switch|reset|fetch|pull)\b[^\n]*\$\{\{\s*(?:github\.event\."
    r"pull_request\.head\.(?:sha|ref)|github\.head_ref|github\.event\.workflow_run\.head_)"
)
GUARDED = re.compile(
    r"head\.repo\.full_name\s*==\s*github\.repository\b"
    r"|github\.repository\s*==\s*github\.event\.pull_request\.head\.repo\.full_name"
    r"|head\.repo\.fork\s*==\s*false|!\s*github\.event\.pull_request\.head\.repo\.fork\b"
    r"|github\.event_name\s*==\s*'(?:pull_request|push|schedule|workflow_dispatch)'"
)


def scan_workflow(text: str, path: str, *, agent: str = "workflows") -> list[Finding]:
    """Findings of the workflow rule in one workflow; none for YAML that does not compose."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError, ValueError):
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    triggers = [t for t in PRIVILEGED if t in _triggers(_get(root, "on"))]
    jobs = _get(root, "jobs")
    if not triggers or not isinstance(jobs, yaml.MappingNode):
        return []
    lines = text.split("\n")
    found: list[Finding] = []
    for _name, job in jobs.value:
        steps = _get(job, "steps")
        if _guarded(job) or not isinstance(steps, yaml.SequenceNode):
            continue
        for index, step in enumerate(steps.value):
            if not isinstance(step, yaml.MappingNode) or _guarded(step):
                continue
            place = _checkout(step, lines)
            if place is None:
                continue
            line, what = place
            runs_more = index + 1 < len(steps.value)
            message = (
                f"{' and '.join(triggers)} runs with the base repository's secrets and a token "
                f"that can write; this step takes the pull request's code ({what}), so its "
                "build scripts, tests and hooks run with them."
            )
            confidence = Confidence.HIGH if runs_more or what.startswith("run") else None
            found.append(
                PWN_REQUEST.finding(
                    path, line, message, agent=agent, confidence=confidence or Confidence.MEDIUM
                )
            )
    return found


def _checkout(step: yaml.MappingNode, lines: list[str]) -> tuple[int, str] | None:
    """The line where the step takes the pull request's code, and how, or None."""
    uses = _get(step, "uses")
    if isinstance(uses, yaml.ScalarNode) and str(uses.value).lower().startswith("actions/checkout"):
        given = _get(step, "with")
        ref, repository = _get(given, "ref"), _get(given, "repository")
        if isinstance(ref, yaml.ScalarNode) and HEAD_REF.search(str(ref.value)):
            return ref.start_mark.line + 1, f"ref: {ref.value}"
        if isinstance(repository, yaml.ScalarNode) and HEAD_REPO.search(str(repository.value)):
            return repository.start_mark.line + 1, f"repository: {repository.value}"
    run = _get(step, "run")
    if isinstance(run, yaml.ScalarNode):
        match = FETCHES.search(str(run.value))
        if match is not None:
            return _line_in(lines, run, match.group(0)), f"run: {match.group(0)}"
    return None


def _line_in(lines: list[str], node: yaml.Node, needle: str) -> int:
    """The line of `node`'s text holding the start of `needle` (its first line if none)."""
    first = needle.split("\n", 1)[0].split()[:3]
    pattern = re.compile(r"\s+".join(re.escape(word) for word in first))
    for k in range(node.start_mark.line, min(node.end_mark.line + 1, len(lines))):
        if pattern.search(lines[k]):
            return k + 1
    return node.start_mark.line + 1


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for name, value in node.value:
        if isinstance(name, yaml.ScalarNode) and name.value == key:
            return value  # type: ignore[no-any-return]
    return None


def _triggers(node: yaml.Node | None) -> set[str]:
    if isinstance(node, yaml.ScalarNode):
        return {str(node.value)}
    if isinstance(node, yaml.SequenceNode):
        return {str(item.value) for item in node.value if isinstance(item, yaml.ScalarNode)}
    if isinstance(node, yaml.MappingNode):
        return {str(key.value) for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
    return set()


def _guarded(node: yaml.Node) -> bool:
    condition = _get(node, "if")
    return isinstance(condition, yaml.ScalarNode) and bool(GUARDED.search(str(condition.value)))
