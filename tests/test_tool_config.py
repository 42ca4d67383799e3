"""The tools' configuration from the trusted revision, and what a change edits in it."""

from __future__ import annotations

import pytest

from baton.tool_config import (
    MAX_EXTENDS,
    NOTED_NAMES,
    ReadText,
    changed_tool_configs,
    read_tool_configs,
    tool_tables,
)

PYPROJECT_RUFF = '[project]\nname = "app"\n\n[tool.ruff]\nline-length = 100\n'
PYPROJECT_PLAIN = '[project]\nname = "app"\ndependencies = ["requests>=2"]\n'


class Files:
    """A revision's files as a dict, remembering every path asked for."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.asked: list[str] = []

    def __call__(self, path: str) -> str | None:
        self.asked.append(path)
        return self.files.get(path)


def configs(files: dict[str, str]) -> dict[str, str]:
    read: ReadText = Files(files)
    return read_tool_configs(read)


def test_no_configuration_gives_nothing() -> None:
    assert configs({"app.py": "x = 1\n"}) == {}


def test_pyproject_is_kept_even_without_tool_tables() -> None:
    assert configs({"pyproject.toml": PYPROJECT_PLAIN}) == {"pyproject.toml": PYPROJECT_PLAIN}


@pytest.mark.parametrize(
    ("present", "ruff_file"),
    [
        ((".ruff.toml", "ruff.toml", "pyproject.toml"), ".ruff.toml"),
        (("ruff.toml", "pyproject.toml"), "ruff.toml"),
        ((".ruff.toml", "ruff.toml"), ".ruff.toml"),
        (("pyproject.toml",), "pyproject.toml"),
    ],
)
def test_ruff_reads_dot_ruff_toml_then_ruff_toml_then_pyproject(
    present: tuple[str, ...], ruff_file: str
) -> None:
    texts = {
        ".ruff.toml": 'extend = "from-dot.toml"\n',
        "ruff.toml": 'extend = "from-plain.toml"\n',
        "pyproject.toml": '[tool.ruff]\nextend = "from-pyproject.toml"\n',
    }
    extended = {
        ".ruff.toml": "from-dot.toml",
        "ruff.toml": "from-plain.toml",
        "pyproject.toml": "from-pyproject.toml",
    }
    files = {name: texts[name] for name in present}
    files |= {target: "# base\n" for target in extended.values()}

    found = configs(files)

    expected = {ruff_file, extended[ruff_file]} | ({"pyproject.toml"} & set(present))
    assert set(found) == expected
    assert all(found[path] == files[path] for path in found)


def test_the_extend_chain_is_followed_relative_to_each_files_folder() -> None:
    files = {
        "ruff.toml": 'extend = "configs/team.toml"\n',
        "configs/team.toml": 'extend = "./lint/strict.toml"\n',
        "configs/lint/strict.toml": 'extend = "../../shared/base.toml"\n',
        "shared/base.toml": "line-length = 88\n",
        "unrelated.toml": "",
    }

    assert configs(files) == {path: files[path] for path in list(files)[:4]}


def test_pyproject_ruff_extend_and_a_pyproject_in_the_chain_are_followed() -> None:
    files = {
        "pyproject.toml": '[tool.ruff]\nextend = "tools/pyproject.toml"\n',
        "tools/pyproject.toml": '[tool.ruff]\nextend = "ruff-base.toml"\n',
        "tools/ruff-base.toml": "line-length = 120\n",
    }

    assert configs(files) == files


def test_the_chain_stops_after_max_extends() -> None:
    files = {"ruff.toml": 'extend = "c1.toml"\n'}
    files |= {f"c{n}.toml": f'extend = "c{n + 1}.toml"\n' for n in range(1, 20)}
    reader = Files(files)

    found = read_tool_configs(reader)

    assert list(found) == ["ruff.toml", *(f"c{n}.toml" for n in range(1, MAX_EXTENDS + 1))]
    assert f"c{MAX_EXTENDS + 1}.toml" not in reader.asked


def test_a_cycle_is_read_once() -> None:
    files = {
        "ruff.toml": 'extend = "a.toml"\n',
        "a.toml": 'extend = "b.toml"\n',
        "b.toml": 'extend = "a.toml"\n',
    }
    reader = Files(files)

    assert read_tool_configs(reader) == files
    assert reader.asked == [
        "pyproject.toml",
        ".ruff.toml",
        "ruff.toml",
        "a.toml",
        "b.toml",
        ".hadolint.yaml",
        ".hadolint.yml",
    ]


@pytest.mark.parametrize(
    "extend",
    [
        "/etc/ruff.toml",
        "~/ruff.toml",
        "~user/ruff.toml",
        "../outside.toml",
        "configs/../../outside.toml",
        "./../outside.toml",
    ],
)
def test_extend_never_leaves_the_repository(extend: str) -> None:
    files = {"configs/base.toml": "", "ruff.toml": f'extend = "{extend}"\n'}
    reader = Files(files)

    found = read_tool_configs(reader)

    assert found == {"ruff.toml": files["ruff.toml"]}
    assert reader.asked == [
        "pyproject.toml",
        ".ruff.toml",
        "ruff.toml",
        ".hadolint.yaml",
        ".hadolint.yml",
    ]


@pytest.mark.parametrize(
    ("extend", "target"),
    [
        ("..base.toml", "..base.toml"),
        ("configs/..shared/base.toml", "configs/..shared/base.toml"),
        ("./configs/base.toml", "configs/base.toml"),
        ("configs//nested/../base.toml", "configs/base.toml"),
    ],
)
def test_extend_reads_any_file_inside_the_repository(extend: str, target: str) -> None:
    files = {"ruff.toml": f'extend = "{extend}"\n', target: "line-length = 90\n"}

    assert configs(files) == files


@pytest.mark.parametrize(
    "ruff",
    [
        'extend = "base.toml"\nthis is not toml',
        "extend = ['base.toml']\n",
        "extend = 3\n",
        "[lint]\nextend = 'base.toml'\n",
        'extend = "missing.toml"\n',
    ],
)
def test_a_broken_or_unusable_extend_ends_the_chain(ruff: str) -> None:
    assert configs({"ruff.toml": ruff, "base.toml": ""}) == {"ruff.toml": ruff}


@pytest.mark.parametrize(
    "pyproject", ["[project]\nname = 'x'\n", "[tool]\nruff = 2\n", "tool = 1\n", "tool = 'ruff'\n"]
)
def test_a_pyproject_in_the_chain_without_a_ruff_table_ends_it(pyproject: str) -> None:
    files = {"ruff.toml": 'extend = "sub/pyproject.toml"\n', "sub/pyproject.toml": pyproject}

    assert configs(files) == files


def test_a_broken_pyproject_is_kept_but_names_no_ruff_table() -> None:
    broken = "[tool.ruff\nline-length = 1\n"

    assert configs({"pyproject.toml": broken}) == {"pyproject.toml": broken}


@pytest.mark.parametrize(
    ("before", "after", "changed"),
    [
        (PYPROJECT_PLAIN, PYPROJECT_PLAIN.replace(">=2", ">=3"), []),
        (PYPROJECT_RUFF, PYPROJECT_RUFF.replace('"app"', '"renamed"') + "# note\n", []),
        (PYPROJECT_RUFF, PYPROJECT_RUFF.replace("100", "79"), ["pyproject.toml [tool.ruff]"]),
        (PYPROJECT_RUFF, PYPROJECT_RUFF + '\n[tool.bandit]\nskips = ["B602"]\n',
         ["pyproject.toml [tool.bandit]"]),
        (PYPROJECT_RUFF + '[tool.bandit]\nskips = []\n', PYPROJECT_PLAIN,
         ["pyproject.toml [tool.ruff]", "pyproject.toml [tool.bandit]"]),
        (PYPROJECT_RUFF, "[tool.ruff\n", ["pyproject.toml [tool.ruff]"]),
        (PYPROJECT_RUFF, PYPROJECT_RUFF + "\n[tool.mypy]\nstrict = false\n", []),
    ],
    ids=[
        "dependency-bump",
        "project-rename",
        "ruff-table",
        "bandit-added",
        "both-removed",
        "broken-toml",
        "other-tool",
    ],
)  # fmt: skip
def test_only_the_ruff_and_bandit_tables_of_pyproject_count(
    before: str, after: str, changed: list[str]
) -> None:
    trusted = {"pyproject.toml": before}
    head = {"pyproject.toml": after}

    assert changed_tool_configs(trusted, head, ["pyproject.toml"]) == changed


@pytest.mark.parametrize(
    ("trusted", "head", "changed"),
    [
        ({"ruff.toml": "line-length = 100\n"}, {"ruff.toml": "line-length = 100\n"}, []),
        ({"ruff.toml": "a = 1\n"}, {"ruff.toml": "a = 1 \n"}, ["ruff.toml"]),
        ({}, {"ruff.toml": "lint.select = []\n"}, ["ruff.toml"]),
        ({"ruff.toml": "x = 1\n"}, {}, ["ruff.toml"]),
        ({"ruff.toml": 'extend = "b.toml"\n', "b.toml": "x = 1\n"},
         {"ruff.toml": 'extend = "b.toml"\n', "b.toml": "x = 2\n"}, ["b.toml"]),
    ],
    ids=["same", "whitespace", "added", "removed", "extended-file"],
)  # fmt: skip
def test_other_configuration_files_count_by_their_text(
    trusted: dict[str, str], head: dict[str, str], changed: list[str]
) -> None:
    assert changed_tool_configs(trusted, head, sorted(set(trusted) | set(head))) == changed


def test_a_noted_file_anywhere_in_the_tree_is_reported_once() -> None:
    changed_paths = [
        "src/app.py",
        "pkg/sub/.flake8",
        "tox.ini",
        "ruff.toml",
        "services/api/ruff.toml",
        "a/.gitattributes",
        "nested/setup.cfg",
        ".secrets.baseline",
        "x/.bandit",
        "x/.ruff.toml",
        "docs/ruff.toml.md",
        "notes/tox.ini.bak",
    ]
    trusted = {"ruff.toml": "x = 1\n"}
    head = {"ruff.toml": "x = 2\n"}

    assert changed_tool_configs(trusted, head, changed_paths) == [
        "ruff.toml",
        ".secrets.baseline",
        "a/.gitattributes",
        "nested/setup.cfg",
        "pkg/sub/.flake8",
        "services/api/ruff.toml",
        "tox.ini",
        "x/.bandit",
        "x/.ruff.toml",
    ]


def test_every_noted_name_is_reported_when_changed() -> None:
    for name in NOTED_NAMES:
        assert changed_tool_configs({}, {}, [f"deep/dir/{name}"]) == [f"deep/dir/{name}"]


def test_nothing_changed_notes_nothing() -> None:
    same = {"pyproject.toml": PYPROJECT_RUFF, "ruff.toml": "x = 1\n"}

    assert changed_tool_configs(same, dict(same), ["src/app.py", "README.md"]) == []


@pytest.mark.parametrize(
    ("text", "tables"),
    [
        (PYPROJECT_RUFF, {"ruff": {"line-length": 100}}),
        ('[tool.bandit]\nskips = ["B101"]\n[tool.ruff.lint]\nselect = ["E"]\n',
         {"bandit": {"skips": ["B101"]}, "ruff": {"lint": {"select": ["E"]}}}),
        (PYPROJECT_PLAIN, {}),
        ("", {}),
        ("tool = 1\n", {}),
        ("[tool.ruff\n", {}),
        ("[tool]\nruff = {\n", {}),
    ],
    ids=["ruff", "bandit-and-nested", "no-tool", "empty", "tool-not-a-table", "broken",
         "broken-inline"],
)  # fmt: skip
def test_tool_tables_reads_the_tool_table_or_nothing(text: str, tables: dict) -> None:
    assert tool_tables(text) == tables
