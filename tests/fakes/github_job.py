"""A pull request on the fake GitHub that follows a local checkout, and the environment of the
GitHub Actions job that reviews it — run after run, push after push.

`job.sync()` opens pull request #7 from the checkout's `HEAD` into `main` on the first call
and moves its head on later ones (a push, or a rebase: the base is always `main`'s current
commit), then writes the event file; `job.env()` does that and gives the job's variables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fakes.github_api import FakeGitHub
from tests.fakes.github_state import Pull
from tests.fakes.repos import git_in

REPO = "acme/app"
NUMBER = 7


@dataclass
class PullRequestJob:
    fake: FakeGitHub
    checkout: Path
    folder: Path
    """Where the event file, the step summary and the outputs go."""
    pull: Pull | None = field(default=None, init=False)

    def sync(self) -> tuple[str, str]:
        """The pull request at the checkout's head; (base, head) SHAs."""
        base, head = self._git("rev-parse", "main"), self._git("rev-parse", "HEAD")
        diff = self._git("diff", "--find-renames", f"{base}...{head}") + "\n"
        if self.pull is None:
            self.pull = self.fake.add_pull(REPO, NUMBER, diff=diff, head_sha=head, base_sha=base)
        else:
            self.fake.push(self.pull, head, diff=diff)
        return base, head

    def env(
        self, event: str = "pull_request", extra: dict[str, Any] | None = None
    ) -> dict[str, str]:
        """The job's environment for `event` on the pull request as it is now."""
        base, head = self.sync()
        pull = {
            "number": NUMBER,
            "title": "Change",
            "draft": False,
            "base": {"sha": base, "ref": "main", "repo": {"full_name": REPO}},
            "head": {"sha": head, "ref": "feature", "repo": {"full_name": REPO}},
        }
        payload = {"action": "synchronize", "pull_request": pull, **(extra or {})}
        (self.folder / "event.json").write_text(json.dumps(payload))
        return {
            "GITHUB_ACTIONS": "true",
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_EVENT_NAME": event,
            "GITHUB_EVENT_PATH": str(self.folder / "event.json"),
            "GITHUB_API_URL": self.fake.url,
            "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_SHA": "0" * 40,
            "GITHUB_OUTPUT": str(self.folder / "github_output"),
            "GITHUB_STEP_SUMMARY": str(self.folder / "step_summary.md"),
            "INPUT_GITHUB_TOKEN": FakeGitHub.ACTIONS_TOKEN,
        }

    def _git(self, *args: str) -> str:
        return git_in(self.checkout, *args)
