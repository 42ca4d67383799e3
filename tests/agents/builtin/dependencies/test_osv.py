"""The OSV client against the fake OSV API (tests/fakes/osv_api.py): the queries it sends and
the ids it returns, batching within OSV's 1,000 queries a request, paging, the record cache,
retries and their waits, and the one-line `OsvError` for everything that goes wrong."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Coroutine
from itertools import pairwise
from typing import Any, TypeVar

import httpx
import pytest

from baton._version import __version__
from baton.agents.builtin.dependencies.advisory import fixed_versions, severity_of
from baton.agents.builtin.dependencies.osv import BATCH_LIMIT, OsvClient, OsvError, Package
from baton.findings.model import Severity
from tests.agents.builtin.dependencies.test_advisory import (
    GHSA_8Q59,
    GHSA_35JH,
    MAL_2024_9934,
    PYSEC_2021_142,
)
from tests.fakes.osv_api import FakeOsv, Fault

T = TypeVar("T")

FAST = {"backoff": 0.01, "timeout": 5.0}


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def query(url: str, packages: list[Package], **options: Any) -> list[list[str]]:
    async with OsvClient(url, **(FAST | options)) as osv:
        return await osv.query(packages)


async def fetch(url: str, ids: list[str], **options: Any) -> list[dict[str, Any]]:
    async with OsvClient(url, **(FAST | options)) as osv:
        return [await osv.vulnerability(i) for i in ids]


def failure(coro: Coroutine[Any, Any, Any]) -> str:
    """The message of the `OsvError` `coro` raises; it must be one line."""
    with pytest.raises(OsvError) as caught:
        run(coro)
    message = str(caught.value)
    assert "\n" not in message
    return message


def gaps(fake: FakeOsv) -> list[float]:
    """Seconds between one request's answer (or failure) and the next request."""
    found = fake.requests()
    return [b.received_at - (a.finished_at or a.received_at) for a, b in pairwise(found)]


def package_record(vuln_id: str, ecosystem: str, name: str, **events: str) -> dict[str, Any]:
    ranges = [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, events]}] if events else []
    affected = {"package": {"ecosystem": ecosystem, "name": name}, "ranges": ranges}
    return {"id": vuln_id, "modified": "2024-05-01T00:00:00Z", "affected": [affected]}


def test_each_package_gets_its_ids_in_order(fake_osv: FakeOsv) -> None:
    fake_osv.add(PYSEC_2021_142, GHSA_8Q59, GHSA_35JH, MAL_2024_9934)
    packages = [
        Package("PyPI", "PyYAML", "5.3.1"),
        Package("npm", "lodash", "4.17.21"),
        Package("npm", "lodash", "4.17.20"),
        Package("PyPI", "requests", "2.32.4"),
        Package("PyPI", "3web_py", "1.0.0"),
        Package("PyPI", "pyyaml", "5.4"),
    ]
    assert run(query(fake_osv.url, packages)) == [
        ["PYSEC-2021-142", "GHSA-8q59-q68h-6hv4"],
        [],
        ["GHSA-35jh-r3h4-6jhm"],
        [],
        ["MAL-2024-9934"],
        [],
    ]
    (sent,) = fake_osv.requests()
    assert (sent.method, sent.path, sent.status) == ("POST", "/v1/querybatch", 200)
    assert sent.headers["user-agent"] == f"baton/{__version__}"
    assert sent.queries[0] == {
        "package": {"ecosystem": "PyPI", "name": "PyYAML"},
        "version": "5.3.1",
    }


def test_no_packages_sends_nothing(fake_osv: FakeOsv) -> None:
    assert run(query(fake_osv.url, [])) == []
    assert fake_osv.requests() == []


def test_ranges_and_version_lists_are_matched_as_osv_does(fake_osv: FakeOsv) -> None:
    fake_osv.add(
        package_record("GHSA-semver", "crates.io", "smallvec", fixed="1.6.1"),
        package_record("GHSA-last", "Go", "golang.org/x/net", last_affected="0.22.0"),
        package_record("GHSA-pre", "npm", "next", fixed="14.1.1-canary.2"),
    )
    asked = [
        Package("crates.io", "smallvec", "1.6.0"),
        Package("crates.io", "smallvec", "1.6.1"),
        Package("Go", "golang.org/x/net", "v0.22.0"),
        Package("Go", "golang.org/x/net", "v0.23.0"),
        Package("npm", "next", "14.1.1-canary.1"),
        Package("npm", "next", "14.1.1"),
    ]
    found = run(query(fake_osv.url, asked))
    assert found == [["GHSA-semver"], [], ["GHSA-last"], [], ["GHSA-pre"], []]


