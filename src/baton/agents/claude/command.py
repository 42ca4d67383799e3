"""The `claude` command line of one session, and the first message it reads on stdin.

The CLI is the one claude-agent-sdk's wheel ships (`claude_agent_sdk/_bundled/claude`, found
without importing the SDK), else `claude` on PATH. baton runs it directly: one process per
session, reading its first message as stream-json on stdin and writing stream-json.

Confinement, from the flags: only the job's tools are offered (`--tools`), nothing is
pre-approved (no `--allowedTools`) and `--permission-mode dontAsk` denies whatever is not
allowed; the working directory is the checkout; no setting sources are read
(`--setting-sources=`, so the reviewed repository's CLAUDE.md, settings, hooks and skills
stay out) and no MCP server but those given — none — starts (`--strict-mcp-config`).
`--bare` would do the same but also drops Grep and Glob from the offered tools.

The first message is one or two text blocks: the job's `shared` block, marked as a prompt
cache breakpoint, then its `prompt`. The CLI marks three breakpoints of its own in every
request (observed with the CLI of claude-agent-sdk 0.2.189: two in the system prompt, one on
the latest message) and the API allows four, so the first message has exactly one.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

from baton.agents.claude.protocol import SessionJob
from baton.errors import AgentError

BREAKPOINT = {"type": "ephemeral"}


def cli_path() -> str:
    """The bundled CLI of claude-agent-sdk, else `claude` on PATH; `AgentError` if neither."""
    spec = importlib.util.find_spec("claude_agent_sdk")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        bundled = Path(folder) / "_bundled" / "claude"
        if bundled.is_file():
            return str(bundled)
    found = shutil.which("claude")
    if found is None:
        raise AgentError("the claude CLI was not found (pip install 'baton-review[claude]')")
    return found


def command(job: SessionJob, cli: str) -> list[str]:
    argv = [
        cli,
        "--print",
        "--input-format=stream-json",
        "--output-format=stream-json",
        "--verbose",
        "--include-partial-messages",
        f"--system-prompt={job.system_prompt}",
        f"--tools={','.join(job.tools)}",
        "--permission-mode=dontAsk",
        "--setting-sources=",
        "--strict-mcp-config",
        f"--max-turns={job.max_turns}",
        f"--json-schema={json.dumps(job.output_schema)}",
    ]
    if job.model:
        argv.append(f"--model={job.model}")
    if job.max_budget_usd is not None:
        argv.append(f"--max-budget-usd={job.max_budget_usd}")
    argv.extend(f"--add-dir={folder}" for folder in job.add_dirs)
    return argv


def first_message(job: SessionJob) -> bytes:
    """The session's first user message, one line of stream-json."""
    blocks: list[dict[str, object]] = []
    if job.shared is not None:
        blocks.append({"type": "text", "text": job.shared, "cache_control": BREAKPOINT})
    blocks.append({"type": "text", "text": job.prompt})
    message = {
        "type": "user",
        "session_id": "",
        "message": {"role": "user", "content": blocks},
        "parent_tool_use_id": None,
    }
    return (json.dumps(message) + "\n").encode()
