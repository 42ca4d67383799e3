"""Report paths and URIs placed in the repository, or refused, whatever the tool wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baton.agents.analyser.formats import ReportFormat, parse_report
from baton.agents.analyser.formats.paths import place_name, place_uri

ROOT = Path("/builds/app")
KNOWN = frozenset({"src/a.py", "a.py", "docs/x y.md", "src/ü.py", "weird\\name.txt"})


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("src/a.py", "src/a.py"),
        ("./src/a.py", "src/a.py"),
        ("src//./a.py", "src/a.py"),
        ("src/lib/../a.py", "src/a.py"),
        ("src/new.py", "src/new.py"),
        ("src\\a.py", "src/a.py"),
        (".\\src\\a.py", "src/a.py"),
        ("weird\\name.txt", "weird\\name.txt"),
        ("/builds/app/src/a.py", "src/a.py"),
        ("/builds/app/./lib/../src/new.py", "src/new.py"),
        ("/builds/app", None),
        ("/builds/app/", None),
        ("/home/runner/work/app/app/src/a.py", "src/a.py"),
        ("/home/runner/work/app/app/docs/x y.md", "docs/x y.md"),
        ("/home/runner/work/app/app/src/other.py", None),
        ("/builds/application/lib/b.py", None),
        ("/builds/application/src/a.py", "src/a.py"),
        ("C:\\work\\app\\src\\a.py", "src/a.py"),
        ("C:/work/app/src/a.py", "src/a.py"),
        ("c:\\work\\app\\lib\\b.py", None),
        ("file:///builds/app/src/a.py", "src/a.py"),
        ("file:///builds/app/docs/x%20y.md", "docs/x y.md"),
        ("file:///C:/work/app/src/a.py", "src/a.py"),
        ("../outside.py", None),
        ("src/../../etc/passwd", None),
        ("/builds/app/../etc/passwd", None),
        ("../" * 1000 + "a.py", None),
        ("/" + "../" * 1000 + "etc/passwd", None),
        ("a/" * 5000 + "x.py", "a/" * 5000 + "x.py"),
        ("", None),
        (".", None),
        ("src/\x00a.py", None),
        ("src/a.py\nsrc/b.py", None),
        ("src/\udcc3\udcbc.py", "src/ü.py"),
        ("src/\udcffbad.py", None),
        ("src/\ud800.py", None),
    ],
)
def test_plain_file_name(name: str, expected: str | None) -> None:
    assert place_name(name, root=ROOT, known_paths=KNOWN) == expected


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("src/a.py", "src/a.py"),
        ("src/x%20y.py", "src/x y.py"),
        ("docs/x%20y.md", "docs/x y.md"),
        ("src/%C3%BC.py", "src/ü.py"),
        ("src/%FF.py", None),
        ("file:///builds/app/src/a.py", "src/a.py"),
        ("file:/builds/app/src/a.py", "src/a.py"),
        ("file://localhost/builds/app/src/a.py", "src/a.py"),
        ("FILE:///builds/app/src/a.py", "src/a.py"),
        ("file:///builds/app/docs/x%20y.md", "docs/x y.md"),
        ("file:///C:/work/app/src/a.py", "src/a.py"),
        ("file:///c%3A/work/app/src/a.py", "src/a.py"),
        ("file://server/share/app/src/a.py", "src/a.py"),
        ("file:///home/runner/work/app/app/src/nothere.py", None),
        ("file:///builds/app/%2E%2E/etc/passwd", None),
        ("https://example.com/src/a.py", None),
        ("git://example.com/src/a.py", None),
        ("file://[::1/src/a.py", None),
        ("file:", None),
        ("../a.py", None),
        ("%2E%2E/a.py", None),
    ],
)
def test_artifact_uri(uri: str, expected: str | None) -> None:
    assert place_uri(uri, root=ROOT, known_paths=KNOWN) == expected


NAME_PARTS = st.sampled_from(
    ["..", ".", "/", "\\", "C:", "file://", "%2e", "%ff", "\udcff", "\x00", "src", "a.py", "é"]
)


@given(st.one_of(st.text(), st.lists(NAME_PARTS).map("".join)))
def test_any_name_is_placed_inside_the_repository_or_not_at_all(name: str) -> None:
    for placed in (
        place_name(name, root=ROOT, known_paths=KNOWN),
        place_uri(name, root=ROOT, known_paths=KNOWN),
    ):
        if placed is not None:
            parts = placed.split("/")
            assert placed in KNOWN or ("" not in parts and ".." not in parts and "." not in parts)
            placed.encode("utf-8")


def test_root_given_through_a_symbolic_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "src").mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(real)

    assert place_name(str(real / "src/a.py"), root=link, known_paths=frozenset()) == "src/a.py"
    assert place_name(str(link / "src/a.py"), root=link, known_paths=frozenset()) == "src/a.py"


def rdjsonl(*paths: str) -> str:
    return "\n".join(json.dumps({"message": "m", "location": {"path": p}}) for p in paths)


def test_unplaced_paths_are_listed_once_each_in_order() -> None:
    text = rdjsonl(
        "/elsewhere/b.py", "src/a.py", "/elsewhere/b.py", "../up.py", "file:///x/%20c.py"
    )

    report = parse_report(ReportFormat.RDJSONL, text, root=ROOT, agent="lint", known_paths=KNOWN)

    assert [f.path for f in report.findings] == ["src/a.py"]
    assert report.unplaced == ("/elsewhere/b.py", "../up.py", "/x/ c.py")


def test_unplaced_path_with_a_bad_byte_is_listed_readably() -> None:
    report = parse_report(
        ReportFormat.RDJSONL, rdjsonl("src/\udcffbad.py"), root=ROOT, agent="lint"
    )

    assert report.findings == ()
    assert report.unplaced == ("src/\ufffdbad.py",)
    report.unplaced[0].encode("utf-8")


def test_path_with_a_bad_byte_that_is_a_known_file_once_repaired() -> None:
    known = frozenset({"src/\ufffdbad.py"})

    report = parse_report(
        ReportFormat.RDJSONL,
        rdjsonl("src/\udcffbad.py"),
        root=ROOT,
        agent="lint",
        known_paths=known,
    )

    assert [f.path for f in report.findings] == ["src/\ufffdbad.py"]
    report.findings[0].model_dump_json()
