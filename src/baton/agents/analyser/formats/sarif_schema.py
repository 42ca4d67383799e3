"""The subset of the SARIF 2.1.0 schema baton reads (OASIS SARIF 2.1.0, errata 01).

Pydantic models of the objects `sarif` reads, with the spec's camelCase names as aliases
and every other property allowed and ignored: sarifLog (§3.13), run (§3.14), tool and
toolComponent (§3.18, §3.19), reportingDescriptor (§3.49) and its configuration (§3.50),
result (§3.27), message (§3.11), location, physicalLocation, artifactLocation and region
(§3.28-3.30, §3.4), artifact (§3.24), fix (§3.55), suppression (§3.35) and property bags
(§3.8; `security-severity` and `precision` as CodeQL writes them). A problem is reported
with its JSON path, e.g. `runs[0].results[2].locations`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

Level = Literal["none", "note", "warning", "error"]
Kind = Literal["notApplicable", "pass", "fail", "review", "open", "informational"]


class SarifModel(BaseModel):
    model_config = ConfigDict(
        extra="ignore", alias_generator=to_camel, populate_by_name=True, frozen=True
    )


class MultiformatMessage(SarifModel):
    text: str | None = None
    markdown: str | None = None


class Message(MultiformatMessage):
    id: str | None = None
    arguments: list[str] = Field(default_factory=list)


class Properties(SarifModel):
    tags: list[Any] = Field(default_factory=list)
    security_severity: Any = Field(default=None, alias="security-severity")
    precision: Any = None


class Region(SarifModel):
    start_line: int | None = None
    end_line: int | None = None


class ArtifactLocation(SarifModel):
    uri: str | None = None
    uri_base_id: str | None = None
    index: int | None = None


class PhysicalLocation(SarifModel):
    artifact_location: ArtifactLocation | None = None
    region: Region | None = None


class Location(SarifModel):
    physical_location: PhysicalLocation | None = None


class ReportingConfiguration(SarifModel):
    level: Level | None = None


class Rule(SarifModel):
    id: str
    name: str | None = None
    short_description: MultiformatMessage | None = None
    full_description: MultiformatMessage | None = None
    message_strings: dict[str, MultiformatMessage] = Field(default_factory=dict)
    help_uri: str | None = None
    default_configuration: ReportingConfiguration | None = None
    properties: Properties | None = None


class ToolComponentReference(SarifModel):
    name: str | None = None
    index: int | None = None


class RuleReference(SarifModel):
    id: str | None = None
    index: int | None = None
    tool_component: ToolComponentReference | None = None


class ToolComponent(SarifModel):
    name: str | None = None
    rules: list[Rule] = Field(default_factory=list)
    global_message_strings: dict[str, MultiformatMessage] = Field(default_factory=dict)


class Tool(SarifModel):
    driver: ToolComponent
    extensions: list[ToolComponent] = Field(default_factory=list)


class Fix(SarifModel):
    description: Message | None = None


class Suppression(SarifModel):
    kind: str | None = None
    status: str | None = None
    justification: str | None = None


class Result(SarifModel):
    rule_id: str | None = None
    rule_index: int | None = None
    rule: RuleReference | None = None
    kind: Kind = "fail"
    level: Level | None = None
    message: Message | None = None
    locations: list[Location] = Field(default_factory=list)
    fixes: list[Fix] = Field(default_factory=list)
    suppressions: list[Suppression] | None = None
    baseline_state: str | None = None
    properties: Properties | None = None


class Artifact(SarifModel):
    location: ArtifactLocation | None = None


class Run(SarifModel):
    tool: Tool
    results: list[Result] | None = None
    artifacts: list[Artifact] = Field(default_factory=list)
    original_uri_base_ids: dict[str, ArtifactLocation] = Field(default_factory=dict)


class Log(SarifModel):
    version: str | None = None
    runs: list[Run]
