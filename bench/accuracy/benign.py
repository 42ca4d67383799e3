"""Benign commits of well-known projects, replayed from bare clones of their repositories.

`benign.toml` records, per commit, the repository, the commit and its parent (full shas), the
subject, the project's licence and the paths the commit changes. Nothing of the projects'
code is kept here: the runner reads both versions of those paths from a bare clone, found
under `--mirrors DIR` as `DIR/<owner>+<name>` (or `DIR/<owner>+<name>/repo`), e.g. made with
`git clone --bare https://github.com/psf/requests DIR/psf+requests`. A commit whose clone is
missing is reported as not replayed.

To add commits: `python -m bench.accuracy.benign --mirrors DIR --licence MIT owner/name SHA…`
prints their entries (refusing a commit of more than 15 files or 200 KB).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MANIFEST = Path(__file__).resolve().parent / "benign.toml"
MAX_FILES = 15
MAX_BYTES = 200_000


class MirrorMissing(Exception):
    """No bare clone of a commit's repository under the mirrors directory."""


@dataclass(frozen=True)
class BenignCommit:
    """One ordinary commit of a public project."""

    id: str
    repository: str
    commit: str
    parent: str
    subject: str
    licence: str
    paths: tuple[str, ...]


def load_commits(manifest: Path = MANIFEST) -> list[BenignCommit]:
    data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    return [
        BenignCommit(
            id=str(raw["id"]),
            repository=str(raw["repository"]),
            commit=str(raw["commit"]),
            parent=str(raw["parent"]),
            subject=str(raw["subject"]),
            licence=str(raw["licence"]),
            paths=tuple(str(path) for path in raw["paths"]),
        )
        for raw in data.get("commit", [])
    ]


def git_dir(mirrors: Path | None, repository: str) -> Path:
    """The bare clone of `owner/name` under `mirrors`."""
    if mirrors is not None:
        top = mirrors / repository.replace("/", "+")
        for candidate in (top / "repo", top):
            if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
                return candidate
    raise MirrorMissing(f"no clone of {repository} under {mirrors}")


def files(commit: BenignCommit, mirrors: Path | None) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The parent's and the commit's versions of the changed paths (absent ones left out)."""
    where = git_dir(mirrors, commit.repository)
    return _versions(where, commit.parent, commit.paths), _versions(
        where, commit.commit, commit.paths
    )


def describe(where: Path, repository: str, sha: str, licence: str) -> str:
    """The manifest entry of one commit, or a ValueError saying why it does not fit."""
    full = _git(where, "rev-parse", f"{sha}^{{commit}}").decode().strip()
    parent = _git(where, "rev-parse", f"{full}^").decode().strip()
    listed = _git(where, "diff", "--no-renames", "--name-only", "-z", parent, full)
    paths = [path for path in listed.decode().split("\0") if path]
    base, head = _versions(where, parent, paths), _versions(where, full, paths)
    size = sum(len(data) for data in [*base.values(), *head.values()])
    if not paths or len(paths) > MAX_FILES or size > MAX_BYTES:
        raise ValueError(f"{sha}: {len(paths)} files, {size} bytes")
    subject = _git(where, "log", "-1", "--format=%s", full).decode().strip()
    project = repository.split("/")[1].lower()
    listing = "".join(f"  {_quote(path)},\n" for path in paths)
    return (
        f"[[commit]]\nid = {_quote(f'{project}-{full[:8]}')}\n"
        f"repository = {_quote(repository)}\ncommit = {_quote(full)}\n"
        f"parent = {_quote(parent)}\nsubject = {_quote(subject)}\n"
        f"licence = {_quote(licence)}\npaths = [\n{listing}]\n"
    )


def _versions(where: Path, sha: str, paths: Sequence[str]) -> dict[str, bytes]:
    listed = _git(where, "ls-tree", "-z", "--full-tree", sha, "--", *paths)
    blobs = {}
    for entry in listed.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode, kind, _ = meta.split(b" ")
        if kind == b"blob" and mode != b"120000":
            blobs[path.decode()] = _git(where, "cat-file", "blob", f"{sha}:{path.decode()}")
    return blobs


def _git(where: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", "--literal-pathspecs", f"--git-dir={where}", *args], capture_output=True, check=True
    ).stdout


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy.benign", description=__doc__)
    parser.add_argument("--mirrors", type=Path, required=True, help="directory of bare clones")
    parser.add_argument("--licence", required=True, help="the project's licence, e.g. MIT")
    parser.add_argument("repository", help="owner/name")
    parser.add_argument("shas", nargs="+", help="commits to describe")
    args = parser.parse_args(argv)
    try:
        where = git_dir(args.mirrors, args.repository)
    except MirrorMissing as err:
        print(f"bench.accuracy.benign: {err}", file=sys.stderr)
        return 2
    code = 0
    for sha in args.shas:
        try:
            print(describe(where, args.repository, sha, args.licence))
        except (ValueError, subprocess.CalledProcessError) as err:
            print(f"bench.accuracy.benign: skipped {err}", file=sys.stderr)
            code = 1
    return code


if __name__ == "__main__":
    raise SystemExit(main())
