"""The reviewer roles a Claude agent can play: baton's own three, or one the repository defines.

A role is instructions, not a system prompt: every baton session shares one system prompt
(`prompts/session.md`, `SESSION_PROMPT`), and the role's instructions follow the diff in the
first user message, so that sessions with different roles send the same prompt prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

READ_ONLY_TOOLS = ("Read", "Grep", "Glob")
"""What every role is offered unless its config widens it. Bash is not, not even
`Bash(git diff:*)`: `git diff --output=F` writes files and `--ext-diff` runs programs, so no
git rule is read-only."""


@cache
def prompt_file(name: str) -> str:
    """The text of `prompts/NAME.md`."""
    return (resources.files(__package__) / "prompts" / f"{name}.md").read_text("utf-8")


def session_prompt() -> str:
    """The system prompt of every baton session: the layout of its first message, the trust
    boundary, the tools and the output."""
    return prompt_file("session")


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    tools: tuple[str, ...] = READ_ONLY_TOOLS
    prompt: str | None = None
    """The instructions of a role the repository defines; None: baton's own prompt file."""
    model: str | None = None

    @property
    def instructions(self) -> str:
        """What this role is to do: sent after the diff, in the first user message."""
        return self.prompt if self.prompt is not None else prompt_file(self.name)


ROLES = {
    role.name: role
    for role in (
        Role("security", "Claude Code security reviewer (read-only tools)."),
        Role("quality", "Claude Code code-quality reviewer (read-only tools)."),
        Role("coverage", "Claude Code test-coverage reviewer (read-only tools)."),
    )
}
