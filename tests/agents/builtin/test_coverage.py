"""The `coverage` agent over real repositories: threshold, findings, and reports it cannot use."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from baton.agents.builtin.coverage import CoverageAgent
from baton.change.model import ChangedFile, FileStatus
from baton.errors import AgentError, AgentSkipped
from baton.findings.model import Confidence, Severity
from tests.agents.builtin.coverage_support import DATA, review, run_coverage
from tests.fakes.repos import GitRepo

# app.py, new on the feature branch, has 10 lines. The report measures all but line 7
# (as it would skip a comment): 1-4 and 6 ran, 5 and 8-10 did not.
APP = "".join(f"value_{n} = {n}\n" for n in range(1, 11))
HITS = {1: 1, 2: 1, 3: 2, 4: 1, 5: 0, 6: 3, 8: 0, 9: 0, 10: 0}


def cobertura(hits: dict[int, int], filename: str = "app.py") -> str:
    lines = "".join(f'<line number="{n}" hits="{h}"/>' for n, h in hits.items())
    return (
        '<?xml version="1.0" ?>\n<coverage><sources><source>.</source></sources><packages>'
        f'<package name="."><classes><class name="{filename}" filename="{filename}">'
        f"<lines>{lines}</lines></class></classes></package></packages></coverage>\n"
    )


def lcov(hits: dict[int, int], filename: str = "app.py") -> str:
    lines = "".join(f"DA:{n},{h}\n" for n, h in hits.items())
    return f"TN:\nSF:{filename}\n{lines}end_of_record\n"


@pytest.fixture
def feature(repo: GitRepo) -> GitRepo:
    """`main` with a README; branch `feature` adds app.py and edits the README."""
    repo.write("README.md", "# demo\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("app.py", APP)
    repo.write("README.md", "# demo\n\nMore words.\n")
    repo.commit("feature")
    return repo


def test_below_the_minimum_blocks(feature: GitRepo) -> None:
    feature.write("coverage.xml", cobertura(HITS))

    output = review(feature, min_diff_coverage=80)

    assert output.summary == "diff coverage 55.5% (5 of 9 added executable lines), minimum 80%"
    assert output.blocking == ["diff coverage 55.5% is below the 80% minimum"]
    assert output.metrics == {
        "diff_coverage_percent": 55.55,
        "covered_lines": 5.0,
        "measured_lines": 9.0,
        "missing_lines": 4.0,
    }


def test_at_or_above_the_minimum_passes(feature: GitRepo) -> None:
    feature.write("coverage.xml", cobertura(HITS))

    output = review(feature, min_diff_coverage=55.5)

    assert output.blocking == []
    assert output.summary == "diff coverage 55.5% (5 of 9 added executable lines), minimum 55.5%"


def test_a_figure_just_under_the_minimum_never_reads_as_the_minimum(feature: GitRepo) -> None:
    hits = {n: int(n > 1) for n in range(1, 2001)}
    feature.write("app.py", "".join(f"value_{n} = {n}\n" for n in hits))
    feature.commit("longer")
    feature.write("coverage.xml", cobertura(hits))

    output = review(feature, min_diff_coverage=100)

    assert output.summary is not None
    assert output.summary.startswith("diff coverage 99.9% (1999 of 2000 added executable lines)")
    assert output.blocking == ["diff coverage 99.9% is below the 100% minimum"]


def test_one_finding_per_run_of_missed_lines(feature: GitRepo) -> None:
    feature.write("coverage.xml", cobertura(HITS))

    findings = review(feature).findings

    assert [(f.path, f.line, f.end_line, f.title) for f in findings] == [
        ("app.py", 5, 5, "1 added line not covered by tests"),
        ("app.py", 8, 10, "3 added lines not covered by tests"),
    ]
    assert {(f.agent, f.rule_id, f.severity, f.confidence) for f in findings} == {
        ("coverage", "diff-coverage", Severity.LOW, Confidence.HIGH)
    }
    assert all(f.recommendation for f in findings)


def test_a_run_goes_over_unmeasured_added_lines_but_not_unchanged_ones(repo: GitRepo) -> None:
    repo.write("app.py", "a = 1\nb = 2\nc = 3\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("app.py", "a = 1\nx = 0\n\n# note\ny = 0\nb = 2\nz = 0\nc = 3\n")
    repo.commit("feature")
    repo.write("coverage.xml", cobertura({1: 1, 2: 0, 5: 0, 6: 1, 7: 0, 8: 1}))

    findings = review(repo).findings

    assert [(f.line, f.end_line, f.title) for f in findings] == [
        (2, 5, "2 added lines not covered by tests"),
        (7, 7, "1 added line not covered by tests"),
    ]


def test_lcov_and_cobertura_are_found_and_agree(feature: GitRepo) -> None:
    feature.write("lcov.info", lcov(HITS))
    from_lcov = review(feature)
    (feature.path / "lcov.info").unlink()
    feature.write("coverage/cobertura-coverage.xml", cobertura(HITS))
    from_xml = review(feature)

    assert from_lcov.metrics == from_xml.metrics
    assert from_lcov.findings == from_xml.findings
    assert from_lcov.summary == "diff coverage 55.5% (5 of 9 added executable lines), minimum 80%"


def test_real_coverage_py_report_is_used(feature: GitRepo) -> None:
    feature.write(
        "app.py", "def used():\n    return 1\n\n\ndef unused():\n    return 2\n\n\nused()\n"
    )
    feature.commit("functions")
    run_coverage(feature, "app.py")

    output = review(feature, min_diff_coverage=50)

    assert output.summary == "diff coverage 80.0% (4 of 5 added executable lines), minimum 50%"
    assert [(f.line, f.end_line) for f in output.findings] == [(6, 6)]


def test_files_the_report_does_not_mention_are_not_counted(feature: GitRepo) -> None:
    feature.write("other.py", "print('never measured')\n")
    feature.commit("other")
    feature.write("coverage.xml", cobertura(HITS))

    output = review(feature)

    assert output.metrics["measured_lines"] == 9
    assert {f.path for f in output.findings} == {"app.py"}


def test_no_executable_added_lines_is_not_a_failure(feature: GitRepo) -> None:
    feature.write("coverage.xml", cobertura({}, filename="README.md"))

    output = review(feature, min_diff_coverage=100)

    assert output.blocking == []
    assert output.findings == []
    assert output.summary == "no executable added lines in the coverage report, minimum 100%"
    assert output.metrics["diff_coverage_percent"] == 100.0


def test_no_report_skips_the_agent(feature: GitRepo) -> None:
    with pytest.raises(AgentSkipped, match=r"^no coverage report$"):
        review(feature)


def test_configured_report_relative_to_the_repository(feature: GitRepo) -> None:
    feature.write("reports/unit.txt", lcov(HITS))
    feature.write("coverage.xml", cobertura({n: 1 for n in HITS}))

    output = review(feature, coverage_report=Path("reports/unit.txt"))

    assert output.metrics["missing_lines"] == 4


def test_configured_report_that_does_not_exist_fails(feature: GitRepo) -> None:
    feature.write("coverage.xml", cobertura(HITS))

    with pytest.raises(AgentError) as caught:
        review(feature, coverage_report=Path("build/coverage.xml"))

    assert not isinstance(caught.value, AgentSkipped)
    assert str(caught.value) == "coverage report build/coverage.xml not found"
    assert not caught.value.retryable  # the same file would be missing on a rerun


def test_malformed_xml_fails_with_one_line(feature: GitRepo) -> None:
    shutil.copy(DATA / "truncated.xml", feature.path / "coverage.xml")

    with pytest.raises(AgentError) as caught:
        review(feature)

    assert not isinstance(caught.value, AgentSkipped)
    assert str(caught.value).startswith("coverage report coverage.xml is not valid XML: ")
    assert "\n" not in str(caught.value)
    assert not caught.value.retryable


def test_xml_bomb_is_refused(feature: GitRepo) -> None:
    shutil.copy(DATA / "billion_laughs.xml", feature.path / "cobertura.xml")

    with pytest.raises(AgentError) as caught:
        review(feature)

    assert str(caught.value) == (
        "coverage report cobertura.xml was refused: "
        "it declares XML entities (possible entity-expansion attack)"
    )


def test_accepts_every_text_file_but_not_binary_or_deleted_ones() -> None:
    agent = CoverageAgent()

    assert agent.name == "coverage"
    assert agent.accepts(ChangedFile(path="web/app.ts", status=FileStatus.MODIFIED)) is None
    assert agent.accepts(ChangedFile(path="Makefile", status=FileStatus.ADDED)) is None
    binary = ChangedFile(path="logo.png", status=FileStatus.ADDED, binary=True)
    assert agent.accepts(binary) == "binary file"
    assert agent.accepts(ChangedFile(path="old.py", status=FileStatus.DELETED)) == "deleted file"
