"""The built-in `dockerfile` agent: hadolint over changed Dockerfiles and Containerfiles.

It reviews `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `*.dockerfile`, `Containerfile` and
`Containerfile.*` (not `*.dockerignore`). hadolint always gets `--config`: the trusted
revision's root `.hadolint.yaml` or `.hadolint.yml` when baton carries one (under the
workspace's `config/`), else an empty configuration of baton's, so a `.hadolint.yaml` the
change adds is never read; it runs in a staged copy holding only the Dockerfiles, with
`--no-fail` and `--format json`. `# hadolint ignore=…` and `# hadolint global ignore=…`
pragmas are ignored (`--disable-ignore-pragma`) unless `honor_tool_suppressions` says
otherwise.

Severity map (documented in README): hadolint `error` → MEDIUM (most break or bloat the build,
not the product at run time), `warning` → LOW, `info` and `style` → INFO; the shellcheck rules
hadolint runs on `RUN` lines (SCxxxx) as in the `shell` agent: `error` → HIGH, `warning` →
MEDIUM, `info` → LOW, `style` → INFO. Exceptions: DL1000 (the Dockerfile does not parse, so
`docker build` fails) → HIGH; DL3002 (the last `USER` is root, so the container runs as
root) → MEDIUM.

baton's own rules for Dockerfiles run beside hadolint (`ci_rules`); a rule stays silent on a
line where hadolint reports the same problem.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from baton.agents.base import AgentContext, AgentOutput
from baton.agents.builtin.ci_common import (
    SHELLCHECK_LEVELS,
    output_shape,
    reviewable,
    shellcheck_url,
    staged,
)
from baton.agents.builtin.ci_rules import scan_dockerfile, with_rules
from baton.agents.builtin.common import expect, files_phrase, load_json, repo_relative
from baton.change.model import ChangedFile
from baton.findings.model import Confidence, Finding, Severity
from baton.tool_config import HADOLINT_FILES

TOOL = "hadolint"
EMPTY_CONFIG = "ignored: []\n"
"""hadolint rejects an empty file; this is the configuration that changes nothing."""
NAMES = ("Dockerfile", "Containerfile")
SUFFIXES = (".dockerfile", ".containerfile")
NOT_DOCKERFILES = (".dockerignore", ".md")

LEVELS = {
    "error": Severity.MEDIUM,
    "warning": Severity.LOW,
    "info": Severity.INFO,
    "style": Severity.INFO,
}
RULE_SEVERITIES = {"DL1000": Severity.HIGH, "DL3002": Severity.MEDIUM}
"""Exceptions to `LEVELS`: a Dockerfile that does not parse; a container running as root."""


def is_dockerfile(path: str) -> bool:
    name = PurePosixPath(path).name
    if name.lower().endswith(NOT_DOCKERFILES):
        return False
    if name in NAMES or name.startswith(tuple(f"{n}." for n in NAMES)):
        return True
    return name.lower().endswith(SUFFIXES)


def severity_for(code: str, level: str) -> Severity:
    if code.startswith("SC"):
        return SHELLCHECK_LEVELS.get(level, Severity.LOW)
    return RULE_SEVERITIES.get(code) or LEVELS.get(level, Severity.LOW)


def rule_url(code: str) -> str:
    if code.startswith("SC"):
        return shellcheck_url(code)
    return f"https://github.com/hadolint/hadolint/wiki/{code}"


def trusted_config(config: Path) -> Path | None:
    """The trusted revision's hadolint configuration (copied to `config`), if any."""
    return next((config / n for n in HADOLINT_FILES if (config / n).is_file()), None)


def hadolint_args(config: Path, *, honor_pragmas: bool) -> list[str]:
    args = ["--config", str(config), "--format", "json", "--no-fail", "--no-color"]
    return args if honor_pragmas else [*args, "--disable-ignore-pragma"]


class DockerfileAgent:
    engine = "builtin"
    keeps_outside_findings = False
    fails_open = False
    scans_skipped_files = False
    name = "dockerfile"
    description = "Dockerfiles and Containerfiles (hadolint, with shellcheck on RUN lines)."

    def accepts(self, file: ChangedFile) -> str | None:
        return None if is_dockerfile(file.path) else "not a Dockerfile"

    async def run(self, ctx: AgentContext) -> AgentOutput:
        paths, skipped = reviewable(ctx.workspace, [f.path for f in ctx.files], TOOL)
        honor = ctx.settings.honor_tool_suppressions
        trusted = trusted_config(ctx.workspace.config)
        findings: list[Finding] = []
        with staged(ctx.workspace, paths) as tree:
            config = trusted
            if config is None:
                config = tree.parent / "hadolint.yaml"
                config.write_text(EMPTY_CONFIG, "utf-8")
            args = hadolint_args(config, honor_pragmas=honor)
            for output in await ctx.tools.run_batched(TOOL, args, paths, cwd=tree):
                data = load_json(TOOL, output.stdout)
                expect(isinstance(data, list), TOOL, "a JSON array")
                with output_shape(TOOL):
                    findings.extend(_finding(item, tree, self.name) for item in data)
        findings = with_rules(scan_dockerfile, findings, ctx.workspace, paths, self.name)
        source = "repository hadolint config" if trusted is not None else "baton's defaults"
        return AgentOutput(
            findings=findings,
            skipped=skipped,
            summary=f"hadolint ({source}) on {files_phrase(len(paths))}",
        )


def _finding(item: Any, root: Path, agent: str) -> Finding:
    expect(isinstance(item, dict) and {"code", "line", "file"} <= item.keys(), TOOL, "result")
    code = str(item["code"])
    message = str(item.get("message", "")).strip()
    return Finding(
        agent=agent,
        rule_id=code,
        rule_url=rule_url(code),
        severity=severity_for(code, str(item.get("level", ""))),
        confidence=Confidence.HIGH,
        path=repo_relative(str(item["file"]), root),
        line=max(int(item["line"]), 1),
        title=message.split("\n")[0][:120] or code,
        message=message,
    )
