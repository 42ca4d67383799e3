"""Agents the repository defines: Claude Code sub-agent files, agent tables, tool limits."""

from __future__ import annotations

import pytest

from baton.agents.claude.subagents import parse_subagent
from baton.agents.specs import agent_specs, effective_tools
from baton.errors import UsageError
from baton.repo_config import RepoConfig
from baton.settings import load_settings

DOCS = """---
name: docs-checker
description: >
  Checks that docs match
  the code.
tools: Read, Grep, Bash, WebFetch
model: haiku
---

You check docs.
"""


def test_a_subagent_file_reads_like_claude_code_reads_it() -> None:
    sub = parse_subagent(".claude/agents/docs-checker.md", DOCS)
    assert (sub.name, sub.description) == ("docs-checker", "Checks that docs match the code.")
    assert sub.tools == ("Read", "Grep", "Bash", "WebFetch")
    assert (sub.model, sub.prompt) == ("haiku", "You check docs.")
    inherit = parse_subagent("x.md", "---\nname: x\ndescription: d\nmodel: inherit\n---\nbody")
    assert (inherit.model, inherit.tools) == (None, None)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("no front matter", "no front matter"),
        ("---\nname: [unclosed\n---\nbody", "invalid YAML front matter"),
        ("---\nname: Bad Name\ndescription: d\n---\nbody", "name must be lowercase"),
        ("---\nname: ok\n---\nbody", "description is required"),
        ("---\nname: ok\ndescription: d\n---\n", "body (the agent's system prompt) is empty"),
        ("---\nname: ok\ndescription: d\ntools: 3\n---\nb", "tools must be"),
    ],
)
def test_malformed_subagent_files_name_the_file(text: str, needle: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_subagent(".claude/agents/x.md", text)
    assert str(caught.value).startswith(".claude/agents/x.md: ")
    assert needle in str(caught.value)


def test_tools_are_kept_within_the_read_only_set_unless_widened() -> None:
    assert effective_tools(None, []) == (("Read", "Grep", "Glob"), ())
    assert effective_tools(["Read", "Bash", "Edit"], []) == (("Read",), ("Bash", "Edit"))
    assert effective_tools(["Read", "Bash(npm test:*)"], ["Bash(npm test:*)"]) == (
        ("Read", "Bash(npm test:*)"),
        (),
    )


def test_specs_from_files_and_tables() -> None:
    settings = load_settings(
        {},
        {
            "agents": {
                "docs-checker": {"model": "claude-sonnet-5", "tools": ["Read", "Write"]},
                "license": {"prompt": "Check licenses.", "extra_tools": ["WebFetch"]},
            }
        },
    )
    config = RepoConfig(claude_agents={".claude/agents/docs-checker.md": DOCS})
    specs = agent_specs(settings, config)
    docs = specs["docs-checker"]
    assert docs.source == ".claude/agents/docs-checker.md"
    assert docs.role is not None and docs.role.prompt == "You check docs."
    assert (docs.role.tools, docs.dropped_tools) == (("Read",), ("Write",))
    assert docs.role.model == "haiku"
    license_agent = specs["license"]
    assert license_agent.role is not None
    assert license_agent.role.tools == ("Read", "Grep", "Glob", "WebFetch")
    assert license_agent.source == "config agents.license"


def test_a_subagent_cannot_take_a_builtin_name() -> None:
    config = RepoConfig(claude_agents={"s.md": "---\nname: security\ndescription: d\n---\nb"})
    with pytest.raises(UsageError, match="agent name security is already taken"):
        agent_specs(load_settings({}, {}), config)
