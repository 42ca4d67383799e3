"""SARIF 2.1.0 logs as findings (OASIS SARIF 2.1.0, errata 01; section numbers below).

baton reads, of each run (§3.14): the tool's driver and extensions (§3.18, §3.19) with
their rules (§3.49) and global message strings, `artifacts` (§3.24) and
`originalUriBaseIds` (§3.14.14); of each result (§3.27): the rule it names (`ruleId`,
`ruleIndex`, `rule`, §3.27.5-7, §3.52), `kind` and `level` (§3.27.9-10), the message
(§3.11, with `messageStrings` and `{0}` arguments), the first location's artifact and
region (§3.28-30), `fixes` (§3.55), `suppressions` (§3.35) and `baselineState` (§3.27.24).

Severity: error → HIGH, warning → MEDIUM, note → LOW, none → INFO; a result without a level
takes its rule's `defaultConfiguration.level`, else `warning` (§3.27.10). A numeric
`security-severity` property (CodeQL; GitHub code scanning maps it the same way) wins:
≥ 9.0 CRITICAL, ≥ 7.0 HIGH, ≥ 4.0 MEDIUM, > 0 LOW. Results of kind `pass`,
`notApplicable` and `informational`, and results whose baseline state is `absent` (gone
since the baseline), are no problems and are skipped; `review` and `open` are INFO. A result
the tool reports as suppressed is kept at its severity, the message saying so: nothing in the
reviewed source can hide a finding unseen.
"""

from __future__ import annotations

import math
import re

from pydantic import ValidationError

from baton.agents.analyser.formats.paths import is_absolute_reference
from baton.agents.analyser.formats.report import (
    ReportBuilder,
    ReportError,
    ToolReport,
    load_json,
    one_line,
    schema_error,
)
from baton.agents.analyser.formats.sarif_schema import (
    ArtifactLocation,
    Log,
    Properties,
    Result,
    Rule,
    Run,
    ToolComponent,
    ToolComponentReference,
)
from baton.findings.model import Confidence, Severity

SUPPORTED_VERSION = "2.1.0"
SCHEMA_PROBLEM = "SARIF report does not follow the 2.1.0 schema"

LEVEL_SEVERITY: dict[str, Severity] = {
    "error": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "note": Severity.LOW,
    "none": Severity.INFO,
}
PRECISION_CONFIDENCE: dict[str, Confidence] = {
    "very-high": Confidence.HIGH,
    "high": Confidence.HIGH,
    "medium": Confidence.MEDIUM,
    "low": Confidence.LOW,
}
NOT_PROBLEMS = frozenset({"pass", "notApplicable", "informational"})
TO_REVIEW = frozenset({"review", "open"})

_CWE_TAG = re.compile(r"(?i)(?:^|[/:\s])cwe[-_/: ]?0*(\d{1,7})\b")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(\d+)\}")


def parse(text: str, builder: ReportBuilder) -> ToolReport:
    """The findings of every run of a SARIF 2.1.0 log."""
    data = load_json("SARIF", text)
    if not isinstance(data, dict):
        raise ReportError(f"{SCHEMA_PROBLEM}: the top level: Input should be an object")
    version = data.get("version")
    if version is not None and version != SUPPORTED_VERSION:
        shown = one_line(str(version), 40)
        raise ReportError(f"SARIF version {shown!r} is not supported: baton reads SARIF 2.1.0")
    try:
        log = Log.model_validate(data)
    except ValidationError as err:
        raise schema_error(SCHEMA_PROBLEM, err) from None
    tool: str | None = None
    for run in log.runs:
        tool = tool or run.tool.driver.name
        _RunReader(run, builder).read()
    return builder.build(tool)


