"""The Dockerfile, action.yml and the preparation script pass their linters (no Docker needed).

A workflow that uses the action with every input (data/workflow.yml) is checked too: actionlint
reads the local action.yml, so a misspelled input or output fails there as it would on GitHub.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from baton.settings import Settings
from baton.settings_sources import ACTION_INPUT_NAMES, ACTION_INPUTS_IGNORED
from tests.container.image import ROOT

pytestmark = pytest.mark.container

WORKFLOW = Path(__file__).parent / "data" / "workflow.yml"
INPUTS = {
    "github_token",
    "fail_on",
    "agents",
    "min_diff_coverage",
    "coverage_report",
    "import",
    "config",
    "comment",
    "inline",
    "exclude",
    "engine",
    "model",
    "max_budget_usd",
    "anthropic_api_key",
    "anthropic_base_url",
    "timeout",
    "base",
    "shard",
    "mode",
    "reports",
}
OUTPUTS = {
    "verdict",
    "exit_code",
    "findings_count",
    "critical_count",
    "high_count",
    "report_json",
    "sarif",
}


def tool(name: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run a linter installed beside this Python (the test extras), else from PATH."""
    beside = Path(sys.executable).parent / name
    executable = str(beside) if beside.exists() else shutil.which(name) or name
    return subprocess.run(
        [executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text())
    return loaded


@pytest.fixture
def workflow_repo(tmp_path: Path) -> Path:
    """A repository holding this action (action.yml + Dockerfile) and a workflow using it."""
    for name in ("action.yml", "Dockerfile"):
        shutil.copy2(ROOT / name, tmp_path / name)
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copy2(WORKFLOW, workflows / "baton.yml")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def test_dockerfile_passes_hadolint_without_a_warning() -> None:
    done = tool("hadolint", "--failure-threshold", "info", "Dockerfile")
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_dockerfile_sets_no_user_and_no_workdir() -> None:
    instructions = [
        line.split(maxsplit=1)[0].upper()
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.strip() and not line.startswith((" ", "#"))
    ]
    assert "USER" not in instructions
    assert "WORKDIR" not in instructions
    assert instructions.count("ENTRYPOINT") == 1


@pytest.mark.parametrize("script", ["scripts/docker-test-env.sh", "docker/entrypoint.sh"])
def test_shell_scripts_pass_shellcheck(script: str) -> None:
    done = tool("shellcheck", script)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_release_workflow_passes_actionlint_zizmor_and_the_schema() -> None:
    """Pinned action commits, least permissions per job, no template injection: zizmor's
    pedantic persona finds nothing at all."""
    release = ".github/workflows/release.yml"
    done = tool("actionlint", "-no-color", release)
    assert done.returncode == 0, done.stdout + done.stderr
    done = tool("zizmor", "--offline", "--persona", "pedantic", "--format", "json", release)
    assert (done.returncode, json.loads(done.stdout)) == (0, []), done.stdout + done.stderr
    done = tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", release)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_third_party_action_is_pinned_to_a_commit() -> None:
    for workflow in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        for step in _steps(yaml.safe_load(workflow.read_text())):
            uses = step.get("uses", "./")
            if not uses.startswith("./"):
                ref = uses.partition("@")[2]
                assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{workflow.name}: {uses}"


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_action_yml_matches_githubs_schema() -> None:
    done = tool("check-jsonschema", "--builtin-schema", "vendor.github-actions", "action.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_action_is_a_docker_action_built_from_the_dockerfile() -> None:
    meta = action()
    assert meta["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert {"name", "description", "author"} <= set(meta)
    assert set(meta["branding"]) == {"icon", "color"}


def test_only_the_token_has_a_default_so_repository_config_stays_in_force() -> None:
    inputs = action()["inputs"]
    assert set(inputs) == INPUTS
    with_default = {name: spec["default"] for name, spec in inputs.items() if "default" in spec}
    assert with_default == {"github_token": "${{ github.token }}"}
    assert all(spec.get("description", "").strip() for spec in inputs.values())
    assert not any(spec.get("required") for spec in inputs.values())


def test_every_input_is_one_baton_reads() -> None:
    """Inputs arrive as INPUT_<NAME>: each must name a setting or an input baton reads itself."""
    settings = {ACTION_INPUT_NAMES.get(name, name): name for name in Settings.model_fields}
    for name in set(action()["inputs"]) - ACTION_INPUTS_IGNORED:
        assert name in settings, name


def test_outputs_are_declared_with_descriptions() -> None:
    outputs = action()["outputs"]
    assert set(outputs) == OUTPUTS
    assert all(spec["description"].strip() for spec in outputs.values())


def test_a_workflow_using_every_input_and_output_passes_actionlint(workflow_repo: Path) -> None:
    done = tool("actionlint", "-no-color", cwd=workflow_repo)
    assert done.returncode == 0, done.stdout + done.stderr
    schema = tool(
        "check-jsonschema",
        "--builtin-schema",
        "vendor.github-workflows",
        ".github/workflows/baton.yml",
        cwd=workflow_repo,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr


def test_actionlint_rejects_an_input_or_output_the_action_does_not_have(
    workflow_repo: Path,
) -> None:
    path = workflow_repo / ".github" / "workflows" / "baton.yml"
    text = path.read_text()
    path.write_text(text.replace("fail_on:", "fail-on:").replace(".verdict", ".verdikt"))
    done = tool("actionlint", "-no-color", cwd=workflow_repo)
    assert done.returncode == 1
    assert 'input "fail-on" is not defined' in done.stdout
    assert 'property "verdikt" is not defined' in done.stdout


@pytest.mark.parametrize("where", ["repository", "workflow"])
def test_zizmor_finds_nothing_of_high_severity(where: str, workflow_repo: Path) -> None:
    folder = ROOT if where == "repository" else workflow_repo
    done = tool("zizmor", "--offline", "--strict-collection", "--format", "json", ".", cwd=folder)
    assert done.returncode in {0, *range(10, 15)}, done.stderr  # 1x: findings, by severity
    findings = json.loads(done.stdout or "[]")
    high = [f["ident"] for f in findings if f["determinations"]["severity"] == "High"]
    assert high == [], done.stdout
