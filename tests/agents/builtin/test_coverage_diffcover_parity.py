"""The `coverage` agent agrees with diff-cover: same percentage, same uncovered lines per file.

Each case builds a real repository (`main`, then a `feature` branch), produces a real report
(coverage.py over a small test script, or a hand-written Cobertura / LCOV file) and runs the
real `diff-cover` CLI against `main` next to the agent.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from baton.agents.base import AgentOutput
from baton.agents.builtin.coverage_reports import load_report
from tests.agents.builtin.coverage_support import diff_cover, review, run_coverage
from tests.fakes.repos import GitRepo

BASE_CALC = """def add(a, b):
    return a + b


def sub(a, b):
    return a - b
"""

FEATURE_CALC = """def add(a, b):
    total = a + b
    return total


def sub(a, b):
    if a < b:
        return b - a

    # a is the larger one
    return a - b


def mul(a, b):
    result = 0
    for _ in range(b):
        result += a
    return result
"""

IGNORED = ".gitignore", ".coverage\ncoverage.xml\ncoverage.lcov\n*.info\n*.json\n"


def start(repo: GitRepo, files: dict[str, str]) -> None:
    repo.write(*IGNORED)
    for path, text in files.items():
        repo.write(path, text)
    repo.commit("base")
    repo.branch("feature")


def change(repo: GitRepo, files: dict[str, str]) -> None:
    for path, text in files.items():
        repo.write(path, text)
    repo.commit("feature")


def missing_by_file(output: AgentOutput, report: Path, root: Path) -> dict[str, list[int]]:
    """The uncovered lines the agent's findings point at (runs may span unmeasured lines)."""
    measured = load_report(report, root)
    missing: dict[str, list[int]] = {}
    for finding in output.findings:
        assert finding.line is not None
        assert finding.end_line is not None
        span = range(finding.line, finding.end_line + 1)
        missing.setdefault(finding.path, []).extend(
            line for line in span if line in measured[finding.path].measured
        )
    return {path: sorted(lines) for path, lines in missing.items()}


def assert_parity(repo: GitRepo, report: Path) -> tuple[AgentOutput, dict[str, Any]]:
    expected = diff_cover(repo, report)
    output = review(repo, coverage_report=report, min_diff_coverage=80)
    assert output.metrics["measured_lines"] == expected["total_num_lines"]
    assert output.metrics["missing_lines"] == expected["total_num_violations"]
    # diff-cover truncates the total to an integer unless --total-percent-float is given.
    assert int(output.metrics["diff_coverage_percent"]) == expected["total_percent_covered"]
    violations = {
        path: stats["violation_lines"]
        for path, stats in expected["src_stats"].items()
        if stats["violation_lines"]
    }
    assert missing_by_file(output, report, repo.path) == violations
    return output, expected


def partial(repo: GitRepo) -> None:
    start(repo, {"calc.py": BASE_CALC})
    change(
        repo,
        {
            "calc.py": FEATURE_CALC,
            "run_tests.py": "from calc import add, sub\n\nassert add(1, 2) == 3\nsub(1, 2)\n",
        },
    )


def full(repo: GitRepo) -> None:
    start(repo, {"calc.py": BASE_CALC})
    script = "from calc import add, mul, sub\n\nadd(1, 2)\nsub(1, 2)\nsub(2, 1)\nmul(2, 3)\n"
    change(repo, {"calc.py": FEATURE_CALC, "run_tests.py": script})


def file_not_in_report(repo: GitRepo) -> None:
    start(repo, {"calc.py": BASE_CALC, "README.md": "# calc\n"})
    change(
        repo,
        {
            "calc.py": FEATURE_CALC,
            "tools/unused.py": "def never_imported():\n    return 1\n",
            "README.md": "# calc\n\nNow with multiplication.\n",
            "run_tests.py": "from calc import mul\n\nmul(2, 0)\n",
        },
    )


