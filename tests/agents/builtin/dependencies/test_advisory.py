"""What baton reads from OSV records: severity (malicious packages, CVSS v2 / v3 / v4 vectors,
per-package severities, GitHub's database severity, the MEDIUM default), the fixed versions of
one package, the summary line, aliases and the advisory's page.

The records below keep the shape and the fields that matter of real ones, as OSV serves them:
PYSEC-2021-142 (pypa/advisory-database vulns/pyyaml/PYSEC-2021-142.yaml: no severity at all),
GHSA-8q59-q68h-6hv4 and GHSA-35jh-r3h4-6jhm (github/advisory-database), MAL-2024-9934
(ossf/malicious-packages osv/malicious/pypi/3web-py); references are cut short.
"""

from __future__ import annotations

from typing import Any

import pytest

from baton.agents.builtin.dependencies.advisory import (
    advisory_url,
    aliases_of,
    fixed_versions,
    normalized_name,
    severity_of,
    summary_of,
)
from baton.findings.model import Severity

PYSEC_2021_142: dict[str, Any] = {
    "id": "PYSEC-2021-142",
    "details": (
        "A vulnerability was discovered in the PyYAML library in versions before 5.4, where it"
        " is susceptible to arbitrary code execution when it processes untrusted YAML files"
        " through the full_load method or with the FullLoader loader. Applications that use the"
        " library to process untrusted input may be vulnerable to this flaw. This flaw allows an"
        " attacker to execute arbitrary code on the system by abusing the python/object/new"
        " constructor. This flaw is due to an incomplete fix for CVE-2020-1747."
    ),
    "affected": [
        {
            "package": {"name": "pyyaml", "ecosystem": "PyPI", "purl": "pkg:pypi/pyyaml"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.4"}]}],
            "versions": ["3.13", "5.1", "5.1.1", "5.1.2", "5.2", "5.3", "5.3.1", "5.4b1", "5.4b2"],
        }
    ],
    "references": [
        {"type": "ADVISORY", "url": "https://github.com/advisories/GHSA-8q59-q68h-6hv4"}
    ],
    "aliases": ["CVE-2020-14343", "GHSA-8q59-q68h-6hv4"],
    "modified": "2021-08-27T03:22:18.913334Z",
    "published": "2021-02-09T21:15:00Z",
}

GHSA_8Q59: dict[str, Any] = {
    "schema_version": "1.2.0",
    "id": "GHSA-8q59-q68h-6hv4",
    "modified": "2021-09-28T19:04:49Z",
    "published": "2021-03-25T21:26:26Z",
    "aliases": ["CVE-2020-14343"],
    "summary": "Improper Input Validation in PyYAML",
    "details": "A vulnerability was discovered in the PyYAML library in versions before 5.4...",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "PyYAML"},
            "ecosystem_specific": {"affected_functions": ["yaml.constructor.FullConstructor"]},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.4"}]}],
        }
    ],
    "references": [{"type": "ADVISORY", "url": "https://nvd.nist.gov/vuln/detail/CVE-2020-14343"}],
    "database_specific": {"cwe_ids": ["CWE-20"], "severity": "CRITICAL", "github_reviewed": True},
}

GHSA_35JH: dict[str, Any] = {
    "schema_version": "1.3.0",
    "id": "GHSA-35jh-r3h4-6jhm",
    "modified": "2022-02-08T21:35:09Z",
    "published": "2021-05-06T16:05:51Z",
    "aliases": ["CVE-2021-23337"],
    "summary": "Command Injection in lodash",
    "details": "`lodash` versions prior to 4.17.21 are vulnerable to Command Injection via the "
    "template function.",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}],
    "affected": [
        {
            "package": {"ecosystem": "npm", "name": name},
            "ecosystem_specific": {"affected_functions": ["lodash.template"]},
            "ranges": [
                {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}
            ],
        }
        for name in ("lodash", "lodash-es")
    ],
    "database_specific": {"cwe_ids": ["CWE-77", "CWE-94"], "severity": "HIGH"},
}

MAL_2024_9934: dict[str, Any] = {
    "modified": "2025-12-11T09:27:52Z",
    "published": "2024-06-28T20:16:20Z",
    "schema_version": "1.7.4",
    "id": "MAL-2024-9934",
    "summary": "Malicious code in 3web-py (PyPI)",
    "details": "\n---\n_-= Per source details. Do not edit below this line.=-_\n\n"
    "## Source: kam193 (07f2ab6b)\n---\n\nCategory: MALICIOUS - The campaign has clearly "
    "malicious intent, like infostealers.\n",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "3web-py", "purl": "pkg:pypi/3web-py"},
            "versions": ["1.0.0"],
        }
    ],
    "database_specific": {"malicious-packages-origins": [{"source": "kam193"}]},
}