def test_2500_packages_go_in_3_requests_of_at_most_1000(fake_osv: FakeOsv) -> None:
    assert BATCH_LIMIT == fake_osv.batch_limit == 1000
    fake_osv.add(
        package_record("GHSA-first", "npm", "pkg-7", fixed="2.0.0"),
        package_record("GHSA-last", "npm", "pkg-2499", fixed="2.0.0"),
    )
    packages = [Package("npm", f"pkg-{i}", "1.0.0") for i in range(2500)]
    found = run(query(fake_osv.url, packages))
    assert [len(r.queries) for r in fake_osv.requests()] == [1000, 1000, 500]
    assert [r.queries[0]["package"]["name"] for r in fake_osv.requests()] == [
        "pkg-0",
        "pkg-1000",
        "pkg-2000",
    ]
    assert len(found) == 2500
    assert found[7] == ["GHSA-first"] and found[2499] == ["GHSA-last"]
    assert sum(map(len, found)) == 2


def test_the_fake_refuses_more_queries_than_osv_allows(fake_osv: FakeOsv) -> None:
    queries = [Package("npm", f"pkg-{i}", "1.0.0").query() for i in range(1001)]
    answer = httpx.post(f"{fake_osv.url}/v1/querybatch", json={"queries": queries})
    assert (answer.status_code, answer.json()) == (400, {"code": 3, "message": "too many queries"})


def test_pages_are_followed_for_the_queries_that_have_more(fake_osv: FakeOsv) -> None:
    fake_osv.page_size = 2
    ids = [f"GHSA-many-{i}" for i in range(5)]
    fake_osv.add(*(package_record(i, "PyPI", "django", fixed="5.0") for i in ids))
    fake_osv.add(package_record("GHSA-one", "PyPI", "flask", fixed="3.0"))
    packages = [
        Package("PyPI", "Django", "4.2"),
        Package("PyPI", "flask", "2.0"),
        Package("PyPI", "idna", "3.7"),
    ]
    assert run(query(fake_osv.url, packages)) == [ids, ["GHSA-one"], []]
    sent = [r.queries for r in fake_osv.requests()]
    assert [len(queries) for queries in sent] == [3, 1, 1]
    assert "page_token" not in sent[0][0]
    assert [q["package"]["name"] for q in sent[1] + sent[2]] == ["Django", "Django"]
    assert sent[1][0]["page_token"] != sent[2][0]["page_token"]


def test_a_record_is_fetched_once_per_client(fake_osv: FakeOsv) -> None:
    fake_osv.add(GHSA_8Q59, GHSA_35JH)

    async def scenario() -> list[dict[str, Any]]:
        async with OsvClient(fake_osv.url, **FAST) as osv:
            together = await asyncio.gather(
                *(osv.vulnerability("GHSA-8q59-q68h-6hv4") for _ in range(3)),
                osv.vulnerability("GHSA-35jh-r3h4-6jhm"),
            )
            return [*together, await osv.vulnerability("GHSA-8q59-q68h-6hv4")]

    records = run(scenario())
    assert [r["id"] for r in records] == ["GHSA-8q59-q68h-6hv4"] * 3 + [
        "GHSA-35jh-r3h4-6jhm",
        "GHSA-8q59-q68h-6hv4",
    ]
    assert records[0] == GHSA_8Q59
    assert sorted(r.path for r in fake_osv.requests()) == [
        "/v1/vulns/GHSA-35jh-r3h4-6jhm",
        "/v1/vulns/GHSA-8q59-q68h-6hv4",
    ]


def test_a_failed_fetch_is_not_cached(fake_osv: FakeOsv) -> None:
    fake_osv.add(GHSA_35JH)
    fake_osv.fail_next(503, times=2)

    async def scenario() -> dict[str, Any]:
        async with OsvClient(fake_osv.url, retries=1, **FAST) as osv:
            with pytest.raises(OsvError):
                await osv.vulnerability("GHSA-35jh-r3h4-6jhm")
            return await osv.vulnerability("GHSA-35jh-r3h4-6jhm")

    assert run(scenario())["id"] == "GHSA-35jh-r3h4-6jhm"
    assert [r.status for r in fake_osv.requests()] == [503, 503, 200]


