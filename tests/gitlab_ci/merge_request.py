"""A merge request pipeline to run with gitlab-ci-local against the fake GitLab.

`MergeRequestPipeline` builds a repository whose `main` holds a `.gitlab-ci.yml` including
baton (the component with inputs, or the plain template, copied in as local files) and
whose `feature` branch holds the change; the fake GitLab gets the matching merge request !7.
`run()` runs the pipeline with the variables GitLab gives a merge request pipeline.
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
from tests.gitlab_ci.templates import COMPONENT, TEMPLATE

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


def component_ci(**inputs: Any) -> dict[str, Any]:
    """A `.gitlab-ci.yml` including the component as a local file, with `inputs`."""
    stages = ["build", "test", inputs.get("stage", "test")]
    return {
        "stages": list(dict.fromkeys(stages)),
        "include": [{"local": "templates/review.yml", "inputs": inputs}],
    }


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
        shutil.copyfile(TEMPLATE, repo.write("gitlab-template.yml", ""))
        repo.write(".gitlab-ci.yml", yaml.safe_dump(dict(ci), sort_keys=False))
        for path, text in BASE_FILES.items():
            repo.write(path, text)
        self.base = repo.commit("base")
        repo.branch("feature")
        for path, text in change.items():
            repo.write(path, text)
        self.head = repo.commit("feature")
        diff = repo.git("diff", "--find-renames", f"{self.base}...HEAD") + "\n"
        self.mr = fake.add_merge_request(
            PROJECT, IID, diff=diff, base_sha=self.base, head_sha=self.head
        )

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

    def run(self, variables: Mapping[str, str] | None = None) -> Pipeline:
        """The pipeline; `variables` replaces the merge request's (default: all of them)."""
        given = self.variables() if variables is None else dict(variables)
        return run_pipeline(self.repo.path, given, home=self.root / "gcl-home")

    def baton_notes(self) -> list[str]:
        return [n.body for n in self.fake.notes(self.mr) if n.body.startswith(MARKER)]

    def line_threads(self) -> list[tuple[str, int]]:
        found = []
        for discussion in self.fake.discussions(self.mr):
            position = discussion.notes[0].position
            if position:
                found.append((position["new_path"], position["new_line"]))
        return sorted(found)
