"""The security agent with the real bandit and detect-secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baton.agents.builtin.security import SecurityAgent
from baton.errors import AgentError
from baton.findings.model import Severity
from tests.agents.builtin.agent_harness import new_file, run_agent

AWS_KEY = "AKIAZ3MHQX7TQ2VJ5K4P"
PASSWORD = "correct-horse-battery-staple"


def test_injection_secrets_and_masking(tmp_path: Path) -> None:
    code = new_file(
        tmp_path,
        "app/run.py",
        "import subprocess\n\n\n"
        "def run(user_input: str) -> None:\n"
        "    subprocess.Popen(user_input, shell=True)\n\n\n"
        f'DB_PASSWORD = "{PASSWORD}"\n',
    )
    config = new_file(tmp_path, "deploy/env.yaml", f"aws_access_key_id: {AWS_KEY}\n")

    output = run_agent(SecurityAgent(), tmp_path, [code, config])

    by_rule = {(f.rule_id, f.path, f.line): f for f in output.findings}
    shell = by_rule[("B602", "app/run.py", 5)]
    assert shell.severity is Severity.CRITICAL
    assert shell.cwe == 78
    aws = by_rule[("secret-aws-access-key", "deploy/env.yaml", 1)]
    assert aws.severity is Severity.CRITICAL
    password = by_rule[("B105", "app/run.py", 8)]
    dumped = json.dumps([f.model_dump() for f in output.findings])
    assert PASSWORD not in dumped and AWS_KEY not in dumped
    assert "corr********" in password.message
    assert output.summary == "bandit + detect-secrets on 2 files"


def test_non_python_files_get_only_secret_scanning(tmp_path: Path) -> None:
    readme = new_file(tmp_path, "README.md", "Run `eval(input())` for fun.\n")
    output = run_agent(SecurityAgent(), tmp_path, [readme])
    assert output.findings == []
    assert output.summary == "detect-secrets on 1 file"


def test_unparseable_python_is_listed_not_fatal(tmp_path: Path) -> None:
    broken = new_file(tmp_path, "broken.py", "def f(:\n    pass\n")
    output = run_agent(SecurityAgent(), tmp_path, [broken])
    assert [(s.path, s.reason.split(":")[0]) for s in output.skipped] == [("broken.py", "bandit")]


def test_garbage_from_the_tool_fails_the_agent(tmp_path: Path) -> None:
    fake = tmp_path / "fake-bandit"
    fake.write_text("#!/bin/sh\necho 'No CRITICAL issues found'\n")
    fake.chmod(0o755)
    code = new_file(tmp_path, "a.py", "x = 1\n")
    with pytest.raises(AgentError, match="bandit output is not JSON"):
        run_agent(SecurityAgent(), tmp_path, [code], tools={"bandit": str(fake)})


def test_a_trailing_comment_cannot_hide_a_live_key(tmp_path: Path) -> None:
    """detect-secrets' indirect-reference heuristic would drop this line; baton turns it off."""
    code = new_file(tmp_path, "keys.py", f'KEY = "{AWS_KEY}"  # note: see docs[1]\n')
    output = run_agent(SecurityAgent(), tmp_path, [code])
    assert [(f.rule_id, f.line) for f in output.findings] == [("secret-aws-access-key", 1)]
