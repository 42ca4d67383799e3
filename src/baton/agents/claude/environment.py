"""What a Claude session may see of the job's environment, and whether a model is configured.

A CI job's environment holds secrets (deploy keys, registry tokens, `GITHUB_TOKEN`). A model
session gets none of them: only the model credential and routing variables, proxy and
certificate settings, a locale, and a fresh HOME and config directory of its own. Cloud
credentials (AWS_*, GOOGLE_*) pass only when Claude Code is told to use Bedrock or Vertex.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

API_CREDENTIALS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN")
PROVIDER_SWITCHES = ("CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX")
GATEWAY = ("ANTHROPIC_BASE_URL",)

ROUTING = (
    *API_CREDENTIALS,
    *PROVIDER_SWITCHES,
    *GATEWAY,
    "ANTHROPIC_CUSTOM_HEADERS",
    "ANTHROPIC_MODEL",
    "ANTHROPIC_SMALL_FAST_MODEL",
    "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    "ANTHROPIC_BEDROCK_BASE_URL",
    "ANTHROPIC_VERTEX_BASE_URL",
    "ANTHROPIC_VERTEX_PROJECT_ID",
    "CLAUDE_CODE_SKIP_BEDROCK_AUTH",
    "CLAUDE_CODE_SKIP_VERTEX_AUTH",
    "CLOUD_ML_REGION",
)
BEDROCK = (
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_BEARER_TOKEN_BEDROCK",
)
VERTEX = ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CLOUD_PROJECT")
PLUMBING = (
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "TMPDIR",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "NODE_EXTRA_CA_CERTS",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)
SECRET_NAMES = (
    *API_CREDENTIALS,
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_BEARER_TOKEN_BEDROCK",
)


def _is_set(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip() not in ("", "0", "false")


def model_credential(environ: Mapping[str, str]) -> str | None:
    """The variable that makes a model reachable, or None: what `engine = auto` looks at."""
    for name in (*API_CREDENTIALS, *PROVIDER_SWITCHES, *GATEWAY):
        if _is_set(environ, name):
            return name
    return None


def session_environment(
    environ: Mapping[str, str],
    *,
    home: Path,
    agent: str,
    max_retries: int,
    api_timeout_s: float,
) -> dict[str, str]:
    """The whole environment of one Claude session: an allow-list, never the job's own."""
    names = [*PLUMBING, *ROUTING]
    if _is_set(environ, "CLAUDE_CODE_USE_BEDROCK"):
        names.extend(BEDROCK)
    if _is_set(environ, "CLAUDE_CODE_USE_VERTEX"):
        names.extend(VERTEX)
    env = {name: environ[name] for name in names if name in environ}
    headers = [h for h in env.get("ANTHROPIC_CUSTOM_HEADERS", "").splitlines() if h.strip()]
    headers.append(f"X-Baton-Agent: {agent}")
    env.update(
        {
            "HOME": str(home),
            "TMPDIR": str(home),
            "CLAUDE_CONFIG_DIR": str(home / ".claude"),
            "ANTHROPIC_CUSTOM_HEADERS": "\n".join(headers),
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
            "CLAUDE_CODE_MAX_RETRIES": str(max_retries),
            "API_TIMEOUT_MS": str(int(api_timeout_s * 1000)),
        }
    )
    return env
