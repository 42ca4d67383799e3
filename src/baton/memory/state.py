"""The review state at the end of baton's comment: what it records, how it is written, and
reading it back.

The comment's last line is `<!-- baton:state 2 DATA -->`, DATA being the state's JSON,
zlib-compressed and base64-encoded (one line, no character that could close the HTML
comment). It records the base and head reviewed, whether the review was complete, the head
each model agent last reviewed, a digest of the configuration it ran with, and per finding:
fingerprint, agent, rule, path, line, severity, status (open, dismissed, fixed) and the head
it was first seen on. A model agent's open findings also keep their text, so that a later
run can carry them forward without asking the model again.

`read_state` gives the state or the reason it cannot be used (none, unreadable, another
version); each reason means a full review, and the comment says it. `encode_state` fits the
state into a budget by leaving out the text of carried findings, then the least severe
findings' records (`omitted` says how many); such a `partial` state makes the next run review
in full, so nothing is ever lost to the budget. Version 1 blocks
(`<!-- baton:state {json} -->`, fingerprints only) are still read for their fingerprints.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from baton.findings.model import Confidence, Finding, Placement, Severity

STATE_VERSION = 2
PREFIX = "<!-- baton:state "
_AT_END = re.compile(r"<!-- baton:state (\S+) (\S+) -->\s*\Z")
_V1_AT_END = re.compile(r"<!-- baton:state (\{[^\n]*\}) -->\s*\Z")
MAX_DECODED = 4_000_000
"""Bytes a state may expand to: a block that inflates further is not baton's."""


class Status(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    FIXED = "fixed"


class Detail(BaseModel):
    """The text of a model agent's finding, to report it again without the model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    message: str = ""
    recommendation: str | None = None
    confidence: Confidence = Confidence.MEDIUM
    rule_url: str | None = None
    cwe: int | None = None
    end_line: int | None = None
    placement: Placement = Placement.ADDED


class Remembered(BaseModel):
    """One finding as the state records it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fingerprint: str
    agent: str
    rule: str
    path: str
    line: int | None = None
    severity: Severity
    status: Status = Status.OPEN
    first_seen: str = Field(description="The head (12 hex digits) it was first reported on.")
    detail: Detail | None = None

    def finding(self) -> Finding | None:
        """The finding as it was reported, when its text was kept."""
        if self.detail is None:
            return None
        return Finding(
            agent=self.agent,
            rule_id=self.rule,
            severity=self.severity,
            path=self.path,
            line=self.line,
            **self.detail.model_dump(),
        )


class ReviewState(BaseModel):
    """What one run decided, for the next run on the same change request."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = STATE_VERSION
    subject: str = Field(default="", description="The change request, e.g. github:acme/app#7.")
    base: str | None = None
    head: str | None = None
    verdict: str = ""
    complete: bool = Field(default=False, description="No agent failed or was stopped.")
    config: str = Field(default="", description="Digest of the configuration reviewed with.")
    agents: dict[str, str] = Field(
        default_factory=dict, description="Model agent → the head it last reviewed in full."
    )
    findings: tuple[Remembered, ...] = ()
    partial: bool = Field(default=False, description="Findings left out to fit the comment.")
    omitted: int = Field(default=0, description="How many finding records were left out.")

    def open_fingerprints(self) -> frozenset[str]:
        return frozenset(f.fingerprint for f in self.findings if f.status is not Status.FIXED)


@dataclass(frozen=True)
class ReadState:
    """A state read from a comment, or why there is none to use (`state` None)."""

    state: ReviewState | None
    reason: str | None = None
    fingerprints: frozenset[str] = frozenset()
    """Findings the earlier comment listed, also from a state too old to use otherwise."""


def encode_state(state: ReviewState, budget: int) -> str:
    """The state's comment block, at most `budget` characters when it can be."""
    block = _block(state)
    if len(block) <= budget:
        return block
    plain = tuple(f.model_copy(update={"detail": None}) for f in state.findings)
    lighter = state.model_copy(update={"findings": plain, "agents": {}, "partial": True})

    def keeping(count: int) -> str:
        kept = lighter.findings[:count]
        return _block(lighter.model_copy(update={"findings": kept, "omitted": len(plain) - count}))

    lo, hi = 0, len(plain)
    while lo < hi:  # the most records (most severe first) that fit
        mid = (lo + hi + 1) // 2
        if len(keeping(mid)) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return keeping(lo)


def read_state(body: str | None) -> ReadState:
    """The state at the very end of `body` (text quoted earlier in a comment never counts)."""
    if body is None:
        return ReadState(None, "no earlier review on this change request")
    match = _AT_END.search(body)
    if match is None:
        old = _V1_AT_END.search(body)
        if old is not None:
            return _version_1(old.group(1))
        return ReadState(None, "baton's earlier comment has no review state")
    version, data = match.groups()
    if version != str(STATE_VERSION):
        newer = version.isdigit() and int(version) > STATE_VERSION
        what = "a newer" if newer else "an unknown"
        return ReadState(None, f"the earlier review state is of {what} version ({version[:8]})")
    try:
        raw = zlib.decompressobj().decompress(base64.b64decode(data, validate=True), MAX_DECODED)
        state = ReviewState.model_validate_json(raw)
    except (binascii.Error, zlib.error, ValidationError, ValueError):
        return ReadState(None, "the earlier review state is unreadable")
    return ReadState(state, None, state.open_fingerprints())


def _version_1(text: str) -> ReadState:
    try:
        data: Any = json.loads(text)
    except ValueError:
        return ReadState(None, "the earlier review state is unreadable")
    prints = data.get("fingerprints") if isinstance(data, dict) else None
    kept = frozenset(p for p in prints if isinstance(p, str)) if isinstance(prints, list) else None
    if kept is None:
        return ReadState(None, "the earlier review state is unreadable")
    return ReadState(None, "the earlier review state is of an older version (1)", kept)


def _block(state: ReviewState) -> str:
    raw = state.model_dump_json(exclude_defaults=True).encode()
    data = base64.b64encode(zlib.compress(raw, 9)).decode("ascii")
    return f"{PREFIX}{STATE_VERSION} {data} -->"
