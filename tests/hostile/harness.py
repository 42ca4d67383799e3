"""Running one hostile change through the real `baton review` and checking every channel.

A `Case` says how to build the repository (base commit on `main`, head commit on `feature`,
optionally uncommitted edits or another checked-out ref), how to call baton (flags, env,
stdin, a `--diff` file, a scripted fake model, a GitHub pull request) and what must hold
afterwards: the exit code, secrets absent from every channel, findings present or absent in
the JSON report, marker files that must not exist.

Channels: stdout, stderr, the four reports (`--json --sarif --codequality --markdown`, written
to `tmp/out/`, outside the repository, unless the case leaves them where a CI job writes them,
`repo/.baton/`), anything under `repo/.baton/`, and for a GitHub job the step summary, the
step outputs and every request body the fake GitHub received.

`{tmp}` in args, text file contents, symlink targets and diff texts is replaced by the test's
`tmp_path`. Files whose name ends in `.sh` are written executable. Every run sets
`BATON_RETRY_BACKOFF=0.1` so that a crashing tool costs little time.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import Reply, Turn
from tests.fakes.baton_cli import run_baton
from tests.fakes.github_api import FakeGitHub
from tests.fakes.repos import GIT_ENV, GitRepo

KEY = "AKIAZ3MHQX7TQ2VJ5K4P"
"""An AWS access key id: detect-secrets `secret-aws-access-key`, CRITICAL."""

GIT_DIFF = "<git diff main, run in the repository>"
"""`Case.diff`: the output of `git diff main` in the built repository."""

Files = Mapping[str | bytes, str | bytes | None]
"""Path (bytes for names that are not UTF-8) → content (None: delete from the work tree)."""

Finding = Mapping[str, object]
"""A partial finding: every key given must equal the JSON report finding's."""

QUICK_RERUNS = {"BATON_RETRY_BACKOFF": "0.1"}
"""Every run: a failed agent's reruns wait 0.1 s, not 2 s then 4 s."""
FAST = {"BATON_API_MAX_RETRIES": "1"}
NO_REVISIONS = Reply.structured({"revisions": [], "summary": "Nothing to revise."})
CLAUDE_AGENTS = {"claude-security", "claude-quality", "claude-coverage"}
BUILTIN_AGENTS = {"security", "quality", "coverage"}
PULL_REPO = "acme/app"
REPORTS = {
    "--json": "report.json",
    "--sarif": "report.sarif",
    "--codequality": "codequality.json",
    "--markdown": "comment.md",
}


@dataclass(frozen=True)
class Case:
    name: str
    why: str
    head: Files = field(default_factory=dict)
    exit: int = 1
    # The repository.
    base: Files = field(default_factory=dict)
    config: str | None = None
    deleted: tuple[str, ...] = ()
    links: Mapping[str, str] = field(default_factory=dict)
    message: str = "feature"
    checkout: str | None = None
    worktree: Files = field(default_factory=dict)
    tmp_files: Files = field(default_factory=dict)
    # The run.
    args: tuple[str, ...] = ("--base", "main")
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str = ""
    diff: str | None = None
    stdin: bytes | Literal["diff"] | None = None
    model: tuple[Turn, ...] = ()
    synthesizer: tuple[Turn, ...] = ()
    pull: tuple[str, str] | None = None
    reports_in_checkout: bool = False
    # What must hold.
    secrets: tuple[str, ...] = (KEY,)
    has: tuple[Finding, ...] = ()
    lacks: tuple[Finding, ...] = ()
    suppressed: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    check: Callable[[Outcome], list[str]] | None = None


@dataclass(frozen=True)
class Outcome:
    code: int
    channels: dict[str, str]
    report: dict[str, Any] | None
    tmp: Path

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list((self.report or {}).get("findings", []))


def run_case(case: Case, tmp: Path, request: pytest.FixtureRequest) -> Outcome:
    """Build the case's repository, run baton as the case says, and gather every channel."""
    repo = build(case, tmp)
    out = tmp / "out"
    out.mkdir()
    env: dict[str, str] = {**QUICK_RERUNS, **case.env}
    stdin = case.stdin if isinstance(case.stdin, bytes) else None
    if case.diff is not None:
        text = git_diff(repo) if case.diff == GIT_DIFF else _sub(case.diff, tmp).encode()
        (tmp / "change.patch").write_bytes(text)
        if case.stdin == "diff":
            stdin = text
    if case.model:
        api: FakeAnthropic = request.getfixturevalue("fake_anthropic")
        api.script_default(list(case.model))
        api.script("synthesizer", list(case.synthesizer or (NO_REVISIONS,) * 3))
        env |= api.env() | FAST
    github: FakeGitHub | None = None
    if case.pull is not None:
        github = request.getfixturevalue("fake_github")
        env |= pull_request_job(repo, github, tmp, *case.pull)
    args = [_sub(arg, tmp) for arg in case.args]
    for flag, name in REPORTS.items():
        if not case.reports_in_checkout:
            args += [flag, str(out / name)]
    done = run_baton("review", *args, cwd=repo.path / case.cwd, env=env, stdin=stdin, timeout=300)
    channels = {"stdout": done.stdout, "stderr": done.stderr}
    for path in [*sorted(out.iterdir()), *sorted((repo.path / ".baton").glob("**/*"))]:
        if path.is_file():
            channels[str(path.relative_to(tmp))] = _read(path)
    if github is not None:
        for path in (tmp / "step_summary.md", tmp / "github_output"):
            channels[path.name] = _read(path) if path.exists() else ""
        for number, sent in enumerate(github.requests()):
            body = sent.body if isinstance(sent.body, str) else json.dumps(sent.body)
            channels[f"github request {number} {sent.method} {sent.path}"] = body
    report_file = out / REPORTS["--json"]
    if case.reports_in_checkout:
        report_file = repo.path / ".baton" / "report.json"
    report = json.loads(report_file.read_text()) if report_file.is_file() else None
    return Outcome(done.code, channels, report, tmp)


