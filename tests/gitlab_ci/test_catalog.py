"""baton's GitLab copy as a CI/CD catalog project: its `.gitlab-ci.yml`, the component's inputs
and their documentation, and the release check, run by gitlab-ci-local 4.73.0.

The catalog project's pipeline includes the component from its own commit in merge requests
and, on a tag vX.Y.Z, runs `release-check` and then `release`. gitlab-ci-local runs a job with
a `release:` keyword but skips that keyword silently (no release, no release-cli, no word about
it), which is why the checks live in `release-check`, whose script runs here for real with the
project's scripts/release.py and a CHANGELOG.md written by the test; the `release` job's script
runs too and shows the version `release-check` handed on through its dotenv report.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fakes.repos import GitRepo
from tests.gitlab_ci.gitlab_ci_local import Pipeline, invocation
from tests.gitlab_ci.templates import COMPONENT, JOB, ROOT, TEMPLATE, component_parts
from tests.gitlab_ci.test_schema import check_schema, split_component

CATALOG_CI = ROOT / ".gitlab-ci.yml"
README = ROOT / "README.md"
IMAGE = "ghcr.io/baton-review/baton"
CHECK, RELEASE = "release-check", "release"
FIX_PINS = "(tag the commit scripts/release.py prepare {version} makes)"

# Where each input lands in the job: a path of keys into `baton-review`.
INPUT_TARGETS: dict[str, tuple[str, ...]] = {
    "stage": ("stage",),
    "image": ("image", "name"),
    "fail_on": ("variables", "BATON_FAIL_ON"),
    "agents": ("variables", "BATON_AGENTS"),
    "min_diff_coverage": ("variables", "BATON_MIN_DIFF_COVERAGE"),
    "coverage_report": ("variables", "BATON_COVERAGE_REPORT"),
    "import": ("variables", "BATON_IMPORTS"),
    "allow_failure_on_incomplete": ("variables", "ALLOW_INCOMPLETE_REVIEW"),
}

NOTES = "### Added\n\n- The `review` component in the CI/CD catalog.\n"


def changelog(version: str) -> str:
    return f"# Changelog\n\n## [Unreleased]\n\n## [{version}] - 2026-12-03\n\n{NOTES}"


def spec_inputs() -> dict[str, dict[str, Any]]:
    spec = yaml.safe_load(component_parts(COMPONENT.read_text(encoding="utf-8")).spec)
    inputs: dict[str, dict[str, Any]] = spec["spec"]["inputs"]
    return inputs


def component_job() -> dict[str, Any]:
    jobs = yaml.safe_load(component_parts(COMPONENT.read_text(encoding="utf-8")).jobs)
    job: dict[str, Any] = jobs[JOB]
    return job


def pinned_version() -> str:
    """X.Y.Z of the image the component pins (`ghcr.io/baton-review/baton:X.Y.Z`)."""
    default = str(spec_inputs()["image"]["default"])
    match = re.fullmatch(rf"{re.escape(IMAGE)}:(\d+\.\d+\.\d+)", default)
    assert match, f"the image default is not {IMAGE}:X.Y.Z: {default}"
    return match.group(1)


def gitlab_section(markdown: str) -> str:
    """The README's `## GitLab CI` section, up to the next `## ` heading."""
    match = re.search(r"^## GitLab CI\n(.*?)(?=^## |\Z)", markdown, re.MULTILINE | re.DOTALL)
    assert match, "README.md has no `## GitLab CI` section"
    return match.group(1)


def table_names(markdown: str) -> set[str]:
    """Every `name` written in backticks in the first cell of a table row."""
    names: set[str] = set()
    for line in markdown.splitlines():
        if line.startswith("|"):
            first = line.split("|")[1]
            names.update(re.findall(r"`([^`]+)`", first))
    return names