def ghsa(severity: list[dict[str, str]], database: str | None = None) -> dict[str, Any]:
    """A GitHub advisory for PyPI `requests` < 2.32.4 (GHSA-9hjg-9r4m-mvj7's shape) with
    `severity` and, when given, `database_specific.severity`."""
    record: dict[str, Any] = {
        "id": "GHSA-9hjg-9r4m-mvj7",
        "summary": "Requests vulnerable to .netrc credentials leak via malicious URLs",
        "severity": severity,
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "requests"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.32.4"}]}
                ],
            }
        ],
    }
    if database is not None:
        record["database_specific"] = {"severity": database, "github_reviewed": True}
    return record


def v3(vector: str) -> dict[str, str]:
    return {"type": "CVSS_V3", "score": vector}


def v4(vector: str) -> dict[str, str]:
    return {"type": "CVSS_V4", "score": vector}


def test_real_records_get_their_severity() -> None:
    assert severity_of(GHSA_8Q59) is Severity.CRITICAL  # CVSS 3.1 base 9.8
    assert severity_of(GHSA_35JH) is Severity.HIGH  # 7.2
    assert severity_of(MAL_2024_9934) is Severity.CRITICAL  # malicious package
    assert severity_of(PYSEC_2021_142) is Severity.MEDIUM  # no severity anywhere


@pytest.mark.parametrize(
    ("vector", "expected"),
    [
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Severity.CRITICAL),  # 9.8
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", Severity.HIGH),  # 7.5
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", Severity.MEDIUM),  # 5.3
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", Severity.LOW),  # 3.1
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", Severity.INFO),  # 0.0
    ],
)
def test_cvss_v3_scores_follow_the_qualitative_scale(vector: str, expected: Severity) -> None:
    assert severity_of(ghsa([v3(vector)], database="LOW")) is expected


@pytest.mark.parametrize(
    ("vector", "expected"),
    [
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", Severity.CRITICAL),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", Severity.HIGH),
        ("CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:P/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N", Severity.MEDIUM),
    ],
)
def test_cvss_v4_vectors_are_scored(vector: str, expected: Severity) -> None:
    assert severity_of(ghsa([v4(vector)])) is expected


def test_the_highest_of_several_entries_wins() -> None:
    medium_v3 = v3("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N")  # 5.3
    high_v4 = v4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N")  # 8.7
    assert severity_of(ghsa([medium_v3, high_v4], database="MODERATE")) is Severity.HIGH


def test_cvss_v2_uses_its_own_scale_without_critical() -> None:
    assert severity_of(ghsa([{"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N/C:C/I:C/A:C"}])) is (
        Severity.HIGH  # 10.0
    )
    assert severity_of(ghsa([{"type": "CVSS_V2", "score": "AV:N/AC:M/Au:N/C:P/I:N/A:N"}])) is (
        Severity.MEDIUM  # 4.3
    )


def test_an_ubuntu_priority_is_read_by_name() -> None:
    assert severity_of(ghsa([{"type": "Ubuntu", "score": "negligible"}])) is Severity.INFO
    assert severity_of(ghsa([{"type": "Ubuntu", "score": "high"}])) is Severity.HIGH


@pytest.mark.parametrize(
    ("database", "expected"),
    [
        ("LOW", Severity.LOW),
        ("MODERATE", Severity.MEDIUM),
        ("HIGH", Severity.HIGH),
        ("CRITICAL", Severity.CRITICAL),
    ],
)
def test_githubs_database_severity_is_the_fallback(database: str, expected: Severity) -> None:
    assert severity_of(ghsa([], database=database)) is expected


def test_no_severity_at_all_is_medium() -> None:
    assert severity_of(ghsa([])) is Severity.MEDIUM
    assert severity_of({"id": "OSV-2020-111"}) is Severity.MEDIUM
    assert severity_of(ghsa([], database="UNHEARD-OF")) is Severity.MEDIUM


