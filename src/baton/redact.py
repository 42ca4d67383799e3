"""The one redaction boundary: every byte baton writes passes `redact` first.

It removes three kinds of text, leaving a stub that stays recognisable (a few leading
characters and a short hash: `AKIA…[redacted 3f2a9c1e]`):

* the values of the secrets found in the change — detect-secrets' findings (any severity),
  bandit's hard-coded passwords, the lines of a private key block — added by the agents
  that found them (`Redactor.add`), wherever the value reappears: a model quoting it, a
  linter message (ruff's B033 and F601 quote literals), a file name;
* credential-shaped strings, whoever wrote them: detect-secrets' own patterns for live
  credential formats (AWS, GitHub, GitLab, Slack, Stripe, OpenAI, PyPI, npm, JWT, …),
  Anthropic keys and GitHub fine-grained tokens, and whole private key blocks;
* the values of the job's own secret environment variables: platform tokens, model
  credentials, and any variable whose name says token, secret, password or key.

The run's `Redactor` is installed once (`redacting`); writers call `redact(text)` or
`redact_data(value)` and need not know what it holds. Agents never need to mask anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from functools import cache
from typing import Any, TypeVar

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.plugins.base import RegexBasedDetector
from pydantic import BaseModel

from baton.secret_kinds import OWN_PATTERNS, PATTERN_FORMATS

EXTRA_PATTERNS = (
    re.compile(r"sk-ant-[A-Za-z0-9_\-]{20,}"),  # Anthropic API keys
    re.compile(r"github_pat_[A-Za-z0-9_]{22,}"),  # GitHub fine-grained tokens
    re.compile(r"glpat-[A-Za-z0-9_\-]{20,}"),  # GitLab personal access tokens
)
KEY_BLOCK = re.compile(
    r"-----BEGIN[A-Z0-9 _-]*PRIVATE KEY(?: BLOCK)?-----.*?-----END[A-Z0-9 _-]*PRIVATE KEY"
    r"(?: BLOCK)?-----",
    re.DOTALL,
)
SECRET_NAMES = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|CREDENTIAL", re.I)
"""Environment variables whose values are secrets by their name."""
MIN_VALUE = 8
"""Shorter values are not redacted: they would match ordinary words."""


class Redactor:
    """What to remove from the text of one run."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._joined: re.Pattern[str] | None = None
        self.add(values)

    @classmethod
    def for_job(cls, environ: Mapping[str, str]) -> Redactor:
        """A redactor that knows the job's secret environment variables."""
        return cls(value for name, value in environ.items() if SECRET_NAMES.search(name))

    def add(self, values: Iterable[str]) -> None:
        """More values to remove from now on (secrets found in the change)."""
        fresh = {v.strip() for v in values if len(v.strip()) >= MIN_VALUE} - self._values
        if fresh:
            self._values |= fresh
            ordered = sorted(self._values, key=len, reverse=True)
            self._joined = re.compile("|".join(re.escape(v) for v in ordered))

    def text(self, text: str) -> str:
        if self._joined is not None:
            text = self._joined.sub(lambda m: stub(m.group(0)), text)
        text = KEY_BLOCK.sub(_key_block, text)
        for pattern in _patterns():
            text = pattern.sub(_credential, text)
        return text

    def data(self, value: Any) -> Any:
        """`value` (JSON-like: dicts, lists, strings) with every string redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(item) for item in value]
        return value


def stub(secret: str) -> str:
    """A recognisable stand-in: a few leading characters and a short hash."""
    shown = secret[: min(4, len(secret) // 4)]
    digest = hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{shown}…[redacted {digest}]"


def _credential(match: re.Match[str]) -> str:
    """The match redacted; where the pattern captures the secret itself (an AWS secret key
    after `aws…=`, a password in a URL), only that part."""
    secret = max((g for g in match.groups() if g), key=len, default="")
    if len(secret) < MIN_VALUE:
        return stub(match.group(0))
    return match.group(0).replace(secret, stub(secret))


def _key_block(match: re.Match[str]) -> str:
    digest = hashlib.sha256(match.group(0).encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"[private key redacted {digest}]"


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    found: list[re.Pattern[str]] = []
    plugins: dict[str, type] = get_mapping_from_secret_type_to_class()
    for kind, plugin in plugins.items():
        if kind in PATTERN_FORMATS and issubclass(plugin, RegexBasedDetector):
            found.extend(getattr(plugin, "denylist", ()))
    own = (re.compile(pattern) for pattern in OWN_PATTERNS.values())
    return (*found, *own, *EXTRA_PATTERNS)


_ACTIVE: ContextVar[Redactor | None] = ContextVar("baton_redactor", default=None)


@contextlib.contextmanager
def redacting(redactor: Redactor) -> Iterator[Redactor]:
    """Make `redactor` the one `redact` uses, for the run."""
    token = _ACTIVE.set(redactor)
    try:
        yield redactor
    finally:
        _ACTIVE.reset(token)


def active() -> Redactor:
    """The run's redactor (outside a run: one that knows only the credential patterns)."""
    return _ACTIVE.get() or Redactor()


def redact(text: str) -> str:
    """`text` as baton may write it."""
    return active().text(text)


def redact_data(value: Any) -> Any:
    """A JSON-like value as baton may write it."""
    return active().data(value)


Model = TypeVar("Model", bound=BaseModel)


def redact_model(model: Model) -> Model:
    """A copy of `model` with every string in it redacted (before it is rendered: markdown
    escaping would otherwise hide a value from the text-level pass)."""
    return type(model).model_validate(redact_data(model.model_dump(mode="json")))