def new_and_renamed_files(repo: GitRepo) -> None:
    start(repo, {"pkg/__init__.py": "", "pkg/old_name.py": BASE_CALC})
    repo.git("mv", "pkg/old_name.py", "pkg/renamed.py")
    change(
        repo,
        {
            "pkg/renamed.py": BASE_CALC + "\n\ndef neg(a):\n    return -a\n",
            "pkg/new.py": '"""New module."""\n\n\ndef double(a):\n    if a:\n'
            "        return a * 2\n    return 0\n",
            "run_tests.py": "from pkg.new import double\nfrom pkg.renamed import add\n\n"
            "double(3)\nadd(1, 1)\n",
        },
    )


def comments_only(repo: GitRepo) -> None:
    start(repo, {"calc.py": BASE_CALC})
    text = BASE_CALC.replace("    return a - b\n", "    # subtract\n\n    return a - b\n")
    change(repo, {"calc.py": "# Calculator.\n" + text})
    repo.write("run_tests.py", "import calc\n")


def two_sources(repo: GitRepo) -> None:
    start(repo, {"src/app/__init__.py": "", "src/app/calc.py": BASE_CALC, "lib/util.py": ""})
    change(
        repo,
        {
            ".coveragerc": "[run]\nsource =\n    src\n    lib\n",
            "src/app/calc.py": FEATURE_CALC,
            "lib/util.py": "def clamp(x):\n    if x < 0:\n        return 0\n    return x\n",
            "run_tests.py": "import sys\n\nsys.path[:0] = ['src', 'lib']\n"
            "from app.calc import sub\nfrom util import clamp\n\nsub(1, 2)\nclamp(5)\n",
        },
    )


