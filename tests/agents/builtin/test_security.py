"""The security agent with the real bandit and detect-secrets."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from baton.agents.base import AgentContext, AgentOutput
from baton.agents.builtin.security import SecurityAgent
from baton.agents.tools import ToolRunner
from baton.change.parse import parse_diff
from baton.change.scope import select_files
from baton.change.source import git_diff
from baton.errors import AgentError
from baton.findings.model import Severity
from baton.redact import stub
from baton.settings import Settings
from tests.agents.builtin.agent_harness import new_file, run_agent, workspace_of
from tests.fakes.repos import GitRepo

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
    assert password.message == f"Possible hardcoded password: '{stub(PASSWORD)}'"
    assert PASSWORD in output.secrets and AWS_KEY in output.secrets  # for the redactor
    assert output.summary == "bandit + baton-patterns + detect-secrets on 2 files"


def test_non_python_files_get_only_secret_scanning(tmp_path: Path) -> None:
    readme = new_file(tmp_path, "README.md", "Run `eval(input())` for fun.\n")
    output = run_agent(SecurityAgent(), tmp_path, [readme])
    assert output.findings == []
    assert output.summary == "detect-secrets on 1 file"


def test_unparseable_python_is_listed_not_fatal(tmp_path: Path) -> None:
    broken = new_file(tmp_path, "broken.py", "def f(:\n    pass\n")
    output = run_agent(SecurityAgent(), tmp_path, [broken])
    assert [(s.path, s.reason.split(":")[0]) for s in output.skipped] == [("broken.py", "bandit")]


def test_garbage_from_one_tool_fails_the_agent_but_keeps_the_others_findings(
    tmp_path: Path,
) -> None:
    fake = tmp_path / "fake-bandit"
    fake.write_text("#!/bin/sh\necho 'No CRITICAL issues found'\n")
    fake.chmod(0o755)
    code = new_file(tmp_path / "repo", "a.py", f'KEY = "{AWS_KEY}"\n')
    output = run_agent(SecurityAgent(), tmp_path / "repo", [code], tools={"bandit": str(fake)})
    assert output.failure is not None and output.failure.startswith("bandit output is not JSON")
    assert output.retryable
    assert [f.rule_id for f in output.findings] == ["secret-aws-access-key"]


def test_a_missing_tool_is_not_worth_a_rerun_and_its_sibling_still_counts(
    tmp_path: Path,
) -> None:
    code = new_file(tmp_path / "repo", "a.py", f'KEY = "{AWS_KEY}"\n')
    output = run_agent(
        SecurityAgent(), tmp_path / "repo", [code], tools={"bandit": str(tmp_path / "none")}
    )
    assert output.failure == (
        f"bandit not found at {tmp_path / 'none'} (from the tools setting) "
        "(baton-patterns, detect-secrets finished; their findings count)"
    )
    assert not output.retryable
    assert [f.rule_id for f in output.findings] == ["secret-aws-access-key"]


def test_both_tools_failing_fails_the_agent(tmp_path: Path) -> None:
    code = new_file(tmp_path / "repo", "a.py", "x = 1\n")
    missing = {
        "bandit": str(tmp_path / "none"),
        "detect-secrets": str(tmp_path / "none"),
        "baton-patterns": str(tmp_path / "none"),
    }
    with pytest.raises(AgentError, match="bandit not found"):
        run_agent(SecurityAgent(), tmp_path / "repo", [code], tools=missing)


def test_a_trailing_comment_cannot_hide_a_live_key(tmp_path: Path) -> None:
    """detect-secrets' indirect-reference heuristic would drop this line; baton turns it off."""
    code = new_file(tmp_path, "keys.py", f'KEY = "{AWS_KEY}"  # note: see docs[1]\n')
    output = run_agent(SecurityAgent(), tmp_path, [code])
    assert [(f.rule_id, f.line) for f in output.findings] == [("secret-aws-access-key", 1)]


def git_review(repo: GitRepo, base: str) -> AgentOutput:
    """The security agent over the repository's change since `base`, as a review runs it:
    reviewed files and the files skipped for their kind, from the head commit."""
    raw, base_sha, head_sha = git_diff(repo.path, base)
    change = parse_diff(raw, root=str(repo.path), base=base_sha, head=head_sha)
    workspace = workspace_of(change, repo.path.parent / "workspace")
    scope = select_files(change, workspace, exclude=(), max_file_bytes=1_000_000)
    ctx = AgentContext(
        change=change,
        files=tuple(scope.selected),
        settings=Settings(),
        tools=ToolRunner({}),
        workspace=workspace,
        secrets_only=tuple(scope.secrets_only),
    )
    return asyncio.run(SecurityAgent().run(ctx))


