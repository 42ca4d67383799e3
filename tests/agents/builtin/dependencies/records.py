"""OSV records for the agent's tests: the ones test_advisory.py keeps (PyYAML, lodash, a PyPI
MAL- record) and one each for npm malware, Go, crates.io and RubyGems, written here in the
shape OSV serves them, their fields that matter kept (ids, aliases, summaries, ranges and
severities as GO-2022-1059, RUSTSEC-2021-0003 and GHSA-wq4h-7r42-5hrr have them; the npm MAL-
record is made up, in ossf/malicious-packages' shape)."""

from __future__ import annotations

from typing import Any

from tests.agents.builtin.dependencies.test_advisory import (
    GHSA_8Q59,
    GHSA_35JH,
    MAL_2024_9934,
    PYSEC_2021_142,
)

__all__ = [
    "ALL",
    "GHSA_8Q59",
    "GHSA_35JH",
    "GHSA_WQ4H",
    "GO_2022_1059",
    "MAL_2024_9934",
    "MAL_NPM",
    "PYSEC_2021_142",
    "RUSTSEC_2021_0003",
]


def _ranges(*pairs: tuple[str, str], kind: str = "ECOSYSTEM") -> list[dict[str, Any]]:
    events = [e for start, fix in pairs for e in ({"introduced": start}, {"fixed": fix})]
    return [{"type": kind, "events": events}]


MAL_NPM: dict[str, Any] = {
    "schema_version": "1.7.4",
    "id": "MAL-2025-41920",
    "modified": "2025-06-02T10:11:12Z",
    "published": "2025-06-01T08:00:00Z",
    "summary": "Malicious code in lodahs-utils (npm)",
    "details": "\n---\n_-= Per source details. Do not edit below this line.=-_\n\n"
    "## Source: ossf-package-analysis\nThe package runs a postinstall script that sends "
    "environment variables to a remote host.\n",
    "affected": [
        {"package": {"ecosystem": "npm", "name": "lodahs-utils"}, "versions": ["1.0.2", "1.0.3"]}
    ],
    "database_specific": {"malicious-packages-origins": [{"source": "ossf-package-analysis"}]},
}

GO_2022_1059: dict[str, Any] = {
    "schema_version": "1.3.1",
    "id": "GO-2022-1059",
    "modified": "2024-05-20T16:03:47Z",
    "published": "2022-10-11T18:25:12Z",
    "aliases": ["CVE-2022-32149", "GHSA-69ch-w2m2-3vjp"],
    "summary": "Denial of service via crafted Accept-Language header in golang.org/x/text/language",
    "details": "An attacker may cause a denial of service by crafting an Accept-Language header "
    "which ParseAcceptLanguage will take significant time to parse.",
    "affected": [
        {
            "package": {"name": "golang.org/x/text", "ecosystem": "Go"},
            "ranges": _ranges(("0", "0.3.8"), kind="SEMVER"),
            "ecosystem_specific": {
                "imports": [
                    {"path": "golang.org/x/text/language", "symbols": ["ParseAcceptLanguage"]}
                ]
            },
        }
    ],
    "database_specific": {"url": "https://pkg.go.dev/vuln/GO-2022-1059"},
}

RUSTSEC_2021_0003: dict[str, Any] = {
    "id": "RUSTSEC-2021-0003",
    "modified": "2023-06-13T13:10:24Z",
    "published": "2021-01-08T12:00:00Z",
    "aliases": ["CVE-2021-25900", "GHSA-43w2-9j62-hq99"],
    "summary": "Buffer overflow in SmallVec::insert_many",
    "details": "A bug in the SmallVec::insert_many method caused it to allocate a buffer that "
    "was smaller than needed.",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "affected": [
        {
            "package": {"name": "smallvec", "ecosystem": "crates.io"},
            "ranges": _ranges(("0.6.3", "0.6.14"), ("1.0.0", "1.6.1"), kind="SEMVER"),
            "database_specific": {"categories": ["memory-corruption"], "cvss": None},
        }
    ],
}

GHSA_WQ4H: dict[str, Any] = {
    "schema_version": "1.4.0",
    "id": "GHSA-wq4h-7r42-5hrr",
    "modified": "2023-11-08T04:09:12Z",
    "published": "2022-05-27T22:08:00Z",
    "aliases": ["CVE-2022-30123"],
    "summary": "Possible shell escape sequence injection vulnerability in Rack",
    "details": "There is a possible shell escape sequence injection vulnerability in the Lint "
    "and CommonLogger components of Rack.",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}],
    "affected": [
        {
            "package": {"ecosystem": "RubyGems", "name": "rack"},
            "ranges": _ranges(("0", "2.0.9.1"), ("2.1.0", "2.1.4.1"), ("2.2.0", "2.2.3.1")),
        }
    ],
    "database_specific": {"cwe_ids": ["CWE-150"], "severity": "CRITICAL"},
}

ALL = (
    PYSEC_2021_142,
    GHSA_8Q59,
    GHSA_35JH,
    MAL_2024_9934,
    MAL_NPM,
    GO_2022_1059,
    RUSTSEC_2021_0003,
    GHSA_WQ4H,
)
"""The database every test's fake OSV starts with."""
