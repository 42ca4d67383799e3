"""The report lists a file an agent skipped for its kind only when no agent reviewed it."""

from __future__ import annotations

import json

from tests.fakes.baton_cli import run_baton
from tests.fakes.repos import GitRepo


def skipped_by_agent(report: dict[str, object]) -> dict[str, list[tuple[str, str]]]:
    agents = report["agents"]
    assert isinstance(agents, list)
    return {a["name"]: [(s["path"], s["reason"]) for s in a["skipped"]] for a in agents}


def test_a_reviewed_file_is_not_listed_as_skipped_by_agents_of_other_kinds(repo: GitRepo) -> None:
    repo.write("README.md", "base\n")
    repo.write("pyproject.toml", '[tool.baton.agents.quality]\nignore = ["app/ignored.py"]\n')
    repo.commit("base")
    repo.branch("feature")
    for n in range(30):
        repo.write(f"app/mod_{n}.py", f"VALUE_{n} = {n}\n")
    repo.write("deploy.sh", "#!/bin/sh\necho ok\n")
    repo.write("notes.txt", "nothing for these agents\n")
    repo.write("app/ignored.py", "X = 1\n")
    repo.write("pyproject.toml", '[tool.baton.agents.bandit]\nignore = ["app/ignored.py"]\n')
    repo.commit("feature")

    done = run_baton(
        "review",
        "--base",
        "main",
        "--agents",
        "quality,shell",
        "--json",
        "out.json",
        cwd=repo.path,
    )

    assert done.code in (0, 1), done.stderr
    skipped = skipped_by_agent(json.loads((repo.path / "out.json").read_text()))
    shell = dict(skipped["shell"])
    assert not any(path.startswith("app/mod_") for path in shell)  # quality reviewed them
    assert "notes.txt" in shell  # no agent did
    assert "notes.txt" in dict(skipped["quality"])
    assert "deploy.sh" not in dict(skipped["quality"])  # shell reviewed it
    # a skip for another reason than the kind stays, even though shell skipped it too
    assert skipped["quality"].count(("app/ignored.py", "agents.quality.ignore")) == 1