def test_a_binary_file_reports_only_keys_its_base_did_not_hold(repo: GitRepo) -> None:
    old_key = "AKIAQ4W7ZT2XPLM3NB6C"
    repo.write("blob.bin", b"\x00\x01" + f"id={old_key}\n".encode())
    base = repo.commit("base")
    repo.write("blob.bin", b"\x00\x01" + f"id={old_key}\nnew={AWS_KEY}\n".encode())
    repo.write("fresh.dat", b"\x00" + f'password = "{PASSWORD}"\naws={AWS_KEY}\n'.encode())
    repo.commit("keys in binaries")

    output = git_review(repo, base)

    found = sorted((f.path, f.rule_id, f.line) for f in output.findings)
    assert found == [
        ("blob.bin", "secret-aws-access-key", None),
        ("fresh.dat", "secret-aws-access-key", None),
    ]
    assert all("binary file" in f.message for f in output.findings)


def test_a_private_key_finding_spans_its_whole_block(repo: GitRepo) -> None:
    body = [f"{'AbCd' * 15}{i:04d}" for i in range(12)]
    key = ["-----BEGIN RSA PRIVATE KEY-----", *body, "-----END RSA PRIVATE KEY-----"]
    repo.write("deploy/id_rsa", "# deploy key\n" + "\n".join(key) + "\n")
    base = repo.commit("base")
    rotated = [*key[:8], "Zz" * 32, *key[9:]]
    repo.write("deploy/id_rsa", "# deploy key\n" + "\n".join(rotated) + "\n")
    repo.commit("rotate the key")

    [finding] = git_review(repo, base).findings

    assert (finding.rule_id, finding.line, finding.end_line) == ("secret-private-key", 2, 15)


def test_an_allowlist_pragma_counts_only_where_the_configuration_says_so(tmp_path: Path) -> None:
    code = new_file(tmp_path, "keys.py", f'KEY = "{AWS_KEY}"  # pragma: allowlist secret\n')
    output = run_agent(SecurityAgent(), tmp_path, [code])
    assert [f.rule_id for f in output.findings] == ["secret-aws-access-key"]
    honored = run_agent(
        SecurityAgent(), tmp_path, [code], settings=Settings(honor_tool_suppressions=True)
    )
    assert honored.findings == []


def test_nosec_counts_only_where_the_configuration_says_so(tmp_path: Path) -> None:
    code = new_file(tmp_path, "run.py", "import os\nos.system(input())  # nosec\n")
    output = run_agent(SecurityAgent(), tmp_path, [code])
    assert [f.rule_id for f in output.findings] == ["B605"]
    honored = run_agent(
        SecurityAgent(), tmp_path, [code], settings=Settings(honor_tool_suppressions=True)
    )
    assert honored.findings == []


def test_a_file_bandits_trusted_config_excludes_is_listed_not_dropped(tmp_path: Path) -> None:
    code = new_file(tmp_path, "tests/run_tests.py", "import os\nos.system(input())\n")
    output = run_agent(
        SecurityAgent(),
        tmp_path,
        [code],
        tool_configs={"pyproject.toml": '[tool.bandit]\nexclude_dirs = ["tests"]\n'},
    )
    assert output.findings == []
    assert [(s.path, s.reason) for s in output.skipped] == [
        ("tests/run_tests.py", "bandit: excluded by the repository's bandit config")
    ]


@pytest.mark.parametrize(
    "name",
    ["-x.py", "--skip=B602.py", "--exclude-files=.*.py", "@args.py", " lead.py", "a\nb.py"],
)
def test_bandit_and_detect_secrets_read_a_hostile_name_as_a_file(tmp_path: Path, name: str) -> None:
    code = new_file(tmp_path, name, f'import os\nos.system(input())\nKEY = "{AWS_KEY}"\n')
    output = run_agent(SecurityAgent(), tmp_path, [code])
    assert sorted((f.path, f.rule_id) for f in output.findings) == [
        (name, "B605"),
        (name, "secret-aws-access-key"),
    ]


def test_baton_rules_report_what_bandit_misses_and_merge_where_both_see_it(
    tmp_path: Path,
) -> None:
    code = new_file(
        tmp_path / "repo",
        "svc/client.py",
        "import ssl\n"
        "import urllib3\n"
        "from yaml import load, Loader\n\n"
        "pool = urllib3.PoolManager(cert_reqs='CERT_NONE')\n"
        "ctx = ssl.create_default_context()\n"
        "ctx.check_hostname = False\n\n\n"
        "def read(text):\n"
        "    return load(text, Loader=Loader)\n",
    )
    output = run_agent(SecurityAgent(), tmp_path / "repo", [code])
    found = {
        (f.rule_id, f.line, f.severity) for f in output.findings if f.rule_id.startswith("BTN")
    }
    assert found == {
        ("BTN101", 5, Severity.HIGH),
        ("BTN102", 7, Severity.HIGH),
        ("BTN201", 11, Severity.HIGH),
    }
    assert output.failure is None
