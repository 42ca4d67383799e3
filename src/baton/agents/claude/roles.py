"""The reviewer roles a Claude agent can play: baton's own three, or one the repository defines."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

READ_ONLY_TOOLS = ("Read", "Grep", "Glob")
"""What every role is offered unless its config widens it. Bash is not, not even
`Bash(git diff:*)`: `git diff --output=F` writes files and `--ext-diff` runs programs, so no
git rule is read-only."""


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    tools: tuple[str, ...] = READ_ONLY_TOOLS
    prompt: str | None = None
    """The system prompt of a role the repository defines; None: baton's own prompt file."""
    model: str | None = None

    @property
    def system_prompt(self) -> str:
        if self.prompt is not None:
            return self.prompt
        return (resources.files(__package__) / "prompts" / f"{self.name}.md").read_text("utf-8")


ROLES = {
    role.name: role
    for role in (
        Role("security", "Claude Code security reviewer (read-only tools)."),
        Role("quality", "Claude Code code-quality reviewer (read-only tools)."),
        Role("coverage", "Claude Code test-coverage reviewer (read-only tools)."),
    )
}