SCENARIOS: dict[str, Callable[[GitRepo], None]] = {
    "partial": partial,
    "full": full,
    "file-not-in-report": file_not_in_report,
    "new-and-renamed-files": new_and_renamed_files,
    "comments-only": comments_only,
    "two-sources": two_sources,
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_coverage_py_reports_match_diff_cover(repo: GitRepo, scenario: str) -> None:
    SCENARIOS[scenario](repo)
    run_coverage(repo)

    for report in ("coverage.xml", "coverage.lcov"):
        output, expected = assert_parity(repo, repo.path / report)

        if scenario == "full":
            assert output.findings == []
            assert output.metrics["diff_coverage_percent"] == 100.0
        elif scenario == "comments-only":
            assert expected["total_num_lines"] == 0
            assert output.summary is not None
            assert "no executable added lines" in output.summary
        else:
            assert expected["total_num_violations"] > 0
        if scenario == "file-not-in-report":
            assert "tools/unused.py" not in expected["src_stats"]
            assert {f.path for f in output.findings} == {"calc.py"}


def test_partial_coverage_matches_diff_cover_figures(repo: GitRepo) -> None:
    partial(repo)
    run_coverage(repo)

    output, expected = assert_parity(repo, repo.path / "coverage.xml")

    assert expected["src_stats"]["calc.py"]["violation_lines"] == [15, 16, 17, 18]
    assert expected["total_num_lines"] == 12
    assert output.summary == ("diff coverage 66.6% (8 of 12 added executable lines), minimum 80%")
    assert output.blocking == ["diff coverage 66.6% is below the 80% minimum"]
    [finding] = output.findings
    assert (finding.path, finding.line, finding.end_line) == ("calc.py", 15, 18)
    assert finding.title == "4 added lines not covered by tests"


def numbered(count: int) -> str:
    return "".join(f"value_{n} = {n}\n" for n in range(1, count + 1))


HAND_COBERTURA = """<?xml version="1.0"?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage line-rate="0.5" branch-rate="0" version="2.1" timestamp="0">
  <sources>
    <source>{root}/src</source>
    <source>lib</source>
    <source>   </source>
  </sources>
  <packages>
    <package name="all">
      <classes>
        <class name="core" filename="app/core.py">
          <lines>
            <line number="1" hits="4"/><line number="3" hits="1"/>
            <line number="4" hits="0"/><line number="5" hits="0"/><line number="7" hits="2"/>
            <line number="8" hits="0" branch="true" condition-coverage="0% (0/2)"/>
          </lines>
        </class>
        <class name="helpers" filename="helpers.py">
          <lines><line number="2" hits="0"/><line number="3"/><line number="4" hits="9"/></lines>
        </class>
        <class name="direct" filename="{root}/direct.py">
          <lines><line number="1" hits="0"/><line number="2" hits="1"/></lines>
        </class>
        <class name="Split" filename="split.py">
          <lines><line number="1" hits="1"/><line number="2" hits="0"/></lines>
        </class>
        <class name="Split$Inner" filename="split.py">
          <methods><method name="m"><lines><line number="3" hits="5"/></lines></method></methods>
          <lines><line number="2" hits="3"/><line number="3" hits="0"/></lines>
        </class>
        <class name="dup-relative" filename="dup.py">
          <lines><line number="1" hits="0"/><line number="2" hits="0"/></lines>
        </class>
        <class name="dup-absolute" filename="{root}/dup.py">
          <lines><line number="1" hits="1"/></lines>
        </class>
        <class name="far" filename="/elsewhere/far.py">
          <lines><line number="1" hits="0"/></lines>
        </class>
      </classes>
    </package>
  </packages>
</coverage>
"""


def test_hand_written_cobertura_with_several_sources_matches_diff_cover(repo: GitRepo) -> None:
    start(repo, {"src/app/core.py": numbered(2), "split.py": ""})
    change(
        repo,
        {
            "src/app/core.py": numbered(9),
            "lib/helpers.py": numbered(5),
            "direct.py": numbered(2),
            "split.py": numbered(3),
            "dup.py": numbered(2),
        },
    )
    report = repo.path.parent / "cobertura.xml"
    report.write_text(HAND_COBERTURA.format(root=repo.path.resolve()), encoding="utf-8")

    output, expected = assert_parity(repo, report)

    assert expected["src_stats"]["src/app/core.py"]["violation_lines"] == [4, 5, 8]
    assert expected["src_stats"]["lib/helpers.py"]["violation_lines"] == [2, 3]
    assert expected["src_stats"]["split.py"]["violation_lines"] == [2, 3]
    assert expected["src_stats"]["dup.py"]["violation_lines"] == []
    assert output.blocking


HAND_LCOV = """TN:
SF:{root}/app.py
FN:7,helper
FN:8,9,unused
DA:1,1
DA:2,0
DA:3,0,0a1b2c3d
BRDA:4,0,0,1
BRDA:4,0,1,0
BRDA:5,0,0,2
BRDA:5,0,1,1
DA:6,0
BRDA:6,0,0,1
BRDA:10,0,0,-
BRDA:10,0,1,-
FNDA:2,helper
FNDA:0,unused
FNF:2
FNH:1
LF:4
LH:1
end_of_record
SF:./app.py
DA:2,4
DA:11,0
end_of_record
SF:/elsewhere/far.py
DA:1,0
end_of_record
SF:lib/other.py
DA:1,0
DA:2,1
DA:4,0
end_of_record
"""


def test_hand_written_lcov_matches_diff_cover(repo: GitRepo) -> None:
    start(repo, {"lib/other.py": numbered(2)})
    change(repo, {"app.py": numbered(12), "lib/other.py": numbered(4)})
    report = repo.path.parent / "lcov.info"
    report.write_text(HAND_LCOV.format(root=repo.path.resolve()), encoding="utf-8")

    output, expected = assert_parity(repo, report)

    assert expected["src_stats"]["app.py"]["violation_lines"] == [3, 4, 8, 10, 11]
    assert expected["src_stats"]["lib/other.py"]["violation_lines"] == [4]
    assert output.metrics["measured_lines"] == 11
