"""A merge request pipeline to run with gitlab-ci-local against the fake GitLab.

`MergeRequestPipeline` builds a repository whose `main` holds a `.gitlab-ci.yml` including
baton (the components with inputs, or the plain template, copied in as local files) and
whose `feature` branch holds the change; the fake GitLab gets the matching merge request !7.
`run()` runs the pipeline with the variables GitLab gives a merge request pipeline.
`sharded_ci` splits the review over `parallel:` jobs and adds the `merge` component.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from baton.render.markdown import MARKER
from tests.fakes.gitlab_api import FakeGitLab
from tests.fakes.repos import GitRepo
from tests.gitlab_ci.gitlab_ci_local import Pipeline, run_pipeline
from tests.gitlab_ci.templates import COMPONENT, JOB, MERGE, TEMPLATE

PROJECT = "acme/app"
IID = 7
AWS_KEY = "AKIAZ3MHQX7TQ2VJ5K4P"

BASE_FILES = {
    "app/__init__.py": "",
    "app/util.py": "def helper():\n    return 1\n",
}
LEAKED_KEY = {
    "app/keys.py": f'import os\n\nKEY = "{AWS_KEY}"\n',
    "app/util.py": "import sys\n\n\ndef helper():\n    return 1\n",
}
CLEAN = {
    "app/util.py": 'def helper():\n    """The answer."""\n    return 2\n',
}
TWO_CLEAN_FILES = CLEAN | {
    "app/more.py": 'def more():\n    """One more."""\n    return 3\n',
}


def component_ci(**inputs: Any) -> dict[str, Any]:
    """A `.gitlab-ci.yml` including the component as a local file, with `inputs`."""
    stages = ["build", "test", inputs.get("stage", "test")]
    return {
        "stages": list(dict.fromkeys(stages)),
        "include": [{"local": "templates/review.yml", "inputs": inputs}],
    }


def sharded_ci(
    shards: int = 2, merge: Mapping[str, Any] | None = None, **inputs: Any
) -> dict[str, Any]:
    """`component_ci(**inputs)` with the review split over `shards` jobs (`parallel:`, set on
    the included job as a user does) and the `merge` component, with `merge` as its inputs."""
    ci = component_ci(**inputs)
    merge_include: dict[str, Any] = {"local": "templates/merge.yml"}
    if merge:
        merge_include["inputs"] = dict(merge)
    ci["include"].append(merge_include)
    ci[JOB] = {"parallel": shards}
    return ci


def template_ci() -> dict[str, Any]:
    """A `.gitlab-ci.yml` including the plain template as a local file."""
    return {"include": [{"local": "gitlab-template.yml"}]}


class MergeRequestPipeline:
    def __init__(
        self, root: Path, fake: FakeGitLab, ci: Mapping[str, Any], change: Mapping[str, str]
    ) -> None:
        self.root, self.fake = root, fake
        self.repo = repo = GitRepo(root / "repo")
        shutil.copyfile(COMPONENT, repo.write("templates/review.yml", ""))
        shutil.copyfile(MERGE, repo.write("templates/merge.yml", ""))
        shutil.copyfile(TEMPLATE, repo.write("gitlab-template.yml", ""))
        repo.write(".gitlab-ci.yml", yaml.safe_dump(dict(ci), sort_keys=False))
        for path, text in BASE_FILES.items():
            repo.write(path, text)
        self.base = repo.commit("base")
        repo.branch("feature")
        for path, text in change.items():
            repo.write(path, text)
        self.head = repo.commit("feature")
        self.diff = repo.git("diff", "--find-renames", f"{self.base}...HEAD") + "\n"
        self.mr = fake.add_merge_request(
            PROJECT, IID, diff=self.diff, base_sha=self.base, head_sha=self.head
        )

    def push(self, files: Mapping[str, str]) -> None:
        """Another commit on `feature` writing `files`, pushed to the merge request."""
        for path, text in files.items():
            self.repo.write(path, text)
        self.head = self.repo.commit("push")
        self.diff = self.repo.git("diff", "--find-renames", f"{self.base}...HEAD") + "\n"
        self.fake.push(self.mr, self.head, diff=self.diff)

    def variables(self) -> dict[str, str]:
        """What GitLab predefines in a merge request pipeline, pointed at the fake."""
        project_id = str(self.mr.project.id)
        project_url = f"{self.fake.url}/{PROJECT}"
        return {
            "GITLAB_CI": "true",
            "CI_PIPELINE_SOURCE": "merge_request_event",
            "CI_SERVER_URL": self.fake.url,
            "CI_API_V4_URL": self.fake.api_url,
            "CI_PROJECT_ID": project_id,
            "CI_PROJECT_URL": project_url,
            "CI_COMMIT_SHA": self.head,
            "CI_JOB_TOKEN": FakeGitLab.JOB_TOKEN,
            "CI_MERGE_REQUEST_IID": str(IID),
            "CI_MERGE_REQUEST_PROJECT_ID": project_id,
            "CI_MERGE_REQUEST_SOURCE_PROJECT_ID": project_id,
            "CI_MERGE_REQUEST_PROJECT_URL": project_url,
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature",
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
            "CI_MERGE_REQUEST_DIFF_BASE_SHA": self.base,
            "CI_MERGE_REQUEST_TITLE": "Feature",
            "GITLAB_TOKEN": FakeGitLab.BOT_TOKEN,
        }

    def run(
        self, variables: Mapping[str, str] | None = None, *, jobs_may_fail: bool = False
    ) -> Pipeline:
        """The pipeline; `variables` replaces the merge request's (default: all of them).
        `jobs_may_fail`: a job without `allow_failure` may fail (see `run_pipeline`)."""
        given = self.variables() if variables is None else dict(variables)
        home = self.root / "gcl-home"
        return run_pipeline(self.repo.path, given, home=home, jobs_may_fail=jobs_may_fail)

    def baton_notes(self) -> list[str]:
        return [n.body for n in self.fake.notes(self.mr) if n.body.startswith(MARKER)]

    def line_threads(self) -> list[tuple[str, int]]:
        found = []
        for discussion in self.fake.discussions(self.mr):
            position = discussion.notes[0].position
            if position:
                found.append((position["new_path"], position["new_line"]))
        return sorted(found)
