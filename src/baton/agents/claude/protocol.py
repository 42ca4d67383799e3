"""The messages between baton and one Claude session, and the findings schema the model fills.

`ReviewOutput` is what the model must return through Claude Code's structured output; its
finding fields are a subset of `baton.findings.model.Finding` with the same meaning.
`SessionJob` goes to the session process on stdin; `SessionOutcome` comes back on stdout.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from baton.agents.base import Usage
from baton.findings.model import Confidence, Severity


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


class ReviewOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    findings: list[ReportedFinding] = Field(
        description="Concise findings only; an empty list when the change is fine."
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
    """Everything one session needs; sent as JSON on the session process's stdin."""

    agent: str
    cwd: str
    system_prompt: str
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
    crash: str | None = Field(default=None, description="An exception in the session process.")
    refused: bool = Field(
        default=False, description="A model turn ended with stop reason `refusal`."
    )
