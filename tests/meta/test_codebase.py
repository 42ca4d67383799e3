"""The codebase keeps its own rules: typed, linted, small modules, a docstring each."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "src" / "baton").rglob("*.py"))


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_mypy_strict_passes_on_src(tmp_path: Path) -> None:
    # A fresh cache: a stale one can hide errors a clean checkout reports.
    done = _run("mypy", "--cache-dir", str(tmp_path / "mypy-cache"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_lint_and_format_are_clean() -> None:
    lint = _run("ruff", "check", "src", "tests", "bench", "scripts")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = _run("ruff", "format", "--check", "src", "tests", "bench", "scripts")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_small_and_says_what_it_owns(path: Path) -> None:
    text = path.read_text()
    assert len(text.splitlines()) <= 400
    if path.name != "__init__.py" or text.strip():
        assert text.lstrip().startswith(('"""', "'''")), "module docstring missing"


def test_shipped_report_schema_is_current() -> None:
    done = _run("baton", "schema")
    assert done.returncode == 0, done.stderr
    shipped = (ROOT / "schema" / "report.schema.json").read_text()
    assert done.stdout == shipped, "run: python -m baton schema > schema/report.schema.json"


PUBLISHED = (
    "README.md",
    "action.yml",
    "Dockerfile",
    "gitlab-template.yml",
    *sorted(f"templates/{path.name}" for path in (ROOT / "templates").glob("*.yml")),
    ".gitlab-ci.yml",
    "SECURITY.md",
    "CHANGELOG.md",
    ".github/workflows/release.yml",
)
"""Files that name where baton is published (every GitLab component, templates/*.yml)."""


@pytest.mark.parametrize("name", PUBLISHED)
def test_published_names_are_the_canonical_ones(name: str) -> None:
    """One repository and image name everywhere: github.com/baton-review/baton, the action
    baton-review/baton, ghcr.io/baton-review/baton, gitlab.com/baton-review/baton."""
    text = (ROOT / name).read_text()
    assert not re.search(r"\b(OWNER|owner)/baton\b", text)
    for image in re.findall(r"ghcr\.io/[\w.-]+/[\w.-]+", text):
        assert image == "ghcr.io/baton-review/baton", image
    for action in re.findall(r"uses: ([\w.-]+/baton)@", text):
        assert action == "baton-review/baton", action
    for project in re.findall(r"(?:github|gitlab)\.com/([\w.-]+/baton)\b", text):
        assert project == "baton-review/baton", project