class CatalogProject:
    """A repository laid out like the GitLab copy: its pipeline, the component, the template."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.repo = GitRepo(root / "repo")
        shutil.copyfile(CATALOG_CI, self.repo.write(".gitlab-ci.yml", ""))
        shutil.copyfile(COMPONENT, self.repo.write("templates/review.yml", ""))
        shutil.copyfile(TEMPLATE, self.repo.write("gitlab-template.yml", ""))
        shutil.copyfile(ROOT / "scripts" / "release.py", self.repo.write("scripts/release.py", ""))
        self.repo.write("CHANGELOG.md", changelog(pinned_version()))

    def edit(self, relpath: str, old: str, new: str) -> None:
        path = self.repo.path / relpath
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relpath}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def run(self, variables: Mapping[str, str]) -> Pipeline:
        """The whole pipeline with the shell executor, as `run_pipeline` runs it, except
        that a failed job is an outcome here: gitlab-ci-local then exits 1 (a job without
        `allow_failure`), which `run_pipeline` takes for its own failure."""
        done = self.gitlab_ci_local(variables, "--force-shell-executor", "--shell-isolation")
        assert done.returncode in {0, 1}, done.stdout
        return Pipeline(output=done.stdout, cwd=self.repo.path)

    def jobs(self, variables: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
        """`gitlab-ci-local --list`: the jobs a pipeline with `variables` would hold."""
        return self.gitlab_ci_local(variables, "--list")

    def gitlab_ci_local(
        self, variables: Mapping[str, str], *options: str
    ) -> subprocess.CompletedProcess[str]:
        self.repo.commit("catalog project")
        args, env = invocation(variables, *options, home=self.root / "gcl-home")
        return subprocess.run(
            args,
            cwd=self.repo.path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=150,
            check=False,
        )


def job_log(pipeline: Pipeline, job: str) -> list[str]:
    """The job's own output lines; gitlab-ci-local pads shorter job names with spaces."""
    line = re.compile(rf"^{re.escape(job)} *> (.*)$", re.MULTILINE)
    return line.findall(pipeline.output)


def job_started(pipeline: Pipeline, job: str) -> bool:
    start = re.compile(rf"^{re.escape(job)} +starting ", re.MULTILINE)
    return start.search(pipeline.output) is not None


def listed(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """Job name -> stage, from the table `--list` prints."""
    lines = done.stdout.splitlines()
    header = next((i for i, line in enumerate(lines) if line.startswith("name ")), None)
    assert header is not None, done.stdout
    return {line.split()[0]: line.split()[1] for line in lines[header + 1 :] if line.strip()}


# The files, read


def test_the_catalog_pipeline_and_both_documents_of_the_component_match_gitlabs_schema(
    tmp_path: Path,
) -> None:
    spec, jobs = split_component(COMPONENT.read_text(encoding="utf-8"), tmp_path)

    done = check_schema(CATALOG_CI, spec, jobs)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout


def test_the_catalog_pipeline_includes_the_component_from_its_own_commit() -> None:
    ci = yaml.safe_load(CATALOG_CI.read_text(encoding="utf-8"))

    components = [entry["component"] for entry in ci["include"] if "component" in entry]

    assert components == ["$CI_SERVER_FQDN/$CI_PROJECT_PATH/review@$CI_COMMIT_SHA"]
    assert COMPONENT == ROOT / "templates" / "review.yml"  # the catalog's templates/<name>.yml


def test_the_release_creates_the_plain_version_from_the_checked_one() -> None:
    ci = yaml.safe_load(CATALOG_CI.read_text(encoding="utf-8"))
    release = ci[RELEASE]

    assert release["image"] == "registry.gitlab.com/gitlab-org/release-cli:v0.24.0"
    assert release["needs"] == [{"job": CHECK, "artifacts": True}]
    assert release["release"] == {
        "tag_name": "$VERSION",
        "ref": "$CI_COMMIT_SHA",
        "name": "baton $VERSION",
        "description": "./release-notes.md",
    }
    tag_rule = [{"if": r"$CI_COMMIT_TAG =~ /^v\d+\.\d+\.\d+$/"}]
    assert release["rules"] == ci[CHECK]["rules"] == tag_rule
    assert ci[CHECK]["artifacts"] == {
        "paths": ["release-notes.md"],
        "reports": {"dotenv": "release.env"},
    }


# The inputs: described, documented, pinned


def test_every_input_has_a_description() -> None:
    undescribed = [
        name for name, spec in spec_inputs().items() if not str(spec.get("description", "")).strip()
    ]

    assert undescribed == []


def test_every_input_is_in_the_readmes_gitlab_table() -> None:
    section = gitlab_section(README.read_text(encoding="utf-8"))

    missing = sorted(set(spec_inputs()) - table_names(section))

    assert missing == [], "spec:inputs missing from the README's GitLab CI table"


def test_the_component_and_the_template_pin_the_same_released_image() -> None:
    template = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))

    assert template["variables"]["BATON_IMAGE"] == f"{IMAGE}:{pinned_version()}"
    assert f"{IMAGE}:X.Y.Z-builtin" in spec_inputs()["image"]["description"]


