"""Finding and reading coverage reports: Cobertura XML and LCOV, paths, and hostile input."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from baton.agents.builtin.coverage_reports import (
    REPORT_NAMES,
    FileCoverage,
    find_report,
    load_report,
)
from baton.errors import AgentError
from tests.agents.builtin.coverage_support import DATA

LCOV = "TN:\nSF:app.py\nDA:1,1\nDA:2,0\nend_of_record\n"
COBERTURA = """<?xml version="1.0" ?>
<coverage version="7.6.1">
  <sources><source>{source}</source></sources>
  <packages><package name="."><classes>
    <class name="app.py" filename="{filename}">
      <lines><line number="1" hits="1"/><line number="2" hits="0"/></lines>
    </class>
  </classes></package></packages>
</coverage>
"""
APP = {"app.py": FileCoverage(measured=frozenset({1, 2}), covered=frozenset({1}))}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load_error(report: Path, root: Path) -> str:
    with pytest.raises(AgentError) as caught:
        load_report(report, root)
    message = str(caught.value)
    assert "\n" not in message
    return message


# Finding a report.


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_each_conventional_report_location_is_found(tmp_path: Path, name: str) -> None:
    write(tmp_path / name, LCOV)

    assert find_report(tmp_path) == tmp_path / name


def test_report_locations_are_tried_in_order(tmp_path: Path) -> None:
    for name in REPORT_NAMES:
        write(tmp_path / name, LCOV)

    found = []
    while (report := find_report(tmp_path)) is not None:
        found.append(report.relative_to(tmp_path).as_posix())
        report.unlink()

    assert found == [
        "coverage.xml",
        "cobertura.xml",
        "coverage/cobertura-coverage.xml",
        "lcov.info",
        "coverage/lcov.info",
        "coverage.lcov",
    ]


def test_no_report_and_directories_are_not_reports(tmp_path: Path) -> None:
    (tmp_path / "coverage.xml").mkdir()

    assert find_report(tmp_path) is None


# The format comes from the content.


def test_lcov_named_like_xml_is_read_as_lcov(tmp_path: Path) -> None:
    report = write(tmp_path / "coverage.xml", LCOV)

    assert load_report(report, tmp_path) == APP


def test_cobertura_named_like_lcov_is_read_as_xml(tmp_path: Path) -> None:
    text = "\ufeff" + COBERTURA.format(source=tmp_path, filename="app.py")
    report = write(tmp_path / "lcov.info", text)

    assert load_report(report, tmp_path) == APP


# Cobertura paths.


def test_cobertura_paths_relative_to_an_absolute_source(tmp_path: Path) -> None:
    report = write(tmp_path / "c.xml", COBERTURA.format(source=tmp_path / "src", filename="app.py"))

    assert set(load_report(report, tmp_path)) == {"src/app.py", "app.py"}
    assert load_report(report, tmp_path)["src/app.py"] == APP["app.py"]


def test_cobertura_paths_relative_to_a_relative_source(tmp_path: Path) -> None:
    report = write(tmp_path / "c.xml", COBERTURA.format(source="lib/", filename="pkg\\app.py"))

    assert load_report(report, tmp_path)["lib/pkg/app.py"] == APP["app.py"]


def test_cobertura_absolute_filenames_inside_the_repository(tmp_path: Path) -> None:
    filename = tmp_path / "pkg" / "app.py"
    report = write(tmp_path / "c.xml", COBERTURA.format(source="/nowhere", filename=filename))

    assert load_report(report, tmp_path) == {"pkg/app.py": APP["app.py"]}


def test_cobertura_files_outside_the_repository_are_left_out(tmp_path: Path) -> None:
    report = write(tmp_path / "c.xml", COBERTURA.format(source="/nowhere", filename="../app.py"))

    assert load_report(report, tmp_path) == {}


def test_report_paths_through_a_symlinked_checkout(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    report = write(real / "c.xml", COBERTURA.format(source=real, filename="app.py"))

    assert load_report(report, link)["app.py"] == APP["app.py"]


def test_cobertura_line_without_hits_is_missed(tmp_path: Path) -> None:
    text = COBERTURA.format(source=tmp_path, filename="app.py").replace(' hits="1"', "")

    result = load_report(write(tmp_path / "c.xml", text), tmp_path)

    assert result["app.py"].missing == {1, 2}


def test_cobertura_line_number_that_is_not_a_number(tmp_path: Path) -> None:
    text = COBERTURA.format(source=tmp_path, filename="app.py").replace('"2"', '"two"')

    message = load_error(write(tmp_path / "c.xml", text), tmp_path)

    assert message == (
        "coverage report c.xml: <line number='two' hits='0'> is not a pair of whole numbers"
    )


# Hostile and broken XML.


def test_billion_laughs_is_refused_without_expanding(tmp_path: Path) -> None:
    report = shutil.copy(DATA / "billion_laughs.xml", tmp_path / "coverage.xml")

    began = time.monotonic()
    message = load_error(Path(report), tmp_path)

    assert time.monotonic() - began < 5
    assert message == (
        "coverage report coverage.xml was refused: "
        "it declares XML entities (possible entity-expansion attack)"
    )


def test_external_entities_are_refused(tmp_path: Path) -> None:
    report = shutil.copy(DATA / "external_entity.xml", tmp_path / "coverage.xml")

    message = load_error(Path(report), tmp_path)

    assert "refused" in message
    assert Path("/etc/hostname").read_text(encoding="utf-8").strip() not in message


def test_truncated_xml_is_one_line_error(tmp_path: Path) -> None:
    report = shutil.copy(DATA / "truncated.xml", tmp_path / "coverage.xml")

    message = load_error(Path(report), tmp_path)

    assert message.startswith("coverage report coverage.xml is not valid XML: ")


@pytest.mark.parametrize(("name", "kind"), [("jacoco.xml", "<report>"), ("clover.xml", "Clover")])
def test_other_xml_coverage_formats_are_named(tmp_path: Path, name: str, kind: str) -> None:
    report = shutil.copy(DATA / name, tmp_path / name)

    message = load_error(Path(report), tmp_path)

    assert message == (
        f"coverage report {name} is a {kind} XML document; baton reads Cobertura XML and LCOV"
    )


# LCOV.


def test_lcov_absolute_and_dotted_paths_merge_and_sum(tmp_path: Path) -> None:
    text = (
        f"SF:{tmp_path}/pkg/app.py\nDA:1,0\nDA:2,0,c0ffee\nend_of_record\n"
        "SF:./pkg/app.py\nDA:2,3\nDA:5,0\nend_of_record\n"
        "SF:/elsewhere/other.py\nDA:1,1\nend_of_record\n"
    )

    result = load_report(write(tmp_path / "lcov.info", text), tmp_path)

    assert result == {
        "pkg/app.py": FileCoverage(measured=frozenset({1, 2, 5}), covered=frozenset({2}))
    }


def test_lcov_branch_and_function_records_fill_lines_without_da(tmp_path: Path) -> None:
    text = (
        "SF:app.py\nFN:1,3,f\nFN:7,g\nFNDA:4,f\nFNDA:0,g\n"
        "BRDA:4,0,0,1\nBRDA:4,0,1,0\nBRDA:5,0,0,2\nBRDA:5,0,1,1\n"
        "DA:6,0\nBRDA:6,0,0,1\nBRDA:8,0,0,-\nend_of_record\n"
    )

    result = load_report(write(tmp_path / "lcov.info", text), tmp_path)

    assert result["app.py"].measured == {1, 4, 5, 6, 7, 8}
    assert result["app.py"].covered == {1, 5, 6}


def test_lcov_ignores_unknown_directives_and_blank_lines(tmp_path: Path) -> None:
    text = "VER:2.0\n\nSF:app.py\nMCDC:1,0,t,1,0,x\nDA:1,1\nDA:2,0\nLF:2\n\nend_of_record\n"

    assert load_report(write(tmp_path / "lcov.info", text), tmp_path) == APP


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DA:1,1\n", "coverage report lcov.info, line 1: DA: line outside an SF: record"),
        (
            "SF:a.py\nDA:1\n",
            "coverage report lcov.info, line 2: DA: needs a line number and a count",
        ),
        ("SF:a.py\nDA:x,1\n", "coverage report lcov.info, line 2: 'x' is not a whole number"),
        (
            "SF:a.py\nBRDA:1,0\n",
            "coverage report lcov.info, line 2: BRDA: needs a line, a block, a branch and a count",
        ),
        (
            "hello world\n",
            "coverage report lcov.info is neither Cobertura XML nor LCOV (no SF: line)",
        ),
        (" \n\n", "coverage report lcov.info is empty"),
    ],
)
def test_broken_lcov_is_one_line_error(tmp_path: Path, text: str, expected: str) -> None:
    report = write(tmp_path / "lcov.info", text)

    assert load_error(report, tmp_path) == expected


def test_binary_garbage_is_one_line_error(tmp_path: Path) -> None:
    report = tmp_path / "lcov.info"
    report.write_bytes(b"SF:\xff\xfe\x00\x01")

    assert load_error(report, tmp_path) == (
        "coverage report lcov.info is neither XML nor UTF-8 LCOV text"
    )


def test_unreadable_report_is_one_line_error(tmp_path: Path) -> None:
    report = tmp_path / "gone.info"

    assert load_error(report, tmp_path) == (
        "cannot read coverage report gone.info: No such file or directory"
    )
