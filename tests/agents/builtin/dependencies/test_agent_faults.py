"""The `dependencies` agent through `baton review` when things go wrong: OSV failing,
unreachable or answering garbage, a manifest that does not parse, the agent turned off, and
hostile manifests (odd package names, a 5,000-package lockfile)."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from typing import Any

import pytest

from tests.agents.builtin.dependencies.test_agent import (
    GHSA_LODASH,
    GHSA_YAML,
    REQS,
    agent,
    asked,
    package_json,
    package_lock,
    review,
    rows,
    skipped,
)
from tests.fakes.osv_api import FakeOsv
from tests.fakes.repos import GitRepo

YAML_ROWS = {
    (GHSA_YAML, "CRITICAL", "requirements.txt", 2),
}


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then let go)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def outcomes(osv: FakeOsv) -> list[tuple[str, int | None]]:
    return [(r.path, r.status) for r in osv.requests()]


@pytest.mark.parametrize(
    ("fault", "statuses"),
    [
        pytest.param(
            lambda osv: osv.fail_next(429, retry_after=0),
            [429, 200, 200, 200],
            id="429-then-answers",
        ),
        pytest.param(
            lambda osv: osv.fail_next(503, times=2, retry_after=0),
            [503, 503, 200, 200, 200],
            id="503-twice-then-answers",
        ),
        pytest.param(
            lambda osv: osv.hang_next(0.2), [None, 200, 200, 200], id="dropped-then-answers"
        ),
    ],
)
def test_osv_failing_for_a_while_still_gives_the_findings(
    repo: GitRepo,
    fake_osv: FakeOsv,
    fault: Callable[[FakeOsv], object],
    statuses: list[int | None],
) -> None:
    fault(fake_osv)
    done, report = review(
        repo, fake_osv, {}, {"requirements.txt": REQS}, "--agents", "dependencies", "--retries", "0"
    )

    assert (agent(report)["status"], agent(report)["attempts"]) == ("ok", 1), done.stderr
    assert rows(report) == YAML_ROWS
    assert [status for _, status in outcomes(fake_osv)] == statuses


def test_a_rerun_of_the_agent_mends_one_unreadable_answer(repo: GitRepo, fake_osv: FakeOsv) -> None:
    fake_osv.garbage_next("<html>Service Unavailable</html>")
    env = {"BATON_RETRY_BACKOFF": "0"}
    done, report = review(
        repo, fake_osv, {}, {"requirements.txt": REQS}, "--agents", "dependencies", env=env
    )

    assert (agent(report)["status"], agent(report)["attempts"]) == ("ok", 2), done.stderr
    assert rows(report) == YAML_ROWS
    assert "dependencies: failed (OSV sent a response baton cannot read" in done.stderr


@pytest.mark.parametrize(
    ("fault", "url", "reason"),
    [
        pytest.param(
            lambda osv: osv.fail_next(500, times=10, retry_after=0),
            None,
            "OSV answered 500 Internal Server Error 4 times",
            id="500-on-every-try",
        ),
        pytest.param(
            lambda osv: osv.garbage_next("<html>Bad gateway</html>", times=10),
            None,
            "OSV sent a response baton cannot read: POST /v1/querybatch answered 200 with a body "
            "that is not JSON",
            id="not-json",
        ),
        pytest.param(
            lambda osv: osv.garbage_next('{"results": "none"}', times=10),
            None,
            "OSV sent a response baton cannot read: POST /v1/querybatch answered an object "
            "without a results list",
            id="json-not-osvs-shape",
        ),
        pytest.param(
            lambda osv: osv.fail_next(400, times=10),
            None,
            "OSV answered 400 Bad Request to POST /v1/querybatch: Bad Request",
            id="400",
        ),
        pytest.param(
            lambda osv: None,
            "http://127.0.0.1:{port}",
            "OSV at http://127.0.0.1:{port} could not be reached (ConnectError: ",
            id="nothing-listens",
        ),
    ],
)
def test_osv_failing_fails_the_agent_and_leaves_the_review_incomplete(
    repo: GitRepo,
    fake_osv: FakeOsv,
    fault: Callable[[FakeOsv], object],
    url: str | None,
    reason: str,
) -> None:
    fault(fake_osv)
    port = closed_port()
    env = {} if url is None else {"BATON_OSV_URL": url.format(port=port)}
    done, report = review(
        repo,
        fake_osv,
        {},
        {"requirements.txt": REQS},
        "--agents",
        "dependencies",
        "--retries",
        "0",
        env=env,
    )

    found = agent(report)
    assert found["status"] == "failed", done.stderr
    assert found["reason"].startswith(reason.format(port=port))
    assert "\n" not in found["reason"]
    assert (report["gate"]["verdict"], done.code) == ("incomplete", 3)
    assert report["findings"] == []
    said = re.escape(found["reason"])
    assert re.search(rf"^baton: dependencies: failed in [0-9.]+s: {said}$", done.stderr, re.M)


def test_a_blocking_finding_elsewhere_fails_the_review_though_osv_failed(
    repo: GitRepo, fake_osv: FakeOsv
) -> None:
    fake_osv.fail_next(500, times=10, retry_after=0)
    token = "ghp_" + "Zq8vN2rT5wX1bY4cD7eF0gH3jK6mP9sU2vW5"
    change = {"requirements.txt": REQS, "deploy.py": f'TOKEN = "{token}"\n'}
    done, report = review(
        repo, fake_osv, {}, change, "--agents", "dependencies,security", "--retries", "0"
    )

    assert agent(report)["status"] == "failed", done.stderr
    assert any(f["agent"] == "security" for f in report["findings"])
    assert (report["gate"]["verdict"], done.code) == ("fail", 1)


def test_turned_off_it_asks_osv_nothing(repo: GitRepo, fake_osv: FakeOsv) -> None:
    env = {"BATON_DEPENDENCIES": "false"}
    done, report = review(
        repo, fake_osv, {}, {"requirements.txt": REQS}, "--agents", "dependencies", env=env
    )

    assert agent(report)["status"] == "skipped", done.stderr
    assert "dependencies = false" in agent(report)["reason"]
    assert (report["findings"], fake_osv.requests()) == ([], [])


@pytest.mark.parametrize(
    ("path", "text", "reason"),
    [
        pytest.param("package.json", "{", "package.json: ", id="package-json-cut-short"),
        pytest.param(
            "go.mod",
            "module example.com/app\n\nrequire golang.org/x/text\n",
            "go.mod: line 3: a require that is not `module version`",
            id="go-mod-require-without-version",
        ),
        pytest.param(
            "package-lock.json",
            '{\n<<<<<<< HEAD\n  "lockfileVersion": 3\n=======\n>>>>>>> main\n}\n',
            "package-lock.json: merge conflict markers (line 2)",
            id="lockfile-with-conflict-markers",
        ),
    ],
)
def test_a_manifest_that_does_not_parse_fails_the_agent(
    repo: GitRepo, fake_osv: FakeOsv, path: str, text: str, reason: str
) -> None:
    change = {path: text, "requirements.txt": REQS}
    done, report = review(repo, fake_osv, {}, change, "--agents", "dependencies")

    found = agent(report)
    assert (found["status"], found["attempts"]) == ("failed", 1), done.stderr
    assert found["reason"].startswith(reason) and "\n" not in found["reason"]
    assert (report["gate"]["verdict"], done.code) == ("incomplete", 3)
    assert fake_osv.requests() == []


def test_odd_package_names_are_not_sent_to_osv(repo: GitRepo, fake_osv: FakeOsv) -> None:
    names = ["../../etc", "evil;rm -rf ~", "line\nbreak", "lodash"]
    manifest = package_json(**{name: "4.17.20" for name in names})
    done, report = review(
        repo, fake_osv, {}, {"package.json": manifest}, "--agents", "dependencies"
    )

    assert rows(report) == {(GHSA_LODASH, "HIGH", "package.json", 8)}, done.stderr
    assert asked(fake_osv) == {("npm", "lodash", "4.17.20")}
    bad = "name with characters no registry allows"
    assert skipped(report) == [
        ("package.json", f"../../etc: {bad} (line 5)"),
        ("package.json", f"evil;rm -rf ~: {bad} (line 6)"),
        ("package.json", f"line\\nbreak: {bad} (line 7)"),
    ]


def test_a_5000_package_lockfile_goes_in_batches_osv_accepts(
    repo: GitRepo, fake_osv: FakeOsv
) -> None:
    record: dict[str, Any] = {
        "id": "GHSA-test-4321",
        "summary": "Prototype pollution in pkg-4321",
        "affected": [
            {
                "package": {"ecosystem": "npm", "name": "pkg-4321"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.1"}]}],
            }
        ],
    }
    fake_osv.add(record)
    lock = package_lock(**{f"pkg-{i}": "1.0.0" for i in range(5000)})
    done, report = review(
        repo, fake_osv, {}, {"package-lock.json": lock}, "--agents", "dependencies"
    )

    assert agent(report)["status"] == "ok", done.stderr
    line = 1 + lock[: lock.index('"node_modules/pkg-4321"')].count("\n")
    assert rows(report) == {("GHSA-test-4321", "MEDIUM", "package-lock.json", line)}
    batches = [len(r.queries) for r in fake_osv.requests() if r.path == "/v1/querybatch"]
    assert sum(batches) == 5000 and max(batches) <= 1000
    assert agent(report)["summary"].startswith("5000 package versions checked, 1 with known")
