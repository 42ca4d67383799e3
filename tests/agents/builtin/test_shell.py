"""The shell agent with the real shellcheck on scripts a pull request could add."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.agents.builtin.ci_common import MAX_TOOL_BYTES
from baton.agents.builtin.shell import ShellAgent, interpreter, plan_for
from baton.change.model import ChangedFile, FileStatus
from baton.errors import AgentError
from baton.findings.model import Severity
from baton.settings import Settings
from tests.agents.builtin.agent_harness import new_file, run_agent
from tests.agents.builtin.ci_support import (
    fake_tool,
    marker_notes,
    new_file_git_lines,
    rows,
)

HIGH, MEDIUM, LOW, INFO = Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO

CLEANUP = """\
#!/bin/sh
set -eu
target=$1
rm -rf $target/
"""


def review(tmp_path: Path, files: dict[str, str], **kwargs: object):
    root = tmp_path / "repo"
    changed = [new_file(root, path, text) for path, text in files.items()]
    return run_agent(ShellAgent(), root, changed, **kwargs)  # type: ignore[arg-type]


def test_an_unquoted_variable_in_rm_rf(tmp_path: Path) -> None:
    output = review(tmp_path, {"scripts/cleanup.sh": CLEANUP})

    assert rows(output) == {("SC2115", MEDIUM, 4), ("SC2086", LOW, 4)}
    [rm] = [f for f in output.findings if f.rule_id == "SC2115"]
    assert rm.rule_url == "https://www.shellcheck.net/wiki/SC2115"
    assert rm.title == 'Use "${var:?}" to ensure this never expands to / .'
    assert output.summary == "shellcheck on 1 file"


def test_a_parse_error_is_high(tmp_path: Path) -> None:
    output = review(tmp_path, {"build.sh": "#!/bin/bash\nif [ -f x ]; then\n  echo hi\n"})

    assert ("SC1046", HIGH, 2) in rows(output)
    assert {f.severity for f in output.findings} == {HIGH}


def test_a_script_without_extension_is_found_by_its_shebang(tmp_path: Path) -> None:
    text = '#!/usr/bin/env bash\nfiles=(a b)\necho "${files[@]}" $1\n'
    output = review(tmp_path, {"bin/deploy": text, "bin/notes": "just text $1\n"})

    assert rows(output) == {("SC2086", LOW, 3)}
    assert {f.path for f in output.findings} == {"bin/deploy"}


def test_posix_sh_is_checked_as_sh_and_bash_as_bash(tmp_path: Path) -> None:
    body = 'files=(a b)\necho "${files[@]}"\n'
    output = review(tmp_path, {"a.sh": body, "b.bash": body, "c": "#!/bin/bash -e\n" + body})

    assert rows(output, "a.sh") == {("SC3030", MEDIUM, 1), ("SC3054", MEDIUM, 2)}
    assert rows(output, "b.bash") == set()
    assert rows(output, "c") == set()


def test_a_dot_sh_file_that_is_zsh_is_skipped_with_the_reason(tmp_path: Path) -> None:
    zsh = "#!/usr/bin/env zsh\nsetopt extendedglob\nprint -l **/*(.)\n"
    output = review(tmp_path, {"tools/glob.sh": zsh, "ok.sh": CLEANUP})

    assert {f.path for f in output.findings} == {"ok.sh"}
    [skipped] = output.skipped
    assert skipped.path == "tools/glob.sh"
    assert skipped.reason == (
        "shellcheck: a zsh script: shellcheck checks sh, bash, dash, ksh and busybox sh"
    )
    assert output.summary == "shellcheck on 1 file"


def test_a_zsh_shell_directive_is_skipped_not_a_finding(tmp_path: Path) -> None:
    output = review(tmp_path, {"x.sh": "# shellcheck shell=zsh\nprint -l *(.)\n"})

    assert output.findings == []
    assert [s.path for s in output.skipped] == ["x.sh"]


@pytest.mark.parametrize(
    ("path", "line_one", "reason"),
    [
        ("run.sh", "echo hi", None),
        ("lib/util.bash", None, None),
        ("t/cli.bats", None, None),
        ("x.ksh", None, None),
        ("x.dash", None, None),
        (".bashrc", "alias ll='ls -l'", None),
        ("bin/tool", "#!/bin/sh", None),
        ("bin/tool", "#!/usr/bin/env bash", None),
        ("bin/tool", "#!/bin/bash -e", None),
        ("bin/tool", "#!/bin/dash", None),
        ("bin/tool", "#!/bin/ksh", None),
        ("bin/tool", None, None),
        ("bin/tool", "#!/usr/bin/env zsh", "not a shell script"),
        ("bin/tool", "#!/usr/bin/env fish", "not a shell script"),
        ("bin/tool", "#!/usr/bin/env python3", "not a shell script"),
        ("LICENSE", "MIT License", "not a shell script"),
        ("script.py", "#!/bin/sh", "not a shell script"),
        ("README.md", None, "not a shell script"),
    ],
)
def test_which_files_are_accepted(path: str, line_one: str | None, reason: str | None) -> None:
    lines = {} if line_one is None else {1: line_one}
    file = ChangedFile(path=path, status=FileStatus.MODIFIED, lines=lines)
    assert ShellAgent().accepts(file) == reason


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("#!/bin/sh", "sh"),
        ("#! /bin/bash -eu", "bash"),
        ("#!/usr/bin/env bash", "bash"),
        ("#!/usr/bin/env -S bash -e", "bash"),
        ("#!/usr/bin/env VAR=1 dash", "dash"),
        ("#!/bin/busybox sh", "busybox"),
        ("#!/usr/bin/env zsh", "zsh"),
        ("echo hi", None),
        ("#!", None),
    ],
)
def test_the_shebang_names_the_interpreter(line: str, name: str | None) -> None:
    assert interpreter(line) == name


def test_the_dialect_comes_from_the_directive_then_shebang_then_extension() -> None:
    assert plan_for("a.sh", "#!/bin/mksh\necho\n").shell == "ksh"
    assert plan_for("a.sh", "echo\n").shell == "sh"
    assert plan_for("a.bash", "echo\n").shell == "bash"
    assert plan_for("t.bats", "#!/usr/bin/env bats\n@test x { :; }\n").shell is None
    assert plan_for("a.sh", "#!/bin/bash\n# shellcheck shell=dash\necho\n").shell is None
    assert plan_for("bin/x", "echo\n").skip == "not a shell script (no shebang)"


def test_line_numbers_are_gits_with_cr_only_line_ends(tmp_path: Path) -> None:
    """shellcheck, like git, ends lines at LF only: a bare CR is text in a string."""
    root = tmp_path / "repo"
    file = new_file_git_lines(root, "run.sh", '#!/bin/sh\necho "a\rb\rc"\nrm -rf $1/\n')

    output = run_agent(ShellAgent(), root, [file])

    assert rows(output) == {("SC2115", MEDIUM, 3), ("SC2086", LOW, 3)}
    assert file.lines[3] == "rm -rf $1/"


# Hostile changes


@pytest.mark.parametrize("name", ["-rf.sh", "--help.sh", "--norc=no.sh", "-x.sh"])
def test_file_names_that_look_like_options_are_files(tmp_path: Path, name: str) -> None:
    output = review(tmp_path, {name: CLEANUP})

    assert ("SC2115", MEDIUM, 4) in rows(output, name)


@pytest.mark.parametrize("where", [".shellcheckrc", "scripts/.shellcheckrc", "shellcheckrc"])
def test_a_shellcheckrc_the_change_adds_disables_nothing(tmp_path: Path, where: str) -> None:
    rc = "disable=all\ndisable=SC2115,SC2086\nshell=bash\n"
    output = review(tmp_path, {where: rc, "scripts/cleanup.sh": CLEANUP})

    assert rows(output) == {("SC2115", MEDIUM, 4), ("SC2086", LOW, 4)}


@pytest.mark.parametrize(
    "directive",
    [
        "# shellcheck disable=SC2115,SC2086",
        "#shellcheck disable=all",
        "  # shellcheck   source=/dev/null disable=SC2115 disable=SC2086",
    ],
)
def test_an_inline_disable_is_not_honoured_and_is_noted(tmp_path: Path, directive: str) -> None:
    text = CLEANUP.replace("rm -rf", f"{directive}\nrm -rf")
    root = tmp_path / "repo"
    file = new_file(root, "scripts/cleanup.sh", text)

    output = run_agent(ShellAgent(), root, [file])
    honoured = run_agent(
        ShellAgent(), root, [file], settings=Settings(honor_tool_suppressions=True)
    )

    assert rows(output) == {("SC2115", MEDIUM, 5), ("SC2086", LOW, 5)}
    assert marker_notes([file]) == [
        (
            "scripts/cleanup.sh",
            4,
            "tool suppression not honoured: `# shellcheck disable` (shellcheck)",
        )
    ]
    assert honoured.findings == []


def test_a_file_level_disable_after_the_shebang_is_not_honoured(tmp_path: Path) -> None:
    text = "#!/bin/sh\n# shellcheck disable=SC2115,SC2086\nrm -rf $1/\n"
    output = review(tmp_path, {"run.sh": text})

    assert rows(output) == {("SC2115", MEDIUM, 3), ("SC2086", LOW, 3)}


def test_the_shell_directive_still_counts_when_disables_are_neutralised(tmp_path: Path) -> None:
    text = '# shellcheck shell=bash\n# shellcheck disable=SC3030\nfiles=(a b)\necho "${files[@]}"\n'
    output = review(tmp_path, {"lib.sh": text})

    assert output.findings == []


def test_a_5_mb_script_completes_and_is_listed_as_too_large(tmp_path: Path) -> None:
    big = "#!/bin/bash\n" + 'echo "line" $1\n' * (5 * 1024 * 1024 // 15)
    output = review(tmp_path, {"generated/huge.sh": big, "small.sh": CLEANUP})

    assert {f.path for f in output.findings} == {"small.sh"}
    [skipped] = output.skipped
    assert skipped.path == "generated/huge.sh"
    assert skipped.reason.startswith("shellcheck: too large (")
    assert f"the limit is {MAX_TOOL_BYTES:,}" in skipped.reason


def test_json_of_another_shape_fails_the_agent(tmp_path: Path) -> None:
    fake = fake_tool(tmp_path / "bin", "shellcheck", '{"comments": [{"line": "x"}]}')

    with pytest.raises(AgentError, match="shellcheck output has an unexpected shape"):
        review(tmp_path, {"run.sh": CLEANUP}, tools={"shellcheck": fake})
