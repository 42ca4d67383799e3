"""baton's GitLab copy as a CI/CD catalog project: its `.gitlab-ci.yml`, the components' inputs
and their documentation, and the release check, run by gitlab-ci-local 4.73.0.

The catalog project has two components, `review` and `merge`. Its pipeline includes both from
its own commit in merge requests (the review split in two with `parallel: 2`, so the merge job
has shards to merge) and, on a tag vX.Y.Z, runs `release-check` and then `release`.
gitlab-ci-local runs a job with a `release:` keyword but skips that keyword silently (no
release, no release-cli, no word about it), which is why the checks live in `release-check`,
whose script runs here for real with the project's scripts/release.py and a CHANGELOG.md
written by the test; the `release` job's script runs too and shows the version
`release-check` handed on through its dotenv report.
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
from tests.gitlab_ci.gitlab_ci_local import Pipeline, invocation, parallel_job
from tests.gitlab_ci.templates import (
    COMPONENT,
    COMPONENTS,
    IMAGE,
    JOB,
    MERGE_JOB,
    README,
    ROOT,
    TEMPLATE,
    component_job,
    documented,
    gitlab_section,
    pinned_version,
    spec_inputs,
    tables,
)
from tests.gitlab_ci.test_schema import check_schema, split_component

CATALOG_CI = ROOT / ".gitlab-ci.yml"
CHECK, RELEASE = "release-check", "release"
FIX_PINS = "(tag the commit scripts/release.py prepare {version} makes)"

# Where each input lands in its component's job: a path of keys (and list indexes) into it.
INPUT_TARGETS: dict[str, dict[str, tuple[str | int, ...]]] = {
    "review": {
        "stage": ("stage",),
        "image": ("image", "name"),
        "fail_on": ("variables", "BATON_FAIL_ON"),
        "agents": ("variables", "BATON_AGENTS"),
        "min_diff_coverage": ("variables", "BATON_MIN_DIFF_COVERAGE"),
        "coverage_report": ("variables", "BATON_COVERAGE_REPORT"),
        "import": ("variables", "BATON_IMPORTS"),
        "allow_failure_on_incomplete": ("variables", "ALLOW_INCOMPLETE_REVIEW"),
    },
    "merge": {
        "stage": ("stage",),
        "image": ("image", "name"),
        "review_job": ("needs", 0, "job"),
        "allow_failure_on_incomplete": ("variables", "ALLOW_INCOMPLETE_REVIEW"),
    },
}
TARGETS = sorted((c, n, t) for c, ts in INPUT_TARGETS.items() for n, t in ts.items())
NAMES = sorted(COMPONENTS)
MERGE_REQUEST_RULE = {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}
NAMED_COLUMNS = ("description", "stage", "when")  # of `--list`: the name ends at description

NOTES = "### Added\n\n- The `review` component in the CI/CD catalog.\n"


def changelog(version: str) -> str:
    return f"# Changelog\n\n## [Unreleased]\n\n## [{version}] - 2026-12-03\n\n{NOTES}"


class CatalogProject:
    """A repository laid out like the GitLab copy: its pipeline, the component, the template."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.repo = GitRepo(root / "repo")
        shutil.copyfile(CATALOG_CI, self.repo.write(".gitlab-ci.yml", ""))
        for name, component in COMPONENTS.items():
            shutil.copyfile(component, self.repo.write(f"templates/{name}.yml", ""))
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
    """Job name -> stage, from the table `--list` prints (its columns are padded; a name may
    hold spaces, as `baton-review: [1/2]` does)."""
    lines = done.stdout.splitlines()
    header = next((i for i, line in enumerate(lines) if line.startswith("name ")), None)
    assert header is not None, done.stdout
    name, stage, when = (lines[header].index(f" {column} ") for column in NAMED_COLUMNS)
    rows = [line for line in lines[header + 1 :] if line.strip()]
    return {line[:name].strip(): line[stage:when].strip() for line in rows}


# The files, read


def test_the_catalog_pipeline_and_both_documents_of_each_component_match_gitlabs_schema(
    tmp_path: Path,
) -> None:
    documents = [
        part
        for name, path in COMPONENTS.items()
        for part in split_component(path.read_text(encoding="utf-8"), tmp_path, name)
    ]

    done = check_schema(CATALOG_CI, *documents)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout


def test_the_catalog_pipeline_includes_each_component_from_its_own_commit() -> None:
    ci = yaml.safe_load(CATALOG_CI.read_text(encoding="utf-8"))

    components = [entry["component"] for entry in ci["include"] if "component" in entry]

    assert components == [
        f"$CI_SERVER_FQDN/$CI_PROJECT_PATH/{name}@$CI_COMMIT_SHA" for name in ("review", "merge")
    ]
    for name, path in COMPONENTS.items():  # the catalog's templates/<name>.yml
        assert path == ROOT / "templates" / f"{name}.yml"
    assert COMPONENTS["review"] == COMPONENT
    assert ci[JOB] == {"parallel": 2}  # split as a user splits it, so the merge job has shards


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


