"""What one Claude session is asked and what it answers: the job, the outcome, the schema.

`ReviewOutput` is what the model returns through Claude Code's structured output. Every
baton session — each reviewer and the synthesizer — is offered this one schema, so that
their requests share the same tool list and a cached prompt prefix: reviewers fill
`findings` (a subset of `baton.findings.model.Finding`'s fields, same meaning), the
synthesizer fills `revisions`. Both lists are optional in the schema; a reviewer's output
without `findings` is refused when it is read (`launch.interpret`), never taken as none.
`SessionJob` describes a session before it starts; `SessionOutcome` is how it ended, read
from the CLI's output by `transcript.py`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from baton.agents.base import Usage
from baton.findings.model import Confidence, Severity
from baton.findings.revise import RevisionAction


class ReportedFinding(BaseModel):
    """One finding as the model reports it."""

    model_config = ConfigDict(extra="forbid")

    severity: Severity = Field(description="Use the rubric in your instructions.")
    confidence: Confidence = Field(description="How sure you are that this is a real problem.")
    path: str = Field(description="Repository-relative path of the file, as in the diff.")
    line: int | None = Field(
        default=None, ge=1, description="New-file line number (the number shown in the diff)."
    )
    end_line: int | None = Field(default=None, ge=1)
    rule_id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]{1,60}$",
        description="Short kebab-case id of the kind of problem, e.g. sql-injection.",
    )
    title: str = Field(max_length=200, description="One line.")
    message: str = Field(max_length=2000, description="What is wrong and why it matters.")
    recommendation: str | None = Field(default=None, max_length=1000)
    cwe: int | None = Field(default=None, description="CWE number when there is a clear one.")


class ProposedRevision(BaseModel):
    """The synthesizer's decision on one earlier finding, named by its id in the prompt."""

    model_config = ConfigDict(extra="forbid")

    action: RevisionAction
    finding: str = Field(pattern=r"^F[0-9]+$", description="The id of the finding, e.g. F3.")
    reason: str = Field(min_length=1, max_length=600, description="Why, checkable in one read.")
    severity: Severity | None = Field(default=None, description="The lower severity (downgrade).")
    into: str | None = Field(
        default=None, pattern=r"^F[0-9]+$", description="The id of the finding kept (merge)."
    )


class ReviewOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    findings: list[ReportedFinding] = Field(
        default_factory=list,
        description="Reviewers: concise findings only; an empty list when the change is"
        " fine. The synthesizer reports no new findings.",
    )
    revisions: list[ProposedRevision] = Field(
        default_factory=list,
        description="Only the synthesizer fills this: its revisions of earlier findings,"
        " only those it changes or confirms. Reviewers leave it out.",
    )
    summary: str = Field(max_length=500, description="One or two sentences on the change.")


def output_schema(model: type[BaseModel] = ReviewOutput) -> dict[str, Any]:
    """The model's JSON Schema with every `$ref` inlined (one self-contained object)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined


class SessionJob(BaseModel):
    """Everything one session needs: its command line and its first message.

    The first message is `shared` (when set) then `prompt`: `shared` is the part that other
    sessions of the run send word for word — the chunk of the diff — and ends in a cache
    breakpoint, so that the API reads it from its prompt cache for all but the first of
    them; `prompt` is this session's own brief.
    """

    agent: str
    cwd: str
    system_prompt: str
    shared: str | None = None
    prompt: str
    tools: list[str]
    model: str | None = None
    max_turns: int
    max_budget_usd: float | None = None
    output_schema: dict[str, Any]
    add_dirs: list[str] = Field(
        default_factory=list, description="Folders outside cwd the tools may read."
    )


class SessionOutcome(BaseModel):
    """How the session ended, as read from Claude Code's result message."""

    structured_output: Any = None
    is_error: bool = False
    subtype: str | None = None
    terminal_reason: str | None = None
    api_error_status: int | None = None
    errors: list[str] = Field(default_factory=list)
    result_text: str | None = None
    usage: Usage = Field(default_factory=Usage)
    denied: list[str] = Field(default_factory=list)
    crash: str | None = Field(
        default=None, description="The CLI could not start or ended without a result."
    )
    refused: bool = Field(
        default=False, description="A model turn ended with stop reason `refusal`."
    )
