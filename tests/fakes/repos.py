"""Real git repositories built in temporary directories for tests.

`GitRepo` wraps the `git` command: write files (bytes or text), commit, branch, and read
back SHAs. Commits use fixed identities and dates so runs are reproducible.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git_in(cwd: Path, *args: str, input: bytes | None = None) -> str:
    """`git ARGS` in `cwd` with the fixed test identity and dates; its output, stripped."""
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        input=input,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8", "replace").strip()


class GitRepo:
    """A throw-away repository on disk, with `main` as its first branch."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "core.autocrlf", "false")

    def git(self, *args: str, input: bytes | None = None) -> str:
        return git_in(self.path, *args, input=input)

    def write(self, relpath: str, content: str | bytes) -> Path:
        target = self.path / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_bytes(content.encode("utf-8"))
        else:
            target.write_bytes(content)
        return target

    def remove(self, relpath: str) -> None:
        self.git("rm", "-q", relpath)

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def branch(self, name: str) -> None:
        self.git("checkout", "-q", "-b", name)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def pull_request(self, base: dict[str, str], change: dict[str, str]) -> str:
        """`base` committed on the current branch, then `change` on a new branch `feature`;
        returns the base commit."""
        for path, text in base.items():
            self.write(path, text)
        base_sha = self.commit("base")
        self.branch("feature")
        for path, text in change.items():
            self.write(path, text)
        self.commit("feature")
        return base_sha
