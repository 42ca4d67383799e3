"""What a pattern rule is and what it reports: rule metadata, raw findings and public hits."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Literal, NamedTuple

Severity = Literal["HIGH", "MEDIUM"]

LEVELS: dict[Severity, str] = {"HIGH": "error", "MEDIUM": "warning"}
"""SARIF `level` for each severity."""


@dataclass(frozen=True)
class Rule:
    """One rule: a stable id (`BTN` + 3 digits), a slug, and how severe its findings are."""

    id: str
    name: str
    short: str
    severity: Severity
    security_severity: str
    """CVSS-like score as SARIF's `security-severity` expects it: "7.5", "5.5"."""
    cwes: tuple[int, ...]
    """The first one is the rule's main weakness (its `helpUri`)."""
    recommendation: str

    @property
    def help_uri(self) -> str:
        return f"https://cwe.mitre.org/data/definitions/{self.cwes[0]}.html"

    @property
    def level(self) -> str:
        return LEVELS[self.severity]


@dataclass(frozen=True)
class PatternHit:
    """A finding of a pattern rule in one file."""

    rule_id: str
    line: int
    end_line: int
    message: str


class Found(NamedTuple):
    """What a rule's check yields: the rule, the node it is about, the message."""

    rule_id: str
    node: ast.AST
    message: str
