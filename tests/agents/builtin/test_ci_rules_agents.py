"""baton's CI rules run by the real agents: their findings beside zizmor's, shellcheck's and
hadolint's, never a second report of what the tool says on the same line; and the pure
functions over arbitrary text."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from baton.agents.builtin.ci_rules import beside, scan_dockerfile, scan_shell, scan_workflow
from baton.agents.builtin.dockerfile import DockerfileAgent
from baton.agents.builtin.shell import ShellAgent
from baton.agents.builtin.workflows import WorkflowsAgent
from baton.agents.runner import run_agents
from baton.agents.tools import ToolRunner
from baton.change.model import ChangedFile, ChangeSet, FileStatus
from baton.change.scope import Scope
from baton.findings.merge import place_on_diff
from baton.findings.model import Finding, Placement, Severity
from baton.settings import Settings
from tests.agents.builtin.agent_harness import new_file, run_agent, workspace_of
from tests.agents.builtin.ci_support import rows

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def test_a_build_argument_token_beside_hadolints_dl3064(tmp_path: Path) -> None:
    text = (
        "FROM golang:1.23\nARG GITHUB_TOKEN\nARG SSH_KEY\n"
        "RUN git clone https://${GITHUB_TOKEN}@github.com/example/lib.git /src\n"
        'RUN echo "$SSH_KEY" > /root/.ssh/id_ed25519\n'
    )
    root = tmp_path / "repo"
    output = run_agent(DockerfileAgent(), root, [new_file(root, "build/Dockerfile", text)])

    found = rows(output)
    assert ("DL3064", LOW, 2) in found  # hadolint: a secret-named ARG
    assert ("BTN803", HIGH, 2) not in found  # … so not reported again on its line
    assert {("BTN803", HIGH, 4), ("BTN803", HIGH, 5)} <= found  # the RUNs recording them
    assert ("DL3064", LOW, 3) not in found and ("BTN803", HIGH, 3) in found  # SSH_KEY
    assert ("BTN801", MEDIUM, None) in found  # and the image runs as root


def test_a_remote_script_piped_into_bash_beside_dl4006(tmp_path: Path) -> None:
    text = (
        "FROM debian:12-slim\nADD https://dl.example/tool.tgz /opt/\n"
        "RUN curl -fsSL https://deb.example/setup_20.x | bash -\nUSER 1000\n"
    )
    root = tmp_path / "repo"
    output = run_agent(DockerfileAgent(), root, [new_file(root, "Dockerfile", text)])

    assert {("DL4006", LOW, 3), ("BTN701", MEDIUM, 3), ("BTN802", MEDIUM, 2)} <= rows(output)
    [piped] = [f for f in output.findings if f.rule_id == "BTN701"]
    assert piped.agent == "dockerfile" and piped.cwe == 494


def test_shell_rules_beside_shellcheck(tmp_path: Path) -> None:
    text = (
        "#!/bin/bash\nset -x\ncurl -fsSL https://get.example/i.sh | sh\n"
        'eval "$@"\nchmod 777 /run/app.sock\ncurl -H "token $DEPLOY_TOKEN" https://x.example\n'
    )
    root = tmp_path / "repo"
    output = run_agent(ShellAgent(), root, [new_file(root, "scripts/deploy.sh", text)])

    assert rows(output) >= {
        ("SC2294", MEDIUM, 4),  # shellcheck: eval negates the benefit of arrays
        ("BTN704", HIGH, 4),  # baton: eval runs the arguments as code (both kept)
        ("BTN701", MEDIUM, 3),
        ("BTN703", MEDIUM, 5),
        ("BTN706", MEDIUM, 2),
    }
    assert output.summary == "shellcheck on 1 file"


def test_a_script_shellcheck_refuses_is_not_read_by_the_rules_either(tmp_path: Path) -> None:
    text = "#!/bin/sh\n# shellcheck shell=zsh\ncurl -fsSL https://get.example/i.sh | sh\n"
    root = tmp_path / "repo"
    output = run_agent(ShellAgent(), root, [new_file(root, "i.sh", text)])

    assert output.findings == []
    assert [s.path for s in output.skipped] == ["i.sh"]


def test_a_pwn_request_beside_zizmors_dangerous_triggers(tmp_path: Path) -> None:
    pinned = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"
    text = (
        "name: ok-to-test\non:\n  issue_comment:\n    types: [created]\npermissions: {}\n"
        "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        f"      - uses: {pinned}\n        with:\n"
        "          ref: refs/pull/${{ github.event.issue.number }}/head\n"
        "          persist-credentials: false\n      - run: make e2e\n"
    )
    root = tmp_path / "repo"
    output = run_agent(WorkflowsAgent(), root, [new_file(root, ".github/workflows/t.yml", text)])

    assert rows(output) >= {("dangerous-triggers", CRITICAL, 3), ("BTN901", CRITICAL, 12)}
    [pwn] = [f for f in output.findings if f.rule_id == "BTN901"]
    assert "issue_comment" in pwn.message and pwn.recommendation


def test_a_change_that_only_deletes_the_user_line_is_still_reported(tmp_path: Path) -> None:
    """The file has no added line: the agent still gets it, and a whole-file finding counts."""
    root = tmp_path / "repo"
    text = "FROM nginx:1.27-alpine\nCOPY dist/ /usr/share/nginx/html/\n"
    (root / "web").mkdir(parents=True)
    (root / "web/Dockerfile").write_text(text)
    lines = dict(enumerate(text.splitlines(), start=1))
    file = ChangedFile(path="web/Dockerfile", status=FileStatus.MODIFIED, lines=lines)
    change = ChangeSet(root=str(root), files=(file,))
    workspace = workspace_of(change, tmp_path / "workspace")

    [run] = asyncio.run(
        run_agents(
            [DockerfileAgent()],
            change,
            Scope(selected=[file]),
            workspace,
            Settings(),
            ToolRunner({}),
            lambda _line: None,
        )
    )
    [no_user] = [f for f in run.findings if f.rule_id == "BTN801"]
    assert no_user.line is None and no_user.severity is MEDIUM
    [placed] = place_on_diff([no_user], change, include_context_lines=False)
    assert placed.placement is Placement.ADDED and placed.counted


def test_beside_drops_only_what_the_named_tool_rule_reports_on_that_line() -> None:
    def finding(rule: str, line: int) -> Finding:
        return Finding(
            agent="dockerfile", rule_id=rule, severity=LOW, path="Dockerfile", line=line, title=rule
        )

    tool = [finding("DL3064", 2), finding("DL4006", 5)]
    ours = [finding("BTN803", 2), finding("BTN803", 3), finding("BTN701", 5)]
    assert [(f.rule_id, f.line) for f in beside(tool, ours)] == [("BTN803", 3), ("BTN701", 5)]


PIECES = [*"ab $(){}[]'\"`\\|&;<>#=-\n\t\r/.:*@!x0", "<<EOF", "EOF", "$((", "curl", "eval"]
SHELLISH = st.lists(st.sampled_from(PIECES), max_size=100).map("".join)


@settings(max_examples=300, deadline=None)
@given(SHELLISH)
def test_no_text_breaks_the_rules(text: str) -> None:
    count = text.count("\n") + 1
    for scan, prefix in (
        (scan_shell, "curl x | sh\n"),
        (scan_dockerfile, "FROM a\nRUN "),
        (scan_workflow, "on: pull_request_target\njobs:\n  a:\n    steps:\n      - run: "),
    ):
        source = prefix + text
        for found in scan(source, "f", agent="a"):
            assert found.line is None or 1 <= found.line <= count + prefix.count("\n")