# Each input reaches the job


def test_the_table_names_every_input() -> None:
    assert set(INPUT_TARGETS) == set(spec_inputs())


@pytest.mark.parametrize(("name", "target"), sorted(INPUT_TARGETS.items()))
def test_each_input_lands_in_the_job(name: str, target: tuple[str, ...]) -> None:
    value: Any = component_job()
    for key in target:
        value = value[key]

    assert value == f"$[[ inputs.{name} ]]"


# The catalog project's pipelines, run by gitlab-ci-local


@pytest.mark.gitlab_ci
@pytest.mark.parametrize(
    ("variables", "jobs"),
    [
        ({"CI_PIPELINE_SOURCE": "merge_request_event"}, {JOB: "test"}),
        ({"CI_COMMIT_TAG": "v1.2.3"}, {CHECK: "release", RELEASE: "release"}),
        ({"CI_COMMIT_TAG": "1.2.3"}, {}),  # the tag `release` creates starts nothing
        ({"CI_COMMIT_TAG": "v1.2"}, {}),
        ({"CI_PIPELINE_SOURCE": "push"}, {}),
    ],
    ids=["merge-request", "version-tag", "plain-tag", "short-tag", "push"],
)
def test_which_jobs_each_pipeline_holds(
    tmp_path: Path, variables: dict[str, str], jobs: dict[str, str]
) -> None:
    done = CatalogProject(tmp_path).jobs(variables)

    assert done.returncode == 0, done.stdout
    assert listed(done) == jobs


@pytest.mark.gitlab_ci
def test_a_broken_component_fails_the_catalog_pipeline(tmp_path: Path) -> None:
    project = CatalogProject(tmp_path)
    project.edit("templates/review.yml", "$[[ inputs.agents ]]", "$[[ inputs.agent ]]")

    done = project.jobs({"CI_PIPELINE_SOURCE": "merge_request_event"})

    assert done.returncode == 1
    assert "unknown interpolation key: `agent`" in done.stdout


@pytest.mark.gitlab_ci
def test_the_pinned_version_is_released(tmp_path: Path) -> None:
    version = pinned_version()

    pipeline = CatalogProject(tmp_path).run({"CI_COMMIT_TAG": f"v{version}"})

    assert pipeline.verdict(CHECK) == "PASS"
    assert pipeline.verdict(RELEASE) == "PASS"
    assert job_started(pipeline, RELEASE)
    assert job_log(pipeline, RELEASE)[0].startswith(f"Creating the release baton {version} for v")
    notes = pipeline.artifacts_dir(CHECK) / "release-notes.md"
    assert notes.read_text(encoding="utf-8") == NOTES


@pytest.mark.gitlab_ci
@pytest.mark.parametrize(
    ("tag", "edit", "message"),
    [
        (
            "v9.9.9",
            None,
            f"release: templates/review.yml pins {IMAGE}:{{pinned}}, not {IMAGE}:9.9.9 "
            + FIX_PINS.format(version="9.9.9"),
        ),
        (
            "v{pinned}",
            ("gitlab-template.yml", "baton:{pinned}", "baton:0.9.0"),
            f"release: gitlab-template.yml pins {IMAGE}:0.9.0, not {IMAGE}:{{pinned}} "
            + FIX_PINS.format(version="{pinned}"),
        ),
        (  # scripts/release.py's own words, on stderr
            "v{pinned}",
            ("CHANGELOG.md", "## [{pinned}]", "## [0.9.0]"),
            "release: CHANGELOG.md has no section '## [{pinned}]'",
        ),
    ],
    ids=["component-pins-another-version", "template-pins-another-version", "no-notes"],
)
def test_a_release_that_does_not_match_stops_with_one_line(
    tmp_path: Path, tag: str, edit: tuple[str, str, str] | None, message: str
) -> None:
    pinned = pinned_version()
    project = CatalogProject(tmp_path)
    if edit is not None:
        relpath, old, new = edit
        project.edit(relpath, old.format(pinned=pinned), new)

    pipeline = project.run({"CI_COMMIT_TAG": tag.format(pinned=pinned)})

    assert pipeline.verdict(CHECK) == "FAIL 1"
    assert job_log(pipeline, CHECK) == [message.format(pinned=pinned)]
    assert job_started(pipeline, CHECK) and not job_started(pipeline, RELEASE)
