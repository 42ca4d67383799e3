"""The dependency parsers' front and Python's manifests: which files are manifests, what a
change adds or bumps against its base (not what it keeps or removes), and requirements files
and pyproject.toml read with their exact lines."""

from __future__ import annotations

from textwrap import dedent

import pytest

from baton.agents.builtin.dependencies.manifests import changed_entries, is_manifest
from tests.agents.builtin.dependencies.support import Entry, Skipped, entries, problem, skips

GIT = "a git URL, not a registry version"
URL = "a URL, not a registry version"
LOCAL = "a local path, not a registry version"

REQUIREMENTS = dedent("""\
    # Production dependencies, compiled by pip-compile
    --index-url https://pypi.org/simple
    -r requirements/base.txt
    -c constraints.txt

    Django==4.2.7
    djangorestframework==3.14.0 \\
        --hash=sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa \\
        --hash=sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
    requests[security]>=2.31,<3 ; python_version >= "3.8"
    psycopg2-binary==2.9.9  # the binary wheel in CI
    -e git+https://github.com/example/internal-tools.git@v1.2#egg=internal_tools
    git+https://github.com/example/audit-log.git@main#egg=audit-log
    https://files.example.com/wheels/shared_models-1.0.0-py3-none-any.whl
    ./vendor/legacy_pkg
    Pillow===9.5.0
    zope.interface==6.*
""")
REQUIREMENTS_HEAD = (
    REQUIREMENTS.replace("Django==4.2.7", "Django==4.2.8")
    .replace("psycopg2-binary==2.9.9  # the binary wheel in CI\n", "")
    .replace("Pillow===9.5.0\n", "Pillow===9.5.0\ncelery[redis]==5.3.6\n")
)

PYPROJECT = dedent("""\
    [build-system]
    requires = ["hatchling>=1.25"]
    build-backend = "hatchling.build"

    [project]
    name = "inventory-service"
    version = "0.3.0"
    requires-python = ">=3.11"
    dependencies = [
        "fastapi>=0.110,<1",
        "pydantic==2.6.4",
        "SQLAlchemy[asyncio]~=2.0",
        "uvicorn[standard] @ git+https://github.com/encode/uvicorn.git@0.29.0",
    ]

    [project.optional-dependencies]
    dev = [
        "pytest==8.1.1",
        "ruff>=0.3",
        "pydantic==2.6.4",
    ]

    [dependency-groups]
    docs = ["mkdocs==1.5.3", {include-group = "dev"}]
""")

POETRY_PYPROJECT = dedent("""\
    [tool.poetry]
    name = "billing"
    version = "1.0.0"
    description = "Billing worker"

    [tool.poetry.dependencies]
    python = "^3.11"
    requests = "^2.31"
    PyYAML = "5.3"
    celery = { version = "5.3.6", extras = ["redis"] }
    internal-sdk = { git = "https://github.com/example/internal-sdk.git", tag = "v2.0.0" }
    shared = { path = "../shared", develop = true }

    [tool.poetry.group.dev.dependencies]
    pytest = "^8.0"
    black = "==24.2.0"
""")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("requirements.txt", True, id="requirements"),
        pytest.param("services/api/requirements-dev.txt", True, id="requirements-in-subfolder"),
        pytest.param("requirements/base.txt", True, id="requirements-folder"),
        pytest.param("docs/requirements/extra.txt", True, id="nested-requirements-folder"),
        pytest.param("pyproject.toml", True, id="pyproject"),
        pytest.param("backend/poetry.lock", True, id="poetry-lock"),
        pytest.param("uv.lock", True, id="uv-lock"),
        pytest.param("Pipfile.lock", True, id="pipfile-lock"),
        pytest.param("web/package.json", True, id="package-json"),
        pytest.param("package-lock.json", True, id="package-lock"),
        pytest.param("yarn.lock", True, id="yarn-lock"),
        pytest.param("pnpm-lock.yaml", True, id="pnpm-lock"),
        pytest.param("go.mod", True, id="go-mod"),
        pytest.param("crates/x/Cargo.lock", True, id="cargo-lock"),
        pytest.param("Gemfile.lock", True, id="gemfile-lock"),
        pytest.param("notes.txt", False, id="other-txt"),
        pytest.param("requirements.in", False, id="requirements-in"),
        pytest.param("go.sum", False, id="go-sum"),
        pytest.param("Cargo.toml", False, id="cargo-toml"),
        pytest.param("Gemfile", False, id="gemfile"),
        pytest.param("src/package.json.bak", False, id="backup"),
    ],
)
def test_is_manifest_by_file_name(path: str, expected: bool) -> None:
    assert is_manifest(path) is expected