def test_ids_are_quoted_in_the_path(fake_osv: FakeOsv) -> None:
    message = failure(fetch(fake_osv.url, ["odd/id?x"]))
    assert fake_osv.requests()[0].path == "/v1/vulns/odd%2Fid%3Fx"
    assert (
        message
        == "OSV answered 404 Not Found to GET /v1/vulns/odd%2Fid%3Fx: Vulnerability not found"
    )


def test_a_429_is_retried_after_its_retry_after(fake_osv: FakeOsv) -> None:
    fake_osv.add(GHSA_35JH)
    fake_osv.fail_next(429, retry_after=1)
    assert run(query(fake_osv.url, [Package("npm", "lodash", "4.17.0")])) == [
        ["GHSA-35jh-r3h4-6jhm"]
    ]
    assert [r.status for r in fake_osv.requests()] == [429, 200]
    assert 1.0 <= gaps(fake_osv)[0] < 2.0  # Retry-After, not the 0.01 s backoff


def test_a_long_retry_after_is_capped(fake_osv: FakeOsv) -> None:
    fake_osv.add(GHSA_35JH)
    fake_osv.fail_next(429, retry_after=3600)
    started = time.monotonic()
    assert run(fetch(fake_osv.url, ["GHSA-35jh-r3h4-6jhm"], max_wait=0.2))[0] == GHSA_35JH
    assert 0.2 <= gaps(fake_osv)[0] < 2.0  # not an hour
    assert time.monotonic() - started < 3.0


def test_an_http_date_retry_after_is_understood(fake_osv: FakeOsv) -> None:
    fake_osv.add(GHSA_35JH)
    fake_osv.fail_next(503, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")  # in the past: at once
    assert run(fetch(fake_osv.url, ["GHSA-35jh-r3h4-6jhm"], backoff=5.0))[0] == GHSA_35JH
    assert gaps(fake_osv)[0] < 2.5  # not the 5 s backoff


def test_server_errors_back_off_and_then_give_up_in_one_line(fake_osv: FakeOsv) -> None:
    fake_osv.fail_next(500, times=4)
    message = failure(query(fake_osv.url, [Package("npm", "lodash", "4.17.0")], backoff=0.05))
    assert message == "OSV answered 500 Internal Server Error 4 times"
    assert len(fake_osv.requests()) == 4
    first, second, third = gaps(fake_osv)
    assert first >= 0.05
    assert second >= 0.1
    assert 0.2 <= third < 2.0


def test_rate_limits_that_do_not_end_give_up(fake_osv: FakeOsv) -> None:
    fake_osv.fail_next(429, times=10)
    message = failure(fetch(fake_osv.url, ["GHSA-35jh-r3h4-6jhm"], retries=2))
    assert message == "OSV answered 429 Too Many Requests 3 times"
    assert len(fake_osv.requests()) == 3


def test_an_answer_that_never_comes_times_out(fake_osv: FakeOsv) -> None:
    fake_osv.hang_next(10)
    started = time.monotonic()
    message = failure(
        query(fake_osv.url, [Package("npm", "lodash", "4.17.0")], timeout=0.3, retries=0)
    )
    assert time.monotonic() - started < 1.5
    assert message == f"OSV at {fake_osv.url} did not answer within 0.3 s"


def test_a_hang_is_retried(fake_osv: FakeOsv) -> None:
    fake_osv.add(GHSA_35JH)
    fake_osv.hang_next(10)
    assert run(fetch(fake_osv.url, ["GHSA-35jh-r3h4-6jhm"], timeout=0.3))[0] == GHSA_35JH
    assert [r.outcome for r in fake_osv.requests()] == ["hang", "ok"]


def test_hangs_on_every_try_give_up_within_the_retries(fake_osv: FakeOsv) -> None:
    fake_osv.hang_next(10, times=3)
    started = time.monotonic()
    message = failure(fetch(fake_osv.url, ["X-1"], timeout=0.2, retries=2))
    assert time.monotonic() - started < 2.0
    assert message == f"OSV at {fake_osv.url} did not answer within 0.2 s (3 tries)"


def test_mixed_failures_name_the_last(fake_osv: FakeOsv) -> None:
    fake_osv.fail_next(502)
    fake_osv.hang_next(10)
    message = failure(fetch(fake_osv.url, ["X-1"], timeout=0.2, retries=1))
    assert message == f"OSV at {fake_osv.url} did not answer within 0.2 s (2 attempts failed)"


def test_a_reset_is_retried(fake_osv: FakeOsv) -> None:
    fake_osv.add(GHSA_35JH)
    fake_osv.inject(Fault.reset(), on="any")
    assert run(fetch(fake_osv.url, ["GHSA-35jh-r3h4-6jhm"]))[0] == GHSA_35JH
    assert [r.outcome for r in fake_osv.requests()] == ["reset", "ok"]


def test_a_closed_port_cannot_be_reached(fake_osv: FakeOsv) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    message = failure(query(url, [Package("npm", "lodash", "4.17.0")], retries=1))
    assert message.startswith(f"OSV at {url} could not be reached (ConnectError: ")
    assert message.endswith("(2 tries)")


def test_garbage_is_not_retried(fake_osv: FakeOsv) -> None:
    fake_osv.garbage_next("<html><body>Bad gateway</body></html>")
    message = failure(query(fake_osv.url, [Package("npm", "lodash", "4.17.0")]))
    assert message == (
        "OSV sent a response baton cannot read: "
        "POST /v1/querybatch answered 200 with a body that is not JSON"
    )
    assert len(fake_osv.requests()) == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ([1, 2], "POST /v1/querybatch answered a list without a results list"),
        ({"results": []}, "0 results came for 2 queries"),
        ({"results": [{}, {}, {}]}, "3 results came for 2 queries"),
        ({"results": [{}, "x"]}, "a result is a string, not an object"),
        ({"results": [{"vulns": "GHSA-1"}, {}]}, "a result's vulns is a string, not a list"),
        (
            {"results": [{"vulns": [{"modified": "x"}]}, {}]},
            "a result lists a vulnerability without an id",
        ),
        (
            {"results": [{}, {"next_page_token": 7}]},
            "a result's next_page_token is a number, not a string",
        ),
    ],
)
def test_answers_of_the_wrong_shape_are_refused(fake_osv: FakeOsv, body: Any, reason: str) -> None:
    fake_osv.garbage_next(json.dumps(body))
    packages = [Package("npm", "lodash", "4.17.0"), Package("npm", "react", "18.0.0")]
    message = failure(query(fake_osv.url, packages))
    assert message == f"OSV sent a response baton cannot read: {reason}"


