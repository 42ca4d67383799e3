"""The schema the model fills is a subset of baton's Finding, self-contained, and the same for
every session (reviewers and the synthesizer), so that their requests share one prefix."""

from __future__ import annotations

import json

from baton.agents.claude.protocol import ReportedFinding, output_schema
from baton.findings.model import Finding


def test_reported_fields_are_finding_fields_with_the_same_types() -> None:
    for name, field in ReportedFinding.model_fields.items():
        assert name in Finding.model_fields, name
        assert field.annotation == Finding.model_fields[name].annotation, name


def test_schema_has_no_references_and_offers_findings_and_revisions() -> None:
    schema = output_schema()
    assert "$ref" not in json.dumps(schema)
    assert "$defs" not in schema
    assert schema["required"] == ["summary"]  # a reviewer's findings: required when read
    assert set(schema["properties"]) == {"findings", "revisions", "summary"}
    item = schema["properties"]["findings"]["items"]
    assert set(item["properties"]["severity"]["enum"]) == {
        "CRITICAL",
        "HIGH",
        "MEDIUM",
        "LOW",
        "INFO",
    }
