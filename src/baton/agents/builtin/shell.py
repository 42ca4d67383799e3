"""The built-in `shell` agent: shellcheck over changed shell scripts.

A file is a shell script by its extension (`.sh`, `.bash`, `.dash`, `.ksh`, `.mksh`,
`.bats`), its name (`.bashrc`, `.profile`, …) or, without an extension, by a shebang on
line 1 naming sh, bash, dash, ksh (mksh, ksh93, …), ash, busybox or bats (`#!/bin/sh`,
`#!/usr/bin/env bash`, `#!/bin/bash -e`). A script whose shebang names another interpreter
(zsh, fish, python …) is listed as skipped: shellcheck does not check those.

shellcheck runs with `--norc` (no `.shellcheckrc`, the change's own included) and, unless the
script has a `# shellcheck shell=` directive, `--shell` from its shebang or else its
extension. SC1090/SC1091 (shellcheck could not follow a `source`d file) are left out: they
describe shellcheck's reach, not the script. `# shellcheck disable=…` directives are
neutralised in the copy shellcheck reads (the word `shellcheck` becomes dashes, so lines
and columns stay put; the directive's other keys, such as `shell=`, go with it) unless
`honor_tool_suppressions` says otherwise. shellcheck has no `disable-next-line` directive:
it reports one as unknown itself (SC1107). Files larger than `ci_common.MAX_TOOL_BYTES` are
skipped with the reason (shellcheck's analysis grows faster than their size).

Severity map (documented in README): `error` → HIGH (parse errors and definite run-time
failures), `warning` → MEDIUM, `info` → LOW, `style` → INFO.

baton's own rules for shell scripts run beside shellcheck (`ci_rules`); a rule stays silent on a
line where shellcheck reports the same problem.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from baton.agents.base import AgentContext, AgentOutput
from baton.agents.builtin.ci_common import (
    SHELLCHECK_LEVELS,
    neutralise,
    output_shape,
    reviewable,
    shellcheck_url,
    staged,
)
from baton.agents.builtin.ci_rules import scan_shell, with_rules
from baton.agents.builtin.common import expect, files_phrase, load_json, repo_relative
from baton.agents.tools import ToolRunner
from baton.change.model import ChangedFile, SkippedFile
from baton.change.workspace import Workspace
from baton.findings.model import Confidence, Finding, Severity

TOOL = "shellcheck"
BATS = "bats"
"""shellcheck recognises bats files by shebang or extension; `--shell` has no such dialect."""
INTERPRETERS: dict[str, str] = {
    "sh": "sh",
    "bash": "bash",
    "dash": "dash",
    "ash": "busybox",
    "busybox": "busybox",
    "ksh": "ksh",
    "ksh88": "ksh",
    "ksh93": "ksh",
    "mksh": "ksh",
    "pdksh": "ksh",
    "oksh": "ksh",
    "bats": BATS,
}
"""Shebang interpreter → shellcheck's `--shell` dialect."""
SUFFIXES = {
    ".sh": "sh",
    ".bash": "bash",
    ".dash": "dash",
    ".ksh": "ksh",
    ".mksh": "ksh",
    ".bats": BATS,
}
NAMES = {
    ".bashrc": "bash",
    ".bash_profile": "bash",
    ".bash_login": "bash",
    ".bash_logout": "bash",
    ".bash_aliases": "bash",
    ".profile": "sh",
    ".kshrc": "ksh",
}
EXCLUDED = ("SC1090", "SC1091")
REFUSED = frozenset({"SC1071", "SC1103"})
"""shellcheck's "only supports sh/bash/dash/ksh" and "this shell type is unknown": the file
is in a dialect it does not check (a `# shellcheck shell=zsh` directive)."""

DISABLE = re.compile(r"#[ \t]*(?P<keyword>shellcheck)[ \t]+(?:\S+[ \t]+)*?disable=", re.I)
SHELL_DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*shellcheck[ \t]+(?:\S+[ \t]+)*?shell=", re.M)
SUPPORTED = "shellcheck checks sh, bash, dash, ksh and busybox sh"


@dataclass(frozen=True)
class Plan:
    """How one file is checked: shellcheck's `--shell` (None: let it decide) or why not."""

    shell: str | None = None
    skip: str | None = None


def interpreter(first_line: str) -> str | None:
    """The program a shebang line names (`env`'s target), or None without a shebang."""
    if not first_line.startswith("#!"):
        return None
    try:
        words = shlex.split(first_line[2:])
    except ValueError:
        words = first_line[2:].split()
    if not words:
        return None
    name = PurePosixPath(words[0]).name
    if name == "env":
        rest = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
        name = PurePosixPath(rest[0]).name if rest else "env"
    elif name == "busybox" and words[1:2] == ["sh"]:
        return "busybox"
    return name


