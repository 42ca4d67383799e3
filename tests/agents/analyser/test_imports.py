"""`baton review --import FILE[:FORMAT]`: results of earlier CI steps, gated like any agent's."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.baton_cli import review_report
from tests.fakes.repos import GitRepo

RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
APP = "def handler(event):\n    return undefined_name(event)\n"
ONLY = ("--agents", "security", "--fail-on", "high")


def sarif(uri: str, line: int = 2, level: str = "error", **run: Any) -> str:
    result = {
        "ruleId": "X1",
        "level": level,
        "message": {"text": "something is wrong"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": line},
                }
            }
        ],
    }
    return json.dumps(
        {
            "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": "CodeQL"}}, "results": [result], **run}],
        }
    )


def findings_of(report: dict[str, Any], agent: str) -> list[tuple[str, int | None, str]]:
    return [
        (f["path"], f["line"], f["severity"]) for f in report["findings"] if f["agent"] == agent
    ]


def agent_named(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(a for a in report["agents"] if a["name"] == name)


def test_ruff_sarif_made_in_another_checkout_lands_on_the_change(
    repo: GitRepo, tmp_path: Path
) -> None:
    """A report written elsewhere (`/home/runner/work/…`) names absolute paths of that
    checkout: they are matched to the change's files by their trailing parts."""
    repo.pull_request({"src/app/__init__.py": ""}, {"src/app/handler.py": APP})
    elsewhere = tmp_path / "runner" / "work" / "app"
    shutil.copytree(repo.path / "src", elsewhere / "src")
    made = subprocess.run(
        [RUFF, "check", "--isolated", "--select", "F821", "--output-format", "sarif", "src"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=False,
    )
    (tmp_path / "ruff.sarif").write_text(made.stdout)
    done, report = review_report(repo.path, *ONLY, "--import", str(tmp_path / "ruff.sarif"))
    assert findings_of(report, "ruff") == [("src/app/handler.py", 2, "HIGH")], done.stderr
    assert done.code == 1
    assert agent_named(report, "ruff")["engine"] == "import"


@pytest.mark.parametrize(
    "uri",
    [
        "src/app/handler.py",
        "./src/app/handler.py",
        "src\\app\\handler.py",
        "file:///C:/build/app/src/app/handler.py",
        "C:\\build\\app\\src\\app\\handler.py",
        "file:///home/runner/work/app/app/src/app/handler%2Epy",
    ],
)
def test_imported_sarif_paths_in_every_spelling(repo: GitRepo, tmp_path: Path, uri: str) -> None:
    repo.pull_request({"src/app/__init__.py": ""}, {"src/app/handler.py": APP})
    (tmp_path / "codeql.sarif").write_text(sarif(uri))
    done, report = review_report(repo.path, *ONLY, "--import", str(tmp_path / "codeql.sarif"))
    assert findings_of(report, "codeql") == [("src/app/handler.py", 2, "HIGH")], done.stderr


def test_uri_base_id_resolves_through_original_uri_base_ids(repo: GitRepo, tmp_path: Path) -> None:
    repo.pull_request({"src/app/__init__.py": ""}, {"src/app/handler.py": APP})
    report_text = json.loads(sarif("app/handler.py"))
    run = report_text["runs"][0]
    run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] = "SRC"
    run["originalUriBaseIds"] = {"SRC": {"uri": "src/"}}
    (tmp_path / "codeql.sarif").write_text(json.dumps(report_text))
    done, report = review_report(repo.path, *ONLY, "--import", str(tmp_path / "codeql.sarif"))
    assert findings_of(report, "codeql") == [("src/app/handler.py", 2, "HIGH")], done.stderr


def test_a_finding_on_a_file_outside_the_change_does_not_count(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.pull_request({"src/old.py": "x = 1\n"}, {"src/new.py": "y = 2\n"})
    (tmp_path / "r.sarif").write_text(sarif("src/old.py", line=1))
    done, report = review_report(repo.path, *ONLY, "--import", str(tmp_path / "r.sarif"))
    assert findings_of(report, "codeql") == []
    assert done.code == 0, done.stderr


def test_config_of_the_base_adjusts_an_imported_agent(repo: GitRepo, tmp_path: Path) -> None:
    config = '[agents.codeql]\nseverity = { X1 = "critical" }\n'
    repo.pull_request({".baton.toml": config}, {"src/app.py": APP})
    (tmp_path / "r.sarif").write_text(sarif("src/app.py", level="note"))
    done, report = review_report(
        repo.path, "--agents", "quality", "--import", str(tmp_path / "r.sarif")
    )
    assert findings_of(report, "codeql") == [("src/app.py", 2, "CRITICAL")], done.stderr
    assert done.code == 1


def test_checkstyle_named_format_and_two_imports(repo: GitRepo, tmp_path: Path) -> None:
    repo.pull_request({"README.md": "x\n"}, {"run.sh": "#!/bin/sh\nrm -rf $1/\n"})
    checkstyle = (
        '<?xml version="1.0"?>\n<checkstyle version="4.3"><file name="run.sh">'
        '<error line="2" column="8" severity="error" message="Quote this" source="SC2086"/>'
        "</file></checkstyle>\n"
    )
    (tmp_path / "lint.out").write_text(checkstyle)
    (tmp_path / "r.sarif").write_text(sarif("run.sh"))
    done, report = review_report(
        repo.path,
        *ONLY,
        "--import",
        f"{tmp_path / 'lint.out'}:checkstyle",
        "--import",
        str(tmp_path / "r.sarif"),
    )
    assert findings_of(report, "lint") == [("run.sh", 2, "HIGH")], done.stderr
    assert findings_of(report, "codeql") == [("run.sh", 2, "HIGH")]


BAD_IMPORTS = [
    pytest.param(None, "cannot read", id="missing-file"),
    pytest.param('{"version": "2.1.0", "runs": [{"results": 3}]}', "SARIF", id="schema"),
    pytest.param('{"version": "2.0.0", "runs": []}', "2.1.0", id="sarif-2.0"),
    pytest.param("not a report at all", "format", id="unknown-format"),
]


@pytest.mark.parametrize(("content", "reason"), BAD_IMPORTS)
def test_a_bad_import_fails_its_agent_in_one_line(
    repo: GitRepo, tmp_path: Path, content: str | None, reason: str
) -> None:
    repo.pull_request({"README.md": "x\n"}, {"src/app.py": "x = 1\n"})
    target = (
        tmp_path / "scan.sarif"
        if content is None or content.startswith("{")
        else tmp_path / "scan.out"
    )
    if content is not None:
        target.write_text(content)
    done, report = review_report(repo.path, "--agents", "quality", "--import", str(target))
    failed = [a for a in report["agents"] if a["status"] == "failed"]
    assert done.code == 3, done.stderr
    assert len(failed) == 1 and reason in failed[0]["reason"]
    assert "\n" not in failed[0]["reason"]
    assert "Traceback" not in done.stderr