@pytest.mark.parametrize(
    "entry",
    [
        v3("not a vector"),
        v3("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),  # v4 as v3
        v4("CVSS:4.0/AV:N"),  # metrics missing
        {"type": "CVSS_V2", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
        {"type": "CVSS_V3", "score": 9.8},
        {"type": "CVSS_V3"},
        {"type": "SOMETHING_NEW", "score": "11"},
    ],
)
def test_an_unreadable_entry_is_skipped(entry: dict[str, Any]) -> None:
    assert severity_of(ghsa([entry], database="HIGH")) is Severity.HIGH
    low = v3("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N")
    assert severity_of(ghsa([entry, low], database="HIGH")) is Severity.LOW


def test_a_malicious_package_is_critical_whatever_else_it_says() -> None:
    low = v3("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N")
    assert severity_of({**MAL_2024_9934, "severity": [low]}) is Severity.CRITICAL
    aliased = {**ghsa([low]), "id": "GHSA-xxxx-yyyy-zzzz", "aliases": ["MAL-2025-1"]}
    assert severity_of(aliased) is Severity.CRITICAL


def test_per_package_severity_applies_to_its_package() -> None:
    critical = v3("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    low = v3("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N")
    record = {
        "id": "OSV-2099-1",
        "affected": [
            {"package": {"ecosystem": "PyPI", "name": "Server-Kit"}, "severity": [critical]},
            {"package": {"ecosystem": "PyPI", "name": "client_kit"}, "severity": [low]},
        ],
    }
    assert severity_of(record) is Severity.CRITICAL
    assert severity_of(record, ecosystem="PyPI", name="server.kit") is Severity.CRITICAL
    assert severity_of(record, ecosystem="PyPI", name="Client-Kit") is Severity.LOW
    assert severity_of(record, ecosystem="npm", name="client_kit") is Severity.MEDIUM


def test_fixed_versions_are_the_packages_own() -> None:
    assert fixed_versions(GHSA_8Q59, "PyPI", "pyyaml") == ["5.4"]  # "PyYAML" in the record
    assert fixed_versions(PYSEC_2021_142, "PyPI", "PyYAML") == ["5.4"]
    assert fixed_versions(GHSA_35JH, "npm", "lodash-es") == ["4.17.21"]
    assert fixed_versions(GHSA_35JH, "npm", "Lodash") == []  # npm names are not normalised
    assert fixed_versions(GHSA_35JH, "PyPI", "lodash") == []
    assert fixed_versions(MAL_2024_9934, "PyPI", "3web-py") == []  # versions only, no fix


def test_fixed_versions_keep_order_drop_repeats_and_commits() -> None:
    record = {
        "id": "GHSA-v845-jxx5-vc9f",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "urllib3"},
                "ranges": [
                    {
                        "type": "GIT",
                        "repo": "https://github.com/urllib3/urllib3",
                        "events": [{"introduced": "0"}, {"fixed": "0123abcd" * 5}],
                    },
                    {
                        "type": "ECOSYSTEM",
                        "events": [
                            {"introduced": "2.0.0"},
                            {"fixed": "2.0.6"},
                            {"introduced": "0"},
                            {"fixed": "1.26.17"},
                        ],
                    },
                ],
            },
            {
                "package": {"ecosystem": "PyPI", "name": "urllib3"},
                "ecosystem_specific": {"platform": "emscripten"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "2.0.0"}, {"fixed": "2.0.6"}]},
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"last_affected": "1"}]},
                ],
            },
        ],
    }
    assert fixed_versions(record, "PyPI", "urllib3") == ["2.0.6", "1.26.17"]


def test_summary_is_one_short_line() -> None:
    assert summary_of(GHSA_35JH) == "Command Injection in lodash"
    long = summary_of(PYSEC_2021_142)  # no summary: the details, cut
    assert long.startswith("A vulnerability was discovered in the PyYAML library")
    assert len(long) == 200
    assert long.endswith("…")
    no_summary = {k: v for k, v in MAL_2024_9934.items() if k != "summary"}
    assert summary_of(no_summary) == "_-= Per source details. Do not edit below this line.=-_"
    assert summary_of({"id": "OSV-2020-111", "details": "## Crash\nheap overflow"}) == "Crash"
    assert summary_of({"id": "OSV-2020-111", "summary": "  two\n  lines "}) == "two lines"
    assert summary_of({"id": "OSV-2020-111"}) == "OSV-2020-111"


def test_aliases_and_the_advisory_page() -> None:
    assert aliases_of(PYSEC_2021_142) == ["CVE-2020-14343", "GHSA-8q59-q68h-6hv4"]
    assert aliases_of(MAL_2024_9934) == []
    assert aliases_of({"id": "X", "aliases": "CVE-1"}) == []
    assert (
        advisory_url("GHSA-8q59-q68h-6hv4") == "https://osv.dev/vulnerability/GHSA-8q59-q68h-6hv4"
    )
    assert advisory_url("PYSEC-2021-142") == "https://osv.dev/vulnerability/PYSEC-2021-142"


def test_names_are_normalised_as_osv_does() -> None:
    assert normalized_name("PyPI", "Zope.Interface__Extra") == "zope-interface-extra"
    assert normalized_name("npm", "@Scope/Pkg_Name") == "@Scope/Pkg_Name"
    assert normalized_name("Maven", "org.Apache:Commons") == "org.Apache:Commons"
