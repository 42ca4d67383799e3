"""baton's GitLab CI template and CI/CD components against GitLab's CI schema (check-jsonschema).

`check-jsonschema --builtin-schema vendor.gitlab-ci` is the schema GitLab's editor uses, shipped
with the tool (no network). Each component (`review`, `merge`) is validated as its two
documents, `spec:` and the jobs. Unknown or unused inputs are checked here because
gitlab-ci-local accepts them silently.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.gitlab_ci.templates import (
    COMPONENT_JOBS,
    COMPONENTS,
    INPUT_REFERENCE,
    ROOT,
    TEMPLATE,
    component_parts,
    interpolations,
    referenced_inputs,
)

NAMES = sorted(COMPONENTS)


def check_schema(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.gitlab-ci"]
        + [str(f) for f in files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def split_component(text: str, into: Path, name: str = "review") -> tuple[Path, Path]:
    parts = component_parts(text)
    spec, jobs = into / f"{name}.spec.yml", into / f"{name}.jobs.yml"
    spec.write_text(parts.spec, encoding="utf-8")
    jobs.write_text(parts.jobs, encoding="utf-8")
    return spec, jobs


def test_the_plain_template_matches_gitlabs_schema() -> None:
    done = check_schema(TEMPLATE)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout


def test_the_components_are_every_file_under_templates() -> None:
    """The catalog publishes each `templates/<name>.yml`; every one is checked here."""
    found = {path.stem: path for path in (ROOT / "templates").glob("*.yml")}

    assert found == COMPONENTS


@pytest.mark.parametrize("name", NAMES)
def test_both_documents_of_each_component_match_gitlabs_schema(tmp_path: Path, name: str) -> None:
    spec, jobs = split_component(COMPONENTS[name].read_text(encoding="utf-8"), tmp_path, name)

    done = check_schema(spec, jobs)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout


@pytest.mark.parametrize("name", NAMES)
def test_the_split_is_the_one_yaml_sees(name: str) -> None:
    text = COMPONENTS[name].read_text(encoding="utf-8")
    documents = list(yaml.safe_load_all(text))
    parts = component_parts(text)

    assert documents == [yaml.safe_load(parts.spec), yaml.safe_load(parts.jobs)]
    assert set(documents[0]) == {"spec"} and set(documents[0]["spec"]) == {"inputs"}
    assert set(documents[1]) == {COMPONENT_JOBS[name]}


@pytest.mark.parametrize(
    ("name", "part", "correct", "broken", "complaint"),
    [
        ("review", "spec", "type: boolean", "type: bool", "allow_failure_on_incomplete"),
        ("review", "jobs", "exit_codes: [3]", "exit_codes: [three]", "allow_failure"),
        ("merge", "spec", "type: boolean", "type: bool", "allow_failure_on_incomplete"),
        ("merge", "jobs", "artifacts: true", "artifacts: yes please", "needs"),
    ],
)
def test_a_mistake_in_either_document_is_caught(
    tmp_path: Path, name: str, part: str, correct: str, broken: str, complaint: str
) -> None:
    parts = component_parts(COMPONENTS[name].read_text(encoding="utf-8"))
    original = getattr(parts, part)
    assert correct in original
    mangled = tmp_path / f"{name}.{part}.yml"
    mangled.write_text(original.replace(correct, broken), encoding="utf-8")

    done = check_schema(mangled)

    assert done.returncode == 1
    assert complaint in done.stdout


@pytest.mark.parametrize("name", NAMES)
def test_every_input_is_used_and_every_use_is_an_input(name: str) -> None:
    parts = component_parts(COMPONENTS[name].read_text(encoding="utf-8"))
    declared = set(yaml.safe_load(parts.spec)["spec"]["inputs"])

    used = referenced_inputs(parts.jobs)

    assert used - declared == set(), "used in the job but not declared in spec:inputs"
    assert declared - used == set(), "declared in spec:inputs but never used by the job"


@pytest.mark.parametrize("name", NAMES)
def test_every_interpolation_names_an_input(name: str) -> None:
    """A typo such as `$[[ input.stage ]]` is not an input reference; GitLab would refuse it."""
    parts = component_parts(COMPONENTS[name].read_text(encoding="utf-8"))

    strays = [i for i in interpolations(parts.jobs) if not INPUT_REFERENCE.match(i)]

    assert strays == []
    assert interpolations(parts.spec) == []
    assert interpolations(TEMPLATE.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("name", NAMES)
def test_no_component_sets_parallel(name: str) -> None:
    """The user sets `parallel:` on the included `baton-review` job, which GitLab merges into
    it; an input there is not reliably supported (gitlab-org/gitlab#437781)."""
    jobs = yaml.safe_load(component_parts(COMPONENTS[name].read_text(encoding="utf-8")).jobs)

    assert [job for job, body in jobs.items() if "parallel" in body] == []