def problems(case: Case, outcome: Outcome) -> list[str]:
    """Everything about `outcome` that breaks `case`'s expectations (empty: it holds)."""
    found: list[str] = []
    if outcome.code != case.exit:
        found.append(f"exit code {outcome.code}, expected {case.exit}")
    for secret in case.secrets:
        found += [
            f"{secret!r} is in {name}" for name, text in outcome.channels.items() if secret in text
        ]
    for name in case.absent:
        if (outcome.tmp / name).exists():
            found.append(f"{name} exists: something ran that must not")
    wants_report = case.has or case.lacks or case.suppressed or case.model
    if wants_report and outcome.report is None:
        return [*found, "no JSON report was written"]
    findings = outcome.findings
    found += [f"no finding {dict(w)}" for w in case.has if not any(_match(f, w) for f in findings)]
    found += [
        f"unexpected finding {f['agent']} {f['rule_id']} {f['path']}:{f['line']}"
        for w in case.lacks
        for f in findings
        if _match(f, w)
    ]
    silenced = {s["finding"]["rule_id"] for s in (outcome.report or {}).get("suppressed", [])}
    found += [f"{rule} is not in `suppressed`" for rule in case.suppressed if rule not in silenced]
    if case.model:
        found += _claude_beside_builtin(outcome)
    if case.pull is not None and case.exit != 2:  # a usage error stops before posting
        found += _published(outcome)
    if case.check is not None:
        found += case.check(outcome)
    return found


def _published(outcome: Outcome) -> list[str]:
    """A GitHub job's review reached the pull request and the step summary (so the secrets
    check looked at real traffic)."""
    posted = any(" POST " in name and "/comments" in name for name in outcome.channels)
    summary = bool(outcome.channels.get("step_summary.md"))
    return [] if posted and summary else ["the review was not posted to GitHub and the summary"]


def _claude_beside_builtin(outcome: Outcome) -> list[str]:
    agents = {a["name"]: a.get("engine") for a in (outcome.report or {}).get("agents", [])}
    wrong = [name for name in CLAUDE_AGENTS if agents.get(name) != "claude"]
    wrong += [name for name in BUILTIN_AGENTS if agents.get(name) != "builtin"]
    if not wrong:
        return []
    return [
        f"agents {agents}: want builtin {sorted(BUILTIN_AGENTS)}, claude {sorted(CLAUDE_AGENTS)}"
    ]


def _match(finding: Mapping[str, Any], want: Finding) -> bool:
    return all(finding.get(key) == value for key, value in want.items())


def build(case: Case, tmp: Path) -> GitRepo:
    repo = GitRepo(tmp / "repo")
    write(repo.path, {"app/__init__.py": "", **case.base}, tmp)
    if case.config is not None:
        write(repo.path, {".baton.toml": case.config}, tmp)
    repo.commit("base")
    repo.branch("feature")
    write(repo.path, case.head, tmp)
    for path in case.deleted:
        repo.remove(path)
    for link, target in case.links.items():
        (repo.path / link).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(_sub(target, tmp), repo.path / link)
    repo.commit(case.message)
    if case.checkout is not None:
        repo.checkout(case.checkout)
    write(repo.path, case.worktree, tmp)
    write(tmp, case.tmp_files, tmp)
    return repo


def write(root: Path, files: Files, tmp: Path) -> None:
    for name, content in files.items():
        target = os.path.join(os.fsencode(root), name if isinstance(name, bytes) else name.encode())
        if content is None:
            os.remove(target)
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(_sub(content, tmp).encode() if isinstance(content, str) else content)
        if target.endswith(b".sh"):
            os.chmod(target, 0o755)


def git_diff(repo: GitRepo) -> bytes:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(
        ["git", "diff", "main"], cwd=repo.path, env=env, capture_output=True, check=True
    ).stdout


def pull_request_job(
    repo: GitRepo, fake: FakeGitHub, tmp: Path, title: str, body: str
) -> dict[str, str]:
    """Pull request #7 from `feature` into `main` on the fake GitHub, with this title and
    body; the environment of a GitHub Actions `pull_request` job reviewing it."""
    base, head = repo.git("rev-parse", "main"), repo.git("rev-parse", "feature")
    diff = repo.git("diff", "--find-renames", f"{base}...{head}") + "\n"
    fake.add_pull(PULL_REPO, 7, diff=diff, head_sha=head, base_sha=base, title=title, body=body)
    pull = {
        "number": 7,
        "title": title,
        "body": body,
        "draft": False,
        "base": {"sha": base, "ref": "main", "repo": {"full_name": PULL_REPO}},
        "head": {"sha": head, "ref": "feature", "repo": {"full_name": PULL_REPO}},
    }
    (tmp / "event.json").write_text(json.dumps({"action": "opened", "pull_request": pull}))
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": PULL_REPO,
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(tmp / "event.json"),
        "GITHUB_API_URL": fake.url,
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_SHA": "0" * 40,
        "GITHUB_OUTPUT": str(tmp / "github_output"),
        "GITHUB_STEP_SUMMARY": str(tmp / "step_summary.md"),
        "INPUT_GITHUB_TOKEN": FakeGitHub.ACTIONS_TOKEN,
    }


def _sub(text: str, tmp: Path) -> str:
    return text.replace("{tmp}", str(tmp))


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "replace")
