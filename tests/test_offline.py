"""No secret leaves the machine: a review with the built-in engine opens no network connection.

`strace -f -e trace=connect` follows baton and every tool it starts (git, bandit, ruff,
baton's detect-secrets scan) and records each `connect()`. A change full of credential
formats that detect-secrets knows how to verify with their issuers (Slack, Stripe, AWS)
would make the scanner call out if verification were on: the first test shows that the
plain `detect-secrets scan` does, so the trace would see it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.fakes.repos import GitRepo

VERIFIABLE = (
    'SLACK = "xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx"\n'
    'STRIPE = "sk_live_abcdefghijklmnopqrstuvwx"\n'
    'AWS_ACCESS_KEY_ID = "AKIAZ3MHQX7TQ2VJ5K4P"\n'
    'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n'
)


def inet_connects(argv: list[str], cwd: Path, log: Path) -> list[str]:
    """The IPv4/IPv6 `connect()` calls `argv` and its children make."""
    subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=connect", "-o", str(log), *argv],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        check=False,
        timeout=180,
    )
    return [line for line in log.read_text().splitlines() if "AF_INET" in line]


def test_the_trace_sees_a_scanner_that_verifies_over_the_network(tmp_path: Path) -> None:
    (tmp_path / "keys.py").write_text(VERIFIABLE)
    scanner = str(Path(sys.executable).parent / "detect-secrets")
    assert inet_connects([scanner, "scan", "keys.py"], tmp_path, tmp_path / "trace") != []


def test_a_review_with_the_built_in_engine_opens_no_connection(repo: GitRepo) -> None:
    repo.pull_request({"README.md": "app\n"}, {"app/keys.py": VERIFIABLE})
    argv = [sys.executable, "-m", "baton", "review", "--base", "main", "--json", "r.json"]

    connects = inet_connects(argv, repo.path, repo.path.parent / "trace")

    assert connects == []
    assert '"secret-slack-token"' in (repo.path / "r.json").read_text()
