"""The `dependencies` agent through `baton review`, against the fake OSV API: which package
versions a change adds or bumps become findings, on which line, how severe, with what advice;
what it leaves alone (unchanged and removed entries, fixes) and what it lists as skipped."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.agents.builtin.dependencies import records
from tests.fakes.baton_cli import Completed, review_report
from tests.fakes.osv_api import FakeOsv
from tests.fakes.repos import GitRepo

Row = tuple[str, str, str, int]
"""A finding as rule_id, severity, path, line."""
Asked = tuple[str, str, str]
"""A query sent to OSV as ecosystem, name, version."""

PYSEC, GHSA_YAML = "PYSEC-2021-142", "GHSA-8q59-q68h-6hv4"
GHSA_LODASH, MAL = "GHSA-35jh-r3h4-6jhm", "MAL-2025-41920"


def review(
    repo: GitRepo,
    osv: FakeOsv,
    base: Mapping[str, str],
    change: Mapping[str, str | None],
    *args: str,
    env: dict[str, str] | None = None,
) -> tuple[Completed, dict[str, Any]]:
    """`base` committed on main, `change` on a branch (None deletes a file), then `baton
    review --agents dependencies ARGS` with `osv` holding every record of `records`."""
    osv.add(*records.ALL)
    for path, text in {"README.md": "app\n", **base}.items():
        repo.write(path, text)
    repo.commit("base")
    repo.branch("feature")
    for path, changed in change.items():
        if changed is None:
            repo.remove(path)
        else:
            repo.write(path, changed)
    repo.commit("feature")
    environ = {"BATON_OSV_URL": osv.url, "BATON_PLATFORM": "local", **(env or {})}
    done, report = review_report(repo.path, *args, env=environ)
    assert "Traceback" not in done.stderr, done.stderr
    return done, report


def agent(report: dict[str, Any], name: str = "dependencies") -> dict[str, Any]:
    found: list[dict[str, Any]] = [a for a in report["agents"] if a["name"] == name]
    assert len(found) == 1, found
    return found[0]


def rows(report: dict[str, Any]) -> set[Row]:
    found = report["findings"]
    return {(f["rule_id"], f["severity"], f["path"], f["line"]) for f in found}


def asked(osv: FakeOsv) -> set[Asked]:
    queries = [q for r in osv.requests() for q in r.queries]
    return {(q["package"]["ecosystem"], q["package"]["name"], q["version"]) for q in queries}


def skipped(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["path"], s["reason"]) for s in agent(report)["skipped"]]


def line_of(text: str, needle: str) -> int:
    """The 1-based line of `text` where `needle` first appears."""
    return 1 + text[: text.index(needle)].count("\n")


def package_json(**deps: str) -> str:
    return json.dumps({"name": "app", "version": "1.0.0", "dependencies": deps}, indent=2)


def package_lock(**versions: str) -> str:
    """A package-lock.json (lockfileVersion 3) locking each package at its version; the
    root's requirement is `^MAJOR.0.0`, the same whatever the version."""
    root = {n: f"^{v.split('.')[0]}.0.0" for n, v in versions.items()}
    packages: dict[str, Any] = {"": {"name": "app", "version": "1.0.0", "dependencies": root}}
    for name, version in versions.items():
        packages[f"node_modules/{name}"] = {
            "version": version,
            "resolved": f"https://registry.npmjs.org/{name}/-/{name}-{version}.tgz",
            "integrity": f"sha512-{name}-{version}==",
        }
    lock = {"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True}
    return json.dumps(lock | {"packages": packages}, indent=2) + "\n"


def poetry_lock(version: str) -> str:
    return (
        '[[package]]\nname = "certifi"\nversion = "2024.7.4"\ndescription = "CA bundle"\n'
        'optional = false\npython-versions = ">=3.6"\nfiles = []\n\n'
        f'[[package]]\nname = "pyyaml"\nversion = "{version}"\ndescription = "YAML parser"\n'
        'optional = false\npython-versions = "*"\nfiles = []\n\n'
        '[metadata]\nlock-version = "2.0"\npython-versions = "^3.11"\ncontent-hash = "abc"\n'
    )


REQS = "requests==2.32.4\nPyYAML==5.3\n"
LOCK_21, LOCK_20 = package_lock(lodash="4.17.21"), package_lock(lodash="4.17.20")
RANGE = package_json(express="4.21.2", lodash="^4.17.0")
GO_MOD = "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgolang.org/x/text v0.3.7\n)\n"
CARGO_LOCK = (
    "version = 3\n\n"
    '[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = ["smallvec"]\n\n'
    '[[package]]\nname = "smallvec"\nversion = "1.6.0"\n'
    'source = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "abc"\n'
)
GEMFILE_LOCK = (
    "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.3)\n    rake (13.2.1)\n\n"
    "PLATFORMS\n  ruby\n\nDEPENDENCIES\n  rack (~> 2.2)\n\nBUNDLED WITH\n   2.5.16\n"
)


@dataclass(frozen=True)
class Case:
    base: dict[str, str]
    change: dict[str, str | None]
    rows: set[Row]
    code: int = 0
    args: tuple[str, ...] = ()
    asked: set[Asked] | None = None
    """Every query OSV got, when given."""
    summary: str = ""
    skipped: list[tuple[str, str]] = field(default_factory=list)


CASES = [
    pytest.param(
        Case(
            {},
            {"requirements.txt": REQS},
            {  # OSV lists both records (aliases of each other); each is a finding
                (GHSA_YAML, "CRITICAL", "requirements.txt", 2),  # CVSS 9.8
            },
            code=1,
            asked={("PyPI", "requests", "2.32.4"), ("PyPI", "pyyaml", "5.3")},
            summary="2 package versions checked, 1 with known vulnerabilities",
        ),
        id="requirements-pin-added-critical-fails-at-default",
    ),
    pytest.param(
        Case(
            {},
            {"package.json": package_json(lodash="4.17.20")},
            {(GHSA_LODASH, "HIGH", "package.json", 5)},
        ),
        id="package-json-high-passes-at-default",
    ),
    pytest.param(
        Case(
            {},
            {"package.json": package_json(lodash="4.17.20")},
            {(GHSA_LODASH, "HIGH", "package.json", 5)},
            code=1,
            args=("--fail-on", "high"),
        ),
        id="package-json-high-fails-at-fail-on-high",
    ),
    pytest.param(
        Case(
            {"package-lock.json": LOCK_21},
            {"package-lock.json": LOCK_20},
            {(GHSA_LODASH, "HIGH", "package-lock.json", line_of(LOCK_20, '"version": "4.17.20"'))},
            asked={("npm", "lodash", "4.17.20"), ("npm", "lodash", "4.17.21")},
        ),
        id="package-lock-bump-safe-to-vulnerable-on-the-version-line",
    ),
    pytest.param(
        Case(
            {"requirements.txt": REQS},
            {"requirements.txt": REQS.replace("5.3", "5.4")},
            set(),
            summary=f"fixed by this change: pyyaml 5.3 → 5.4 ({GHSA_YAML}, {PYSEC})",
        ),
        id="requirements-bump-vulnerable-to-fixed",
    ),
    pytest.param(
        Case(
            {"poetry.lock": poetry_lock("5.3")},
            {"poetry.lock": poetry_lock("5.4")},
            set(),
            asked={("PyPI", "pyyaml", "5.4"), ("PyPI", "pyyaml", "5.3")},
            summary=f"fixed by this change: pyyaml 5.3 → 5.4 ({GHSA_YAML}, {PYSEC})",
        ),
        id="poetry-lock-bump-vulnerable-to-fixed",
    ),
    pytest.param(
        Case(
            {"package-lock.json": LOCK_20},
            {"package.json": RANGE},
            {(GHSA_LODASH, "HIGH", "package.json", line_of(RANGE, '"lodash"'))},
            asked={("npm", "express", "4.21.2"), ("npm", "lodash", "4.17.20")},
        ),
        id="range-resolved-by-the-unchanged-lockfile-beside-it",
    ),
    pytest.param(
        Case(
            {},
            {"package.json": RANGE, "package-lock.json": LOCK_20},
            {
                (GHSA_LODASH, "HIGH", "package.json", line_of(RANGE, '"lodash"')),
                (GHSA_LODASH, "HIGH", "package-lock.json", line_of(LOCK_20, '"node_modules/')),
            },
        ),
        id="range-and-lockfile-added-together",
    ),
    pytest.param(
        Case(
            {},
            {"package.json": RANGE},
            set(),
            asked={("npm", "express", "4.21.2")},
            skipped=[
                ("package.json", "lodash ^4.17.0: a range with no lockfile beside it (line 6)")
            ],
        ),
        id="range-with-no-lockfile-is-skipped",
    ),
    pytest.param(
        Case(
            {},
            {"package.json": package_json(**{"lodahs-utils": "1.0.3"})},
            {(MAL, "CRITICAL", "package.json", 5)},
            code=1,
        ),
        id="malicious-npm-package-is-critical",
    ),
    pytest.param(
        Case(
            {"requirements.txt": "PyYAML==5.3\n"},
            {"requirements.txt": REQS},
            set(),
            asked={("PyPI", "requests", "2.32.4")},
        ),
        id="unchanged-vulnerable-entry-is-not-checked",
    ),
    pytest.param(
        Case(
            {"requirements.txt": REQS},
            {"requirements.txt": "requests==2.32.4\n"},
            set(),
            asked=set(),
        ),
        id="removed-entry-gives-nothing",
    ),
    pytest.param(
        Case(
            {},
            {"requirements.txt": "requests==2.32.4\n", "legacy/requirements.txt": REQS},
            set(),
            args=("--exclude", "legacy/**"),
            asked={("PyPI", "requests", "2.32.4")},
        ),
        id="excluded-manifest-is-not-checked",
    ),
    pytest.param(
        Case(
            {"go.mod": GO_MOD.replace("v0.3.7", "v0.3.8")},
            {"go.mod": GO_MOD},
            {("GO-2022-1059", "MEDIUM", "go.mod", 6)},
        ),
        id="go-mod-bump-to-vulnerable",
    ),
    pytest.param(
        Case(
            {},
            {"Cargo.lock": CARGO_LOCK},
            {("RUSTSEC-2021-0003", "CRITICAL", "Cargo.lock", line_of(CARGO_LOCK, '"smallvec"\n'))},
            code=1,
        ),
        id="cargo-lock-added",
    ),
    pytest.param(
        Case(
            {"Gemfile.lock": GEMFILE_LOCK.replace("2.2.3)", "2.2.3.1)")},
            {"Gemfile.lock": GEMFILE_LOCK},
            {("GHSA-wq4h-7r42-5hrr", "CRITICAL", "Gemfile.lock", 4)},
            code=1,
        ),
        id="gemfile-lock-bump-to-vulnerable",
    ),
]


@pytest.mark.parametrize("case", CASES)
def test_what_a_change_to_its_dependencies_is_told(
    repo: GitRepo, fake_osv: FakeOsv, case: Case
) -> None:
    done, report = review(
        repo, fake_osv, case.base, case.change, "--agents", "dependencies", *case.args
    )

    assert agent(report)["status"] == "ok", done.stderr
    assert rows(report) == case.rows
    assert (done.code, report["gate"]["exit_code"]) == (case.code, case.code)
    if case.asked is not None:
        assert asked(fake_osv) == case.asked
    assert case.summary in agent(report)["summary"]
    assert skipped(report) == case.skipped


@pytest.mark.parametrize(
    ("change", "rule_id", "title", "recommendation"),
    [
        pytest.param(
            {"requirements.txt": REQS},
            GHSA_YAML,
            "pyyaml 5.3: Improper Input Validation in PyYAML",
            "Upgrade pyyaml to 5.4 or later (fixed in 5.4).",
            id="pypi",
        ),
        pytest.param(
            {"Gemfile.lock": GEMFILE_LOCK},
            "GHSA-wq4h-7r42-5hrr",
            "rack 2.2.3: Possible shell escape sequence injection vulnerability in Rack",
            "Upgrade rack to 2.2.3.1 or later (fixed in 2.0.9.1, 2.1.4.1, 2.2.3.1).",
            id="rubygems-fixed-in-several-lines",
        ),
        pytest.param(
            {"package.json": package_json(**{"lodahs-utils": "1.0.3"})},
            MAL,
            "lodahs-utils 1.0.3: Malicious code in lodahs-utils (npm)",
            "Remove lodahs-utils: OSV lists this package as malicious.",
            id="malicious",
        ),
    ],
)
def test_a_finding_names_the_advisory_and_what_to_do(
    repo: GitRepo,
    fake_osv: FakeOsv,
    change: dict[str, str | None],
    rule_id: str,
    title: str,
    recommendation: str,
) -> None:
    done, report = review(repo, fake_osv, {}, change, "--agents", "dependencies")

    [finding] = [f for f in report["findings"] if f["rule_id"] == rule_id]
    assert finding["agent"] == "dependencies", done.stderr
    assert finding["title"] == title
    assert finding["recommendation"] == recommendation
    assert finding["rule_url"] == f"https://osv.dev/vulnerability/{rule_id}"
    assert rule_id in finding["message"]


def test_in_the_default_pipeline_it_runs_when_a_manifest_changes(
    repo: GitRepo, fake_osv: FakeOsv
) -> None:
    done, report = review(repo, fake_osv, {}, {"package.json": package_json(lodash="4.17.20")})

    assert agent(report)["status"] == "ok", done.stderr
    assert (GHSA_LODASH, "HIGH", "package.json", 5) in rows(report)
    assert "dependencies: ok" in done.stderr


def test_in_the_default_pipeline_it_is_skipped_when_no_manifest_changes(
    repo: GitRepo, fake_osv: FakeOsv
) -> None:
    done, report = review(
        repo, fake_osv, {"requirements.txt": REQS}, {"app.py": "print('hello')\n"}
    )

    assert (agent(report)["status"], agent(report)["reason"]) == ("skipped", "no files")
    assert "dependencies: skipped (no files for this agent)" in done.stderr
    assert fake_osv.requests() == []


def test_a_deleted_manifest_is_not_reviewed(repo: GitRepo, fake_osv: FakeOsv) -> None:
    done, report = review(
        repo,
        fake_osv,
        {"requirements.txt": REQS},
        {"requirements.txt": None},
        "--agents",
        "dependencies",
    )

    assert (agent(report)["status"], agent(report)["reason"]) == ("skipped", "no files")
    assert (done.code, report["findings"], fake_osv.requests()) == (0, [], [])
