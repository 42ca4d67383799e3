"""What baton reads from an OSV vulnerability record: how severe it is, which versions of a
package fix it, a one-line summary, its aliases and its page on osv.dev.

Records follow the OSV schema (https://ossf.github.io/osv-schema/): `severity[]` holds
`{"type", "score"}` entries, CVSS_V2 / CVSS_V3 / CVSS_V4 vectors or an `Ubuntu` priority, at the
top level or, when packages differ, in `affected[].severity` (never both); `affected[]` names a
`package` (`ecosystem`, `name`) with `ranges[].events` (`introduced`, `fixed`, `last_affected`,
`limit`) and `versions`. GitHub's advisories add `database_specific.severity`, one of LOW,
MODERATE, HIGH, CRITICAL (https://github.com/github/advisory-database); MAL- records come from
OpenSSF's malicious-packages database (https://github.com/ossf/malicious-packages).

Package names are compared as OSV compares them: PyPI names normalised per PEP 503 (lower case,
runs of `-`, `_`, `.` as one `-`), other ecosystems' names as they are (osv.dev's
go/osv/ecosystem/pypi.go is its only `NormalizePackageName`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from cvss import CVSS2, CVSS3, CVSS4  # type: ignore[import-untyped]
from cvss.exceptions import CVSSError  # type: ignore[import-untyped]

from baton.findings.model import Severity

Record = Mapping[str, Any]

SUMMARY_LIMIT = 200
ADVISORY_PAGE = "https://osv.dev/vulnerability/{}"

_DATABASE_SEVERITY = {
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "MODERATE": Severity.MEDIUM,
    "MEDIUM": Severity.MEDIUM,
    "LOW": Severity.LOW,
}
_UBUNTU_PRIORITY = {  # https://ubuntu.com/security/cves/about#priority
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "negligible": Severity.INFO,
}


def severity_of(
    record: Record, *, ecosystem: str | None = None, name: str | None = None
) -> Severity:
    """How severe the record says it is, in this order:

    * a malicious package (an id or alias starting `MAL-`): CRITICAL;
    * else the highest of its `severity[]` entries, top-level and per affected package (only
      the package `ecosystem` / `name` when they are given): CVSS v3 and v4 vectors scored with
      the `cvss` library and named by CVSS's qualitative scale (9.0-10 CRITICAL, 7.0-8.9 HIGH,
      4.0-6.9 MEDIUM, 0.1-3.9 LOW, 0 INFO); CVSS v2 by NVD's v2 scale (7.0-10 HIGH, 4.0-6.9
      MEDIUM, 0.1-3.9 LOW: v2 has no critical); an Ubuntu priority by its name. A vector that
      cannot be parsed is skipped;
    * else `database_specific.severity` (GitHub's LOW / MODERATE / HIGH / CRITICAL), of the
      record or of the package's `affected[]` entry;
    * else MEDIUM: a known vulnerability of unknown severity is not waved through as LOW.
    """
    if any(i.startswith("MAL-") for i in [str(record.get("id", "")), *aliases_of(record)]):
        return Severity.CRITICAL
    scored = [s for s in map(_score, _severity_entries(record, ecosystem, name)) if s is not None]
    if scored:
        return max(scored, key=lambda severity: severity.rank)
    for specific in _database_specific(record, ecosystem, name):
        level = specific.get("severity")
        if isinstance(level, str) and level.strip().upper() in _DATABASE_SEVERITY:
            return _DATABASE_SEVERITY[level.strip().upper()]
    return Severity.MEDIUM


def fixed_versions(record: Record, ecosystem: str, name: str) -> list[str]:
    """The `fixed` versions of the ranges of the package's `affected[]` entries, in the
    record's order, without repeats (GIT ranges' commit hashes are not versions); empty when
    the record names no fix for it."""
    fixed: dict[str, None] = {}
    for affected in _affected(record, ecosystem, name):
        for range_ in _objects(affected.get("ranges")):
            if range_.get("type") == "GIT":
                continue
            for event in _objects(range_.get("events")):
                version = event.get("fixed")
                if isinstance(version, str) and version:
                    fixed[version] = None
    return list(fixed)


def summary_of(record: Record) -> str:
    """The record's `summary`, else the first line of its `details` with words in it, else its
    id: one line of at most `SUMMARY_LIMIT` characters."""
    summary = record.get("summary")
    if isinstance(summary, str) and summary.strip():
        return _trim(summary)
    details = record.get("details")
    if isinstance(details, str):
        for line in details.splitlines():
            if re.search(r"\w", line):
                return _trim(line.strip().lstrip("#").strip())
    return _trim(str(record.get("id", "")))


def aliases_of(record: Record) -> list[str]:
    """The record's `aliases` (other databases' ids: CVE-..., GHSA-...), as given."""
    aliases = record.get("aliases")
    if not isinstance(aliases, list):
        return []
    return [alias for alias in aliases if isinstance(alias, str)]


def advisory_url(vuln_id: str) -> str:
    """The vulnerability's page on osv.dev."""
    return ADVISORY_PAGE.format(quote(vuln_id, safe=""))


def normalized_name(ecosystem: str, name: str) -> str:
    """`name` as OSV compares it in `ecosystem` (PEP 503 for PyPI, else unchanged)."""
    if ecosystem == "PyPI":
        return re.sub(r"[-_.]+", "-", name).lower()
    return name


def _affected(record: Record, ecosystem: str | None, name: str | None) -> Iterator[Record]:
    """The record's `affected[]` entries for the package (all of them without one)."""
    wanted = None if ecosystem is None or name is None else normalized_name(ecosystem, name)
    for affected in _objects(record.get("affected")):
        package = affected.get("package")
        if wanted is None:
            yield affected
        elif isinstance(package, dict) and package.get("ecosystem") == ecosystem:
            other = package.get("name")
            if isinstance(other, str) and normalized_name(package["ecosystem"], other) == wanted:
                yield affected


def _severity_entries(record: Record, ecosystem: str | None, name: str | None) -> Iterator[Record]:
    yield from _objects(record.get("severity"))
    for affected in _affected(record, ecosystem, name):
        yield from _objects(affected.get("severity"))


def _database_specific(record: Record, ecosystem: str | None, name: str | None) -> Iterator[Record]:
    yield from _objects([record.get("database_specific")])
    for affected in _affected(record, ecosystem, name):
        yield from _objects([affected.get("database_specific")])


def _score(entry: Record) -> Severity | None:
    """The severity one `severity[]` entry gives; None if its type is unknown or its score
    cannot be read."""
    kind, score = entry.get("type"), entry.get("score")
    if not isinstance(score, str):
        return None
    if kind == "Ubuntu":
        return _UBUNTU_PRIORITY.get(score.strip().lower())
    try:
        if kind == "CVSS_V3":
            return Severity.of_score(float(CVSS3(score.strip()).base_score))
        if kind == "CVSS_V4":
            return Severity.of_score(float(CVSS4(score.strip()).base_score))
        if kind == "CVSS_V2":
            value = float(CVSS2(score.strip()).base_score)
            return Severity.HIGH if value >= 7.0 else Severity.of_score(value)
    except (CVSSError, ValueError, ArithmeticError):
        return None
    return None


def _objects(value: Any) -> Iterator[Record]:
    """The JSON objects in `value` when it is a list; nothing otherwise."""
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _trim(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SUMMARY_LIMIT else line[: SUMMARY_LIMIT - 1].rstrip() + "…"
