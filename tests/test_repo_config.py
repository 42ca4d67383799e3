"""The repository's configuration: which file, which revision, and what a change may not do."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.errors import IncompleteReviewError, UsageError
from baton.repo_config import (
    RepoFiles,
    commit_files,
    read_repo_config,
    trusted_config,
    worktree_files,
)
from tests.fakes.baton_cli import review_report
from tests.fakes.repos import GitRepo

SHELL_CALL = "import subprocess\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n"


def files_of(contents: dict[str, str]) -> RepoFiles:
    def listing(folder: str) -> list[str]:
        return sorted(p for p in contents if p.rsplit("/", 1)[0] == folder)

    return RepoFiles("working tree", contents.get, listing)


def test_config_from_dedicated_file_or_pyproject() -> None:
    config = read_repo_config(files_of({".baton.toml": 'fail_on = "high"'}))
    assert (config.values, config.source) == ({"fail_on": "high"}, ".baton.toml")
    pyproject = '[project]\nname = "x"\n[tool.baton]\nfail_on = "low"\n'
    config = read_repo_config(files_of({"pyproject.toml": pyproject}))
    assert (config.values, config.source) == ({"fail_on": "low"}, "pyproject.toml [tool.baton]")
    assert read_repo_config(files_of({"pyproject.toml": "[project]\n"})).source == ""


def test_both_config_files_or_invalid_toml_are_errors() -> None:
    both = {".baton.toml": 'fail_on = "high"', "pyproject.toml": "[tool.baton]\n"}
    with pytest.raises(UsageError, match="keep one"):
        read_repo_config(files_of(both))
    with pytest.raises(UsageError, match=r"\.baton\.toml: invalid TOML"):
        read_repo_config(files_of({".baton.toml": "fail_on = "}))


def test_explicit_config_path(tmp_path: Path) -> None:
    config = tmp_path / "review.toml"
    config.write_text('fail_on = "never"\n')
    assert read_repo_config(files_of({}), config).values == {"fail_on": "never"}
    with pytest.raises(UsageError, match="cannot read config file"):
        read_repo_config(files_of({}), tmp_path / "missing.toml")


def test_agent_files_and_prompt_files_are_read_with_the_config() -> None:
    config = read_repo_config(
        files_of(
            {
                ".baton.toml": '[agents.license]\nprompt_file = "review/license.md"\n',
                "review/license.md": "Check licenses.",
                ".claude/agents/docs.md": "---\nname: docs\n---\nx",
                ".claude/agents/notes.txt": "not an agent",
            }
        )
    )
    assert config.prompts == {"review/license.md": "Check licenses."}
    assert list(config.claude_agents) == [".claude/agents/docs.md"]
    with pytest.raises(UsageError, match=r"prompt_file: missing\.md not found in the working tree"):
        read_repo_config(files_of({".baton.toml": '[agents.x]\nprompt_file = "missing.md"\n'}))
    with pytest.raises(UsageError, match="must be a path inside the repository"):
        read_repo_config(files_of({".baton.toml": '[agents.x]\nprompt_file = "../etc/passwd"\n'}))


def test_a_change_cannot_change_the_config_it_is_reviewed_with(repo: GitRepo) -> None:
    base = repo.pull_request(
        {".baton.toml": 'fail_on = "critical"\n', ".claude/agents/docs.md": "---\nold"},
        {".baton.toml": 'fail_on = "never"\n', ".claude/agents/docs.md": "---\nnew"},
    )
    config, notes = trusted_config(repo.path, base, trust_head=False)
    assert config.values == {"fail_on": "critical"}
    assert config.source == f".baton.toml at {base[:12]}"
    assert config.claude_agents == {".claude/agents/docs.md": "---\nold"}
    assert len(notes) == 1
    assert "applies after merge (.baton.toml, .claude/agents/docs.md)" in notes[0]

    head, notes = trusted_config(repo.path, base, trust_head=True)
    assert head.values == {"fail_on": "never"}
    assert notes == []


def test_unchanged_config_gives_no_note_and_broken_head_config_is_only_noted(
    repo: GitRepo,
) -> None:
    base = repo.pull_request({".baton.toml": 'fail_on = "high"\n'}, {"a.py": "x = 1\n"})
    assert trusted_config(repo.path, base, trust_head=False)[1] == []
    repo.write(".baton.toml", "fail_on = ")
    config, notes = trusted_config(repo.path, base, trust_head=False)
    assert config.values == {"fail_on": "high"}
    assert "as changed it is invalid: .baton.toml: invalid TOML" in notes[0]


def test_missing_base_commit_asks_the_fallback_or_stops(repo: GitRepo) -> None:
    repo.pull_request({"a.py": "x = 1\n"}, {"a.py": "x = 2\n"})
    absent = "0123456789abcdef0123456789abcdef01234567"
    assert commit_files(repo.path, absent) is None
    with pytest.raises(IncompleteReviewError, match="at the base commit 0123456789ab"):
        trusted_config(repo.path, absent, trust_head=False)
    asked: list[str] = []

    def from_api(ref: str) -> RepoFiles:
        asked.append(ref)
        return files_of({".baton.toml": 'fail_on = "low"\n'})

    config, _ = trusted_config(repo.path, absent, trust_head=False, fallback=from_api)
    assert asked == [absent]
    assert config.values == {"fail_on": "low"}


def test_worktree_listing_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert worktree_files(tmp_path).list(".claude/agents") == []


def test_review_gates_with_the_base_config_and_says_so(repo: GitRepo) -> None:
    repo.pull_request(
        {".baton.toml": 'fail_on = "critical"\n', "README.md": "x\n"},
        {".baton.toml": 'fail_on = "never"\n', "app.py": SHELL_CALL},
    )
    done, report = review_report(repo.path, "--agents", "security")
    assert done.code == 1, done.stderr
    assert "review configuration changed in this change" in done.stdout
    assert report["gate"]["fail_on"] == "critical"
    assert report["notes"] and ".baton.toml" in report["notes"][0]

    trusted, _ = review_report(repo.path, "--agents", "security", "--trust-head-config")
    assert trusted.code == 0, trusted.stderr
    assert "review configuration changed" not in trusted.stdout


def test_tool_configuration_comes_from_the_base_and_a_change_to_it_is_noted(
    repo: GitRepo,
) -> None:
    pyproject = '[project]\nname = "app"\n[tool.bandit]\nskips = ["B101"]\n'
    base = repo.pull_request(
        {"pyproject.toml": pyproject, "ruff.toml": '[lint]\nselect = ["F"]\n'},
        {
            "pyproject.toml": pyproject.replace('"B101"', '"B602"'),
            "ruff.toml": "[lint]\nselect = []\n",
            "pkg/.ruff.toml": "[lint]\nselect = []\n",
            ".gitattributes": "* linguist-generated\n",
        },
    )
    changed = ["pyproject.toml", "ruff.toml", "pkg/.ruff.toml", ".gitattributes"]

    config, notes = trusted_config(
        repo.path, base, trust_head=False, head=repo.head(), changed_paths=changed
    )

    assert config.tool_configs == {
        "pyproject.toml": pyproject,
        "ruff.toml": '[lint]\nselect = ["F"]\n',
    }
    assert notes == [
        "review configuration changed in this change; this review used the base commit's, "
        "and the new one applies after merge (pyproject.toml [tool.bandit], ruff.toml, "
        ".gitattributes, pkg/.ruff.toml)"
    ]


def test_a_dependency_bump_in_pyproject_is_not_a_config_change(repo: GitRepo) -> None:
    base = repo.pull_request(
        {"pyproject.toml": '[project]\ndependencies = ["a<2"]\n[tool.ruff]\nline-length = 99\n'},
        {"pyproject.toml": '[project]\ndependencies = ["a<3"]\n[tool.ruff]\nline-length = 99\n'},
    )
    _, notes = trusted_config(
        repo.path, base, trust_head=False, head=repo.head(), changed_paths=["pyproject.toml"]
    )
    assert notes == []


def test_executables_from_an_untrusted_working_tree_are_not_used(tmp_path: Path) -> None:
    (tmp_path / ".baton.toml").write_text('fail_on = "high"\n[tools]\nbandit = "scripts/pwn.sh"\n')

    config, notes = trusted_config(tmp_path, None, trust_head=False)

    assert config.values == {"fail_on": "high"}
    assert notes == [
        "tools in .baton.toml (working tree) not used: executables come only from a base "
        "commit's configuration, --config, --trust-head-config or BATON_TOOLS__NAME"
    ]
    vouched, notes = trusted_config(tmp_path, None, trust_head=True)
    assert vouched.values["tools"] == {"bandit": "scripts/pwn.sh"} and notes == []


def test_agents_named_in_a_list_select_them(repo: GitRepo) -> None:
    repo.pull_request({".baton.toml": 'agents = ["quality"]\n'}, {"app.py": "import os\n"})
    done, report = review_report(repo.path)
    assert done.code == 0, done.stderr
    assert [agent["name"] for agent in report["agents"]] == ["quality"]
    assert [finding["rule_id"] for finding in report["findings"]] == ["F401"]