def test_a_record_of_the_wrong_shape_is_refused(fake_osv: FakeOsv) -> None:
    fake_osv.garbage_next('{"vulns": []}')
    message = failure(fetch(fake_osv.url, ["GHSA-35jh-r3h4-6jhm"]))
    assert message == (
        "OSV sent a response baton cannot read: "
        "GET /v1/vulns/GHSA-35jh-r3h4-6jhm answered an object, not a vulnerability record"
    )


def test_a_refused_query_fails_at_once_with_osvs_reason(fake_osv: FakeOsv) -> None:
    packages = [Package("PyPI", "requests", "2.0"), Package("pypi", "idna", "3.0")]
    message = failure(query(fake_osv.url, packages))
    assert message == (
        "OSV answered 400 Bad Request to POST /v1/querybatch: "
        "error in query at index 1: invalid ecosystem"
    )
    assert len(fake_osv.requests()) == 1


def test_an_unknown_id_is_a_404_that_names_its_aliases(fake_osv: FakeOsv) -> None:
    fake_osv.add(PYSEC_2021_142)
    message = failure(fetch(fake_osv.url, ["CVE-2020-14343"]))
    assert message == (
        "OSV answered 404 Not Found to GET /v1/vulns/CVE-2020-14343: "
        "Vulnerability not found, but the following aliases were: PYSEC-2021-142"
    )
    assert len(fake_osv.requests()) == 1


def test_from_query_to_severity_and_fix(fake_osv: FakeOsv) -> None:
    fake_osv.add(PYSEC_2021_142, GHSA_8Q59)
    package = Package("PyPI", "PyYAML", "5.3.1")

    async def scenario() -> list[tuple[str, Severity, list[str]]]:
        async with OsvClient(fake_osv.url, **FAST) as osv:
            (ids,) = await osv.query([package])
            records = await asyncio.gather(*map(osv.vulnerability, ids))
        return [
            (
                r["id"],
                severity_of(r, ecosystem=package.ecosystem, name=package.name),
                fixed_versions(r, package.ecosystem, package.name),
            )
            for r in records
        ]

    assert run(scenario()) == [
        ("PYSEC-2021-142", Severity.MEDIUM, ["5.4"]),
        ("GHSA-8q59-q68h-6hv4", Severity.CRITICAL, ["5.4"]),
    ]
