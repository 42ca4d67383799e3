"""What a CI rule is, the finding and hits it makes, and which variable names hold secrets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from baton.findings.model import Confidence, Finding, Severity


@dataclass(frozen=True)
class Rule:
    """One rule: a stable id (`BTN` + 3 digits), a slug, its severity and weakness."""

    id: str
    name: str
    title: str
    severity: Severity
    cwe: int
    recommendation: str
    confidence: Confidence = Confidence.MEDIUM
    beside: frozenset[str] = frozenset()
    """The tool's rule ids that report the same problem: where one of them is on the line,
    this rule stays silent there."""

    @property
    def url(self) -> str:
        return f"https://cwe.mitre.org/data/definitions/{self.cwe}.html"

    def finding(
        self,
        path: str,
        line: int | None,
        message: str,
        *,
        agent: str,
        end_line: int | None = None,
        confidence: Confidence | None = None,
    ) -> Finding:
        return Finding(
            agent=agent,
            rule_id=self.id,
            rule_url=self.url,
            severity=self.severity,
            confidence=confidence or self.confidence,
            path=path,
            line=line,
            end_line=max(end_line, line) if end_line is not None and line is not None else None,
            title=self.title,
            message=message,
            recommendation=self.recommendation,
            cwe=self.cwe,
        )


_SECRET_PARTS = ("TOKEN", "TOKENS", "SECRET", "SECRETS", "PASSWORD", "PASSWORDS", "PASSWD")
_SECRET_ENDINGS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "APIKEY")
_SECRET_WORDS = frozenset({"PASSPHRASE", "APIKEY", "CREDENTIALS", "CREDENTIAL", "CREDS"})
_REFERENCES = frozenset(
    {
        *("FILE", "FILES", "PATH", "DIR", "NAME", "ID", "URL", "URI", "ENV", "VAR", "TYPE"),
        *("LENGTH", "LEN", "SIZE", "FORMAT", "FIELD", "HEADER", "PREFIX", "SUFFIX", "HOST"),
        *("PORT", "USER", "USERNAME", "EXPIRY", "EXPIRES", "TTL", "SCOPE", "SCOPES", "REGION"),
        *("ENDPOINT", "SERVER", "ISSUER", "AUDIENCE", "ALGORITHM", "MODE", "ENABLED", "COUNT"),
        *("LOCATION", "KIND", "METHOD", "REQUIRED", "KEYRING", "HASH", "FILENAME", "VERSION"),
    }
)
"""A last name part saying the variable names or describes a secret rather than holds it
(`POSTGRES_PASSWORD_FILE`, `SECRET_NAME`, `TOKEN_URL`)."""
_PUBLIC_KEYS = frozenset(
    {"GPG", "PGP", "PUBLIC", "PUB", "REPO", "APT", "CA", "CACHE", "SORT", "PRIMARY", "HOST"}
)
"""A part before `KEY` that makes it a public key or no key material at all (`GPG_KEY`, the
fingerprint official images verify downloads with)."""
_NAME_SPLIT = re.compile(r"[_\-.]+")
_EXPANSION = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def is_secret_name(name: str) -> bool:
    """Whether a variable of this name likely holds a credential: a part such as TOKEN,
    SECRET, PASSWORD, PASSWD, PASSPHRASE, APIKEY, CREDENTIALS, `…_PASS` or `…_KEY` (not a
    GPG or public key), unless the last part says it names or describes one (`…_FILE`,
    `…_ID`, `…_URL`)."""
    parts = [part for part in _NAME_SPLIT.split(name.upper()) if part]
    if not parts or parts[-1] in _REFERENCES:
        return False
    for part in parts:
        if part in _SECRET_PARTS or part in _SECRET_WORDS or part.endswith(_SECRET_ENDINGS):
            return True
    if len(parts) < 2:
        return False
    if parts[-1] == "PASS":
        return True
    return parts[-1] == "KEY" and parts[-2] not in _PUBLIC_KEYS


def secret_expansions(text: str) -> Iterator[tuple[str, int]]:
    """Each `$NAME` / `${NAME…}` of a secret-named variable in `text`, with its offset."""
    for match in _EXPANSION.finditer(text):
        if is_secret_name(match.group(1)):
            yield match.group(1), match.start()


class Hit(NamedTuple):
    """A rule's hit between two offsets of a script's text."""

    rule: Rule
    start: int
    end: int
    message: str


def with_next(words: list[str]) -> list[tuple[str, str]]:
    """Each word with the one after it ("" after the last)."""
    return list(zip(words, [*words[1:], ""], strict=False))