@pytest.mark.parametrize("component", NAMES)
def test_every_input_has_a_description(component: str) -> None:
    undescribed = [
        name
        for name, spec in spec_inputs(component).items()
        if not str(spec.get("description", "")).strip()
    ]

    assert undescribed == []


@pytest.mark.parametrize("component", NAMES)
def test_every_input_and_its_default_is_in_a_table_of_the_readmes_gitlab_section(
    component: str,
) -> None:
    section = gitlab_section(README.read_text(encoding="utf-8"))
    inputs = {name: documented(spec["default"]) for name, spec in spec_inputs(component).items()}

    assert inputs in tables(section), f"the README's GitLab CI section has no table of {component}"


def test_the_components_and_the_template_pin_the_same_released_image() -> None:
    template = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))

    assert template["variables"]["BATON_IMAGE"] == f"{IMAGE}:{pinned_version()}"
    for component in NAMES:
        assert pinned_version(component) == pinned_version()
        assert f"{IMAGE}:X.Y.Z-builtin" in spec_inputs(component)["image"]["description"]


# Each input reaches the job


@pytest.mark.parametrize("component", NAMES)
def test_the_table_names_every_input(component: str) -> None:
    assert set(INPUT_TARGETS[component]) == set(spec_inputs(component))


@pytest.mark.parametrize(("component", "name", "target"), TARGETS)
def test_each_input_lands_in_the_job(
    component: str, name: str, target: tuple[str | int, ...]
) -> None:
    value: Any = component_job(component)
    for key in target:
        value = value[key]

    assert value == f"$[[ inputs.{name} ]]"


# The merge job: the review job's ways, the shard jobs' artifacts, whatever their verdicts


def test_the_merge_job_runs_as_the_review_job_does_but_merges() -> None:
    review, merge = component_job("review"), component_job("merge")

    for key in ("stage", "image", "allow_failure"):
        assert merge[key] == review[key], key
    assert merge["variables"] == {
        "GIT_DEPTH": review["variables"]["GIT_DEPTH"],
        "ALLOW_INCOMPLETE_REVIEW": review["variables"]["ALLOW_INCOMPLETE_REVIEW"],
    }
    assert merge["script"][0] == review["script"][0]  # git fetch ... || true
    assert merge["script"][1] == review["script"][1].replace("baton review", "baton merge .baton")
    assert "baton merge .baton ||" in merge["script"][1]
    assert merge["artifacts"] == review["artifacts"] | {"expose_as": "baton merged review"}
    assert review["rules"] == [MERGE_REQUEST_RULE]


def test_the_merge_job_takes_every_shard_jobs_artifacts_and_runs_whatever_they_did() -> None:
    merge = component_job("merge")

    assert merge["needs"] == [{"job": "$[[ inputs.review_job ]]", "artifacts": True}]
    assert spec_inputs("merge")["review_job"]["default"] == JOB
    # A failed shard job (its own blocking finding) must not skip the merge: `when: always`.
    assert merge["rules"] == [MERGE_REQUEST_RULE | {"when": "always"}]


# The catalog project's pipelines, run by gitlab-ci-local


@pytest.mark.gitlab_ci
@pytest.mark.parametrize(
    ("variables", "jobs"),
    [
        (
            {"CI_PIPELINE_SOURCE": "merge_request_event"},
            {parallel_job(JOB, 1, 2): "test", parallel_job(JOB, 2, 2): "test", MERGE_JOB: "test"},
        ),
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
@pytest.mark.parametrize(
    ("component", "used", "typo"),
    [("review", "agents", "agent"), ("merge", "review_job", "review_jobs")],
)
def test_a_broken_component_fails_the_catalog_pipeline(
    tmp_path: Path, component: str, used: str, typo: str
) -> None:
    project = CatalogProject(tmp_path)
    project.edit(f"templates/{component}.yml", f"$[[ inputs.{used} ]]", f"$[[ inputs.{typo} ]]")

    done = project.jobs({"CI_PIPELINE_SOURCE": "merge_request_event"})

    assert done.returncode == 1
    assert f"unknown interpolation key: `{typo}`" in done.stdout


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
        (  # the first component, by name, is checked first
            "v9.9.9",
            None,
            f"release: templates/merge.yml pins {IMAGE}:{{pinned}}, not {IMAGE}:9.9.9 "
            + FIX_PINS.format(version="9.9.9"),
        ),
        (
            "v{pinned}",
            ("templates/review.yml", "baton:{pinned}", "baton:0.9.0"),
            f"release: templates/review.yml pins {IMAGE}:0.9.0, not {IMAGE}:{{pinned}} "
            + FIX_PINS.format(version="{pinned}"),
        ),
        (
            "v{pinned}",
            ("templates/merge.yml", "baton:{pinned}", "baton:0.9.0"),
            f"release: templates/merge.yml pins {IMAGE}:0.9.0, not {IMAGE}:{{pinned}} "
            + FIX_PINS.format(version="{pinned}"),
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
    ids=[
        "components-pin-another-version",
        "review-pins-another-version",
        "merge-pins-another-version",
        "template-pins-another-version",
        "no-notes",
    ],
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