class _RunReader:
    """Reads the results of one run, with its rules and base URIs at hand."""

    def __init__(self, run: Run, builder: ReportBuilder) -> None:
        self.run = run
        self.builder = builder
        self.components = [run.tool.driver, *run.tool.extensions]
        self.tool_name = run.tool.driver.name
        self._rules_by_id: list[dict[str, Rule]] | None = None

    def read(self) -> None:
        for result in self.run.results or ():
            self._read_result(result)

    def _read_result(self, result: Result) -> None:
        if result.kind in NOT_PROBLEMS or result.baseline_state == "absent":
            return
        rule = self._rule(result)
        path, start, end = self._where(result)
        if path is None:
            return
        rule_id = (
            result.rule_id
            or (result.rule.id if result.rule else None)
            or (rule.id if rule else None)
            or self.tool_name
            or self.builder.agent
        )
        severity = Severity.INFO if result.kind in TO_REVIEW else _severity(result, rule)
        properties = _properties(result, rule)
        self.builder.add(
            path=path,
            rule_id=rule_id,
            severity=severity,
            message=self._message(result, rule) + _suppression_note(result),
            start=start,
            end=end,
            rule_url=rule.help_uri if rule else None,
            recommendation=_recommendation(result),
            cwe=_cwe(properties),
            confidence=_confidence(properties),
        )

    def _where(self, result: Result) -> tuple[str | None, int | None, int | None]:
        """(path, start line, end line) of the result's first physical location."""
        for location in result.locations:
            physical = location.physical_location
            if physical is None or physical.artifact_location is None:
                continue
            path = self.builder.place(self._uri(physical.artifact_location), is_uri=True)
            region = physical.region
            if region is None:
                return path, None, None
            return path, region.start_line, region.end_line
        return self.builder.place(None), None, None

    def _uri(self, location: ArtifactLocation) -> str | None:
        """The artifact's URI with its `uriBaseId` chain applied (§3.4.4, §3.14.14)."""
        uri, base_id = location.uri, location.uri_base_id
        index = location.index
        if uri is None and index is not None and 0 <= index < len(self.run.artifacts):
            listed = self.run.artifacts[index].location
            if listed is not None:
                uri, base_id = listed.uri, base_id or listed.uri_base_id
        if uri is None:
            return None
        seen: set[str] = set()
        while base_id is not None and base_id not in seen and not is_absolute_reference(uri):
            seen.add(base_id)
            base = self.run.original_uri_base_ids.get(base_id)
            if base is None or base.uri is None:
                break  # a base the report leaves undefined (%SRCROOT%): the repository root
            prefix = base.uri if base.uri.endswith("/") else base.uri + "/"
            uri, base_id = prefix + uri, base.uri_base_id
        return uri

    def _rule(self, result: Result) -> Rule | None:
        """The rule a result names: by index in its tool component, else by id."""
        reference = result.rule
        component = self.components[0]
        if reference is not None and reference.tool_component is not None:
            component = self._component(reference.tool_component) or component
        index = result.rule_index
        if index is None and reference is not None:
            index = reference.index
        if index is not None and 0 <= index < len(component.rules):
            return component.rules[index]
        rule_id = result.rule_id or (reference.id if reference else None)
        return self._rule_by_id(rule_id) if rule_id else None

    def _component(self, reference: ToolComponentReference) -> ToolComponent | None:
        extensions = self.components[1:]
        if reference.index is not None and 0 <= reference.index < len(extensions):
            return extensions[reference.index]
        for component in self.components:
            if reference.name is not None and component.name == reference.name:
                return component
        return None

    def _rule_by_id(self, rule_id: str) -> Rule | None:
        """Exact id first, then the hierarchical parents (`CA2001/1` → `CA2001`, §3.27.5)."""
        if self._rules_by_id is None:
            self._rules_by_id = [
                {rule.id: rule for rule in reversed(component.rules)}
                for component in self.components
            ]
        candidate = rule_id
        while candidate:
            for rules in self._rules_by_id:
                if candidate in rules:
                    return rules[candidate]
            candidate = candidate.rpartition("/")[0]
        return None

    def _message(self, result: Result, rule: Rule | None) -> str:
        """The result's message (§3.11): text, markdown, or the string its id names."""
        message = result.message
        if message is not None:
            text = message.text or message.markdown
            if text is None and message.id is not None:
                text = self._message_string(message.id, rule)
            if text:
                return _format(text, message.arguments)
        if rule is not None:
            for description in (rule.short_description, rule.full_description):
                if description is not None and (description.text or description.markdown):
                    return description.text or description.markdown or ""
            return rule.name or ""
        return ""

    def _message_string(self, message_id: str, rule: Rule | None) -> str | None:
        tables = [rule.message_strings] if rule is not None else []
        tables += [component.global_message_strings for component in self.components]
        for table in tables:
            found = table.get(message_id)
            if found is not None and (found.text or found.markdown):
                return found.text or found.markdown
        return None


def _format(template: str, arguments: list[str]) -> str:
    """`{0}` placeholders filled from the arguments; `{{` and `}}` are literal braces."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(0)[0]
        position = int(match.group(1))
        return arguments[position] if position < len(arguments) else match.group(0)

    return _PLACEHOLDER.sub(replace, template) if "{" in template or "}" in template else template


def _properties(result: Result, rule: Rule | None) -> list[Properties]:
    """Property bags that may say more about a result: its own first, then its rule's."""
    bags = [result.properties]
    if rule is not None:
        bags.append(rule.properties)
    return [bag for bag in bags if bag is not None]


def _severity(result: Result, rule: Rule | None) -> Severity:
    for bag in _properties(result, rule):
        score = _number(bag.security_severity)
        if score is not None and score > 0:
            return Severity.of_score(score)
    level = result.level
    if level is None and rule is not None and rule.default_configuration is not None:
        level = rule.default_configuration.level
    return LEVEL_SEVERITY[level or "warning"]


def _number(value: object) -> float | None:
    """A finite number from a property that may hold one as a number or a string."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _confidence(bags: list[Properties]) -> Confidence:
    for bag in bags:
        if isinstance(bag.precision, str) and bag.precision.lower() in PRECISION_CONFIDENCE:
            return PRECISION_CONFIDENCE[bag.precision.lower()]
    return Confidence.MEDIUM


def _cwe(bags: list[Properties]) -> int | None:
    """The CWE a tag names: `external/cwe/cwe-079`, `CWE-79`, `CWE-79: Improper ...`."""
    for bag in bags:
        for tag in bag.tags:
            match = _CWE_TAG.search(tag) if isinstance(tag, str) else None
            if match is not None:
                return int(match.group(1))
    return None


def _recommendation(result: Result) -> str | None:
    texts = [
        fix.description.text or fix.description.markdown or ""
        for fix in result.fixes
        if fix.description is not None
    ]
    joined = "\n".join(text for text in texts if text.strip())
    return joined or None


def _suppression_note(result: Result) -> str:
    if not result.suppressions:
        return ""
    details = []
    for suppression in result.suppressions:
        words = suppression.kind or "unspecified kind"
        if suppression.status:
            words += f", status {suppression.status}"
        if suppression.justification:
            words += f": {one_line(suppression.justification)}"
        details.append(words)
    return (
        "\n\nThe tool reports this finding as suppressed ("
        + "; ".join(details)
        + "); baton shows it anyway."
    )