def plan_for(path: str, text: str) -> Plan:
    """The dialect of `text` (what shellcheck will read) at `path`."""
    if SHELL_DIRECTIVE.search(text) is not None:
        return Plan()
    named = interpreter(text.split("\n", 1)[0].removesuffix("\r"))
    if named is not None:
        if named not in INTERPRETERS:
            return Plan(skip=f"a {named} script: {SUPPORTED}")
        dialect = INTERPRETERS[named]
    else:
        posix = PurePosixPath(path)
        found = NAMES.get(posix.name) or SUFFIXES.get(posix.suffix.lower())
        if found is None:
            return Plan(skip="not a shell script (no shebang)")
        dialect = found
    return Plan(shell=None if dialect == BATS else dialect)


def is_shell_script(file: ChangedFile) -> str | None:
    """None when the file is (or may be, line 1 unseen) a shell script, else why not."""
    posix = PurePosixPath(file.path)
    if posix.suffix.lower() in SUFFIXES or posix.name in NAMES:
        return None
    if posix.suffix:
        return "not a shell script"
    first = file.lines.get(1)
    if first is None:
        return None
    return None if interpreter(first) in INTERPRETERS else "not a shell script"


def without_disables(text: str) -> str:
    return neutralise(DISABLE, text)


class ShellAgent:
    engine = "builtin"
    keeps_outside_findings = False
    fails_open = False
    scans_skipped_files = False
    name = "shell"
    description = "Bugs in shell scripts (shellcheck)."

    def accepts(self, file: ChangedFile) -> str | None:
        return is_shell_script(file)

    async def run(self, ctx: AgentContext) -> AgentOutput:
        honor = ctx.settings.honor_tool_suppressions
        paths, skipped = reviewable(ctx.workspace, [f.path for f in ctx.files], TOOL)
        groups: dict[str | None, list[str]] = {}
        for path in paths:
            text = (ctx.workspace.text / path).read_text("utf-8", "replace")
            plan = plan_for(path, text if honor else without_disables(text))
            if plan.skip is not None:
                skipped.append(SkippedFile(path=path, reason=f"{TOOL}: {plan.skip}"))
            else:
                groups.setdefault(plan.shell, []).append(path)
        checked = [path for group in groups.values() for path in group]
        findings, unsupported = await scan(ctx.tools, ctx.workspace, groups, self.name, honor=honor)
        skipped.extend(unsupported)
        findings = with_rules(scan_shell, findings, ctx.workspace, checked, self.name, unsupported)
        count = len(checked) - len(unsupported)
        return AgentOutput(
            findings=findings, skipped=skipped, summary=f"shellcheck on {files_phrase(count)}"
        )


def shellcheck_args(shell: str | None) -> list[str]:
    args = ["--format=json1", "--norc", "--color=never", f"--exclude={','.join(EXCLUDED)}"]
    return [*args, f"--shell={shell}"] if shell is not None else args


async def scan(
    tools: ToolRunner,
    workspace: Workspace,
    groups: dict[str | None, list[str]],
    agent: str,
    *,
    honor: bool,
) -> tuple[list[Finding], list[SkippedFile]]:
    """Findings per file; files shellcheck refused for their dialect are skipped."""
    every = [path for group in groups.values() for path in group]
    comments: list[dict[str, Any]] = []
    with staged(workspace, every, None if honor else without_disables) as tree:
        for shell, paths in groups.items():
            outputs = await tools.run_batched(
                TOOL, shellcheck_args(shell), paths, cwd=tree, ok_codes=(0, 1)
            )
            for output in outputs:
                data = load_json(TOOL, output.stdout)
                expect(isinstance(data, dict), TOOL, "a JSON object")
                found = data.get("comments")
                expect(isinstance(found, list), TOOL, "comments")
                comments.extend(found)
        with output_shape(TOOL):
            findings = [_finding(item, tree, agent) for item in comments]
    refused = {f.path: f.message for f in findings if f.rule_id in REFUSED}
    kept = [f for f in findings if f.path not in refused]
    skipped = [SkippedFile(path=p, reason=f"{TOOL}: {why}") for p, why in refused.items()]
    return kept, skipped


def _finding(item: Any, root: Path, agent: str) -> Finding:
    expect(isinstance(item, dict) and {"code", "line", "file"} <= item.keys(), TOOL, "comment")
    rule = f"SC{item['code']}"
    start = max(int(item["line"]), 1)
    end = max(int(item.get("endLine") or start), start)
    message = str(item.get("message", "")).strip()
    return Finding(
        agent=agent,
        rule_id=rule,
        rule_url=shellcheck_url(rule),
        severity=SHELLCHECK_LEVELS.get(str(item.get("level", "")), Severity.LOW),
        confidence=Confidence.HIGH,
        path=repo_relative(str(item["file"]), root),
        line=start,
        end_line=end,
        title=message[:120] or rule,
        message=message,
    )
