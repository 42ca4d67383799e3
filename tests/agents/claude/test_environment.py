"""What a Claude session sees of the job's environment, and when a model counts as configured."""

from __future__ import annotations

from pathlib import Path

from baton.agents.claude.environment import model_credential, session_environment

JOB = {
    "PATH": "/usr/bin",
    "GITHUB_TOKEN": "ghs_job_token",
    "CI_JOB_TOKEN": "glcbt-job",
    "NPM_TOKEN": "npm_secret",
    "AWS_SECRET_ACCESS_KEY": "aws-secret",
    "ANTHROPIC_API_KEY": "sk-ant-key",
    "ANTHROPIC_CUSTOM_HEADERS": "X-Gateway-Team: payments",
    "HOME": "/home/runner",
}


def env_for(job: dict[str, str]) -> dict[str, str]:
    return session_environment(
        job, home=Path("/tmp/s"), agent="security", max_retries=2, api_timeout_s=30
    )


def test_only_the_model_credential_and_plumbing_pass() -> None:
    env = env_for(JOB)
    assert env["ANTHROPIC_API_KEY"] == "sk-ant-key"
    assert env["PATH"] == "/usr/bin"
    for secret in ("GITHUB_TOKEN", "CI_JOB_TOKEN", "NPM_TOKEN", "AWS_SECRET_ACCESS_KEY"):
        assert secret not in env
    assert env["HOME"] == "/tmp/s"
    assert env["CLAUDE_CONFIG_DIR"] == "/tmp/s/.claude"
    assert env["CLAUDE_CODE_MAX_RETRIES"] == "2"
    assert env["API_TIMEOUT_MS"] == "30000"
    assert env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] == "1"


def test_agent_header_is_added_to_the_users_own_headers() -> None:
    headers = env_for(JOB)["ANTHROPIC_CUSTOM_HEADERS"].splitlines()
    assert headers == ["X-Gateway-Team: payments", "X-Baton-Agent: security"]


def test_cloud_credentials_pass_only_for_their_provider() -> None:
    assert "AWS_SECRET_ACCESS_KEY" in env_for(JOB | {"CLAUDE_CODE_USE_BEDROCK": "1"})
    assert "GOOGLE_APPLICATION_CREDENTIALS" not in env_for(
        JOB | {"GOOGLE_APPLICATION_CREDENTIALS": "/k.json"}
    )
    assert "GOOGLE_APPLICATION_CREDENTIALS" in env_for(
        JOB | {"GOOGLE_APPLICATION_CREDENTIALS": "/k.json", "CLAUDE_CODE_USE_VERTEX": "1"}
    )


def test_model_credential_detection() -> None:
    assert model_credential({}) is None
    assert model_credential({"ANTHROPIC_API_KEY": ""}) is None
    assert model_credential({"CLAUDE_CODE_USE_BEDROCK": "0"}) is None
    assert model_credential({"ANTHROPIC_API_KEY": "k"}) == "ANTHROPIC_API_KEY"
    assert model_credential({"CLAUDE_CODE_USE_VERTEX": "1"}) == "CLAUDE_CODE_USE_VERTEX"
    assert model_credential({"ANTHROPIC_BASE_URL": "https://gw"}) == "ANTHROPIC_BASE_URL"
