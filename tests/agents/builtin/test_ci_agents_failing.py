"""The CI-file agents when their tool is missing or misbehaves: failed, with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.agents.base import Agent, AgentStatus
from baton.agents.builtin.dockerfile import DockerfileAgent
from baton.agents.builtin.shell import ShellAgent
from baton.agents.builtin.workflows import WorkflowsAgent
from baton.errors import AgentError
from baton.settings import Settings
from tests.agents.builtin.agent_harness import new_file, run_agent
from tests.agents.builtin.ci_support import fake_tool, through_runner

AGENTS = [
    pytest.param(
        WorkflowsAgent(),
        "zizmor",
        ".github/workflows/greet.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n",
        "No findings to report. Good job!",
        id="workflows",
    ),
    pytest.param(
        ShellAgent(),
        "shellcheck",
        "run.sh",
        '#!/bin/sh\ntarget="$1"\nrm -rf $target/\n',
        "In run.sh line 3: rm -rf $target/",
        id="shell",
    ),
    pytest.param(
        DockerfileAgent(),
        "hadolint",
        "Dockerfile",
        "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
        "Dockerfile:2 DL3008 warning: Pin versions",
        id="dockerfile",
    ),
]


@pytest.mark.parametrize(("agent", "tool", "path", "text", "garbage"), AGENTS)
def test_a_missing_tool_fails_the_agent_with_the_reason_and_no_rerun(
    tmp_path: Path, agent: Agent, tool: str, path: str, text: str, garbage: str
) -> None:
    root = tmp_path / "repo"
    file = new_file(root, path, text)

    result = through_runner(agent, root, [file], Settings(tools={tool: "/nonexistent"}))

    assert result.status is AgentStatus.FAILED
    assert result.reason == f"{tool} not found at /nonexistent (from the tools setting)"
    assert result.attempts == 1


@pytest.mark.parametrize(("agent", "tool", "path", "text", "garbage"), AGENTS)
def test_output_that_is_not_the_tools_json_fails_the_agent(
    tmp_path: Path, agent: Agent, tool: str, path: str, text: str, garbage: str
) -> None:
    fake = fake_tool(tmp_path / "bin", tool, garbage)
    root = tmp_path / "repo"

    with pytest.raises(AgentError, match=f"{tool} output is not JSON"):
        run_agent(agent, root, [new_file(root, path, text)], tools={tool: fake})