@pytest.mark.parametrize(
    ("path", "head", "base", "expected"),
    [
        pytest.param(
            "requirements.txt",
            REQUIREMENTS,
            None,
            [
                ("django", "4.2.7", "==4.2.7", 6, None),
                ("djangorestframework", "3.14.0", "==3.14.0", 7, None),
                ("requests", None, ">=2.31,<3", 10, None),
                ("psycopg2-binary", "2.9.9", "==2.9.9", 11, None),
                ("pillow", "9.5.0", "===9.5.0", 16, None),
                ("zope-interface", None, "==6.*", 17, None),
            ],
            id="requirements-new-file",
        ),
        pytest.param(
            "requirements.txt",
            REQUIREMENTS_HEAD,
            REQUIREMENTS,
            [("django", "4.2.8", "==4.2.8", 6, "4.2.7"), ("celery", "5.3.6", "==5.3.6", 16, None)],
            id="requirements-bump-and-add-not-kept-or-removed",
        ),
        pytest.param(
            "requirements/dev.txt",
            "requests>=2.31\n",
            "requests==2.28.0\n",
            [("requests", None, ">=2.31", 1, "2.28.0")],
            id="requirements-pin-to-range-keeps-previous",
        ),
        pytest.param(
            "pyproject.toml",
            PYPROJECT,
            None,
            [
                ("fastapi", None, ">=0.110,<1", 10, None),
                ("pydantic", "2.6.4", "==2.6.4", 11, None),
                ("sqlalchemy", None, "~=2.0", 12, None),
                ("pytest", "8.1.1", "==8.1.1", 18, None),
                ("ruff", None, ">=0.3", 19, None),
                ("mkdocs", "1.5.3", "==1.5.3", 24, None),
            ],
            id="pyproject-project-tables",
        ),
        pytest.param(
            "pyproject.toml",
            PYPROJECT.replace('"ruff>=0.3"', '"ruff>=0.4"'),
            PYPROJECT,
            [("ruff", None, ">=0.4", 19, None)],
            id="pyproject-range-change",
        ),
        pytest.param(
            "pyproject.toml",
            POETRY_PYPROJECT,
            None,
            [
                ("requests", None, "^2.31", 8, None),
                ("pyyaml", "5.3", "5.3", 9, None),
                ("celery", "5.3.6", "5.3.6", 10, None),
                ("pytest", None, "^8.0", 15, None),
                ("black", "24.2.0", "==24.2.0", 16, None),
            ],
            id="pyproject-poetry-tables",
        ),
    ],
)
def test_python_entries(path: str, head: str, base: str | None, expected: list[Entry]) -> None:
    assert entries(changed_entries(path, head, base)) == expected


@pytest.mark.parametrize(
    ("path", "head", "expected"),
    [
        pytest.param(
            "requirements.txt",
            REQUIREMENTS,
            [
                ("audit-log", 13, GIT),
                ("https://files.example.com/wheels/shared_models-1.0.0-py3-none-any.whl", 14, URL),
                ("./vendor/legacy_pkg", 15, LOCAL),
            ],
            id="requirements-urls-and-paths",
        ),
        pytest.param("pyproject.toml", PYPROJECT, [("uvicorn", 13, GIT)], id="pyproject-url"),
        pytest.param(
            "pyproject.toml",
            POETRY_PYPROJECT,
            [("internal-sdk", 11, GIT), ("shared", 12, LOCAL)],
            id="poetry-git-and-path",
        ),
    ],
)
def test_python_skips(path: str, head: str, expected: list[Skipped]) -> None:
    assert skips(changed_entries(path, head, None)) == expected


def test_a_line_that_is_not_a_requirement_is_skipped_not_fatal() -> None:
    changed = changed_entries("requirements.txt", "flask==2.0.1\nfoo bar==1.0\n", None)
    assert entries(changed) == [("flask", "2.0.1", "==2.0.1", 1, None)]
    [(name, line, reason)] = skips(changed)
    assert (name, line) == ("foo", 2)
    assert reason.startswith("not a requirement pip reads: ")


def test_unchanged_skips_are_not_repeated() -> None:
    changed = changed_entries("requirements.txt", REQUIREMENTS_HEAD, REQUIREMENTS)
    assert changed.skipped == []


@pytest.mark.parametrize(
    ("path", "head", "base"),
    [
        pytest.param("requirements.txt", None, REQUIREMENTS, id="deleted-file"),
        pytest.param("README.md", "Django==4.2.7\n", None, id="not-a-manifest"),
        pytest.param("pyproject.toml", PYPROJECT, PYPROJECT, id="unchanged"),
        pytest.param(
            "requirements.txt",
            "Django==4.2.7\n",
            "Django==4.2.7\ncelery==5.3.6\n",
            id="only-removed",
        ),
    ],
)
def test_nothing_to_ask_about(path: str, head: str | None, base: str | None) -> None:
    changed = changed_entries(path, head, base)
    assert (changed.entries, changed.skipped, changed.problem) == ([], [], None)


def test_a_base_that_does_not_parse_counts_as_empty() -> None:
    changed = changed_entries("pyproject.toml", POETRY_PYPROJECT, "[tool.poetry\nname = ")
    assert [e.name for e in changed.entries] == ["requests", "pyyaml", "celery", "pytest", "black"]


def test_several_base_versions_previous_is_the_one_replaced() -> None:
    base = 'lodash@^3:\n  version "3.10.1"\n\nlodash@^4:\n  version "4.17.20"\n'
    head = base.replace("4.17.20", "4.17.21")
    changed = changed_entries("yarn.lock", head, base)
    assert entries(changed) == [("lodash", "4.17.21", "4.17.21", 4, "4.17.20")]


@pytest.mark.parametrize(
    ("path", "head", "expected"),
    [
        pytest.param(
            "pyproject.toml",
            '[project]\nname = "x"\nname = "y"\n',
            "pyproject.toml: not TOML (line 3: Cannot overwrite a value)",
            id="toml-duplicate-key",
        ),
        pytest.param(
            "pyproject.toml",
            '[project]\ndependencies = "requests"\n',
            "pyproject.toml: dependencies is not an array of strings",
            id="pyproject-wrong-shape",
        ),
        pytest.param(
            "requirements.txt",
            "Django==4.2.7\n<<<<<<< HEAD\ncelery==5.3.6\n=======\ncelery==5.3.5\n>>>>>>> main\n",
            "requirements.txt: merge conflict markers (line 2)",
            id="conflict-markers",
        ),
    ],
)
def test_python_problems(path: str, head: str, expected: str) -> None:
    assert problem(path, head) == expected


def test_each_pyproject_table_is_looked_up_from_its_own_header() -> None:
    head = dedent("""\
        [build-system]
        requires = ["requests>=2"]

        [tool.poetry]
        name = "billing"
        version = "1.0.0"

        [tool.poetry.group.dev.dependencies]
        version = "^1.0"

        [tool.poetry.dependencies]
        python = "^3.11"
        name = "2.0"

        [project]
        dependencies = ["requests>=2"]
    """)
    assert entries(changed_entries("pyproject.toml", head, None)) == [
        ("requests", None, ">=2", 16, None),
        ("name", "2.0", "2.0", 13, None),
        ("version", None, "^1.0", 9, None),
    ]


def test_a_marker_nested_past_any_parser_is_skipped() -> None:
    head = "flask==2.0.1\nfoo==1.0; " + "(" * 1500 + 'python_version>"3"' + ")" * 1500 + "\n"
    changed = changed_entries("requirements.txt", head, None)
    assert entries(changed) == [("flask", "2.0.1", "==2.0.1", 1, None)]
    [(name, line, reason)] = skips(changed)
    assert (name, line) == ("foo", 2)
    assert reason.startswith("not a requirement pip reads: ")
