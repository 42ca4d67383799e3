"""Where the change under review comes from: git (`merge-base(base, head)..head`) or a diff file.

git runs as a subprocess with `-c` overrides, so user settings such as `diff.noprefix`,
`diff.mnemonicPrefix`, `diff.relative`, `diff.submodule` or `color.ui=always` cannot change
the diff that `change.parse` reads. Refs are resolved to commit SHAs before anything else
runs, so a ref that looks like an option is never passed on.

The diff itself is made outside the work tree (an empty folder as work tree and current
directory), so no `.gitattributes` of the reviewed commit can steer it: a change that adds
`*.py -diff` or `binary` does not turn its own files into "Binary files differ". Binary is
decided by content alone, as git does without attributes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

from baton.change.model import ChangeSet
from baton.change.parse import parse_diff
from baton.errors import IncompleteReviewError, UsageError

BASE_CANDIDATES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")
"""Refs tried, in order, when no base is given."""

_CONFIG = (
    *("-c", "core.quotePath=true"),
    *("-c", "color.ui=never"),
    *("-c", "diff.noprefix=false"),
    *("-c", "diff.mnemonicPrefix=false"),
    *("-c", "diff.relative=false"),
    *("-c", "diff.submodule=short"),
    *("-c", "diff.suppressBlankEmpty=false"),
)
_DIFF_OPTIONS = (
    "--find-renames",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "-M",
    "--submodule=short",
)


def find_repo_root(start: Path) -> Path:
    """Top directory of the work tree holding `start`; not in a repository → `UsageError`."""
    if not start.exists():
        raise UsageError(f"{start} does not exist")
    where = start if start.is_dir() else start.parent
    done = run_git(where, "rev-parse", "--show-toplevel")
    if done.returncode != 0:
        reason = _first_line(done.stderr)
        if "not a git repository" in reason:
            raise UsageError(f"{start} is not inside a git repository")
        raise UsageError(f"{start}: git cannot use this repository: {reason}")
    return Path(os.fsdecode(done.stdout).rstrip("\n"))


def default_base(repo: Path) -> str:
    """The first of `BASE_CANDIDATES` that exists (`origin/HEAD` as the branch it points to)."""
    for ref in BASE_CANDIDATES:
        if _resolve(repo, ref) is None:
            continue
        if ref == "origin/HEAD":
            target = run_git(repo, "symbolic-ref", "--short", "refs/remotes/origin/HEAD")
            name = os.fsdecode(target.stdout).strip()
            return name if target.returncode == 0 and name else ref
        return ref
    raise UsageError("no base to compare with: pass --base REF")


def merge_base(repo: Path, base: str, head: str = "HEAD") -> tuple[str, str]:
    """(SHA of `merge-base(base, head)`, SHA of `head`)."""
    base_sha = commit_of(repo, base)
    head_sha = commit_of(repo, head)
    found = run_git(repo, "merge-base", base_sha, head_sha)
    if found.returncode == 1 and not found.stdout.strip():
        hint = ""
        shallow = run_git(repo, "rev-parse", "--is-shallow-repository")
        if shallow.stdout.strip() == b"true":
            hint = " (the clone is shallow: fetch more history, e.g. git fetch --unshallow)"
        raise UsageError(f"{base} and {head} have no common ancestor{hint}")
    if found.returncode != 0:
        raise IncompleteReviewError(f"git merge-base failed: {_first_line(found.stderr)}")
    return found.stdout.decode("ascii").strip(), head_sha


def git_diff(repo: Path, base: str, head: str = "HEAD") -> tuple[bytes, str, str]:
    """The diff of `merge-base(base, head)..head`, with that merge-base's SHA and head's SHA."""
    base_sha, head_sha = merge_base(repo, base, head)
    done = outside_work_tree(repo, "diff", *_DIFF_OPTIONS, base_sha, head_sha, "--")
    if done.returncode != 0:
        raise IncompleteReviewError(f"git diff failed: {_first_line(done.stderr)}")
    return done.stdout, base_sha, head_sha


def git_dir(repo: Path) -> Path:
    """The repository's own git directory (`.git`, or a linked work tree's)."""
    done = run_git(repo, "rev-parse", "--absolute-git-dir")
    if done.returncode != 0:
        raise IncompleteReviewError(f"git rev-parse failed: {_first_line(done.stderr)}")
    return Path(os.fsdecode(done.stdout).rstrip("\n"))


def outside_work_tree(
    repo: Path, *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """git `args` on `repo`'s objects with an empty work tree: no in-tree attributes apply."""
    where = git_dir(repo)
    with tempfile.TemporaryDirectory(prefix="baton-git-") as empty:
        return run_git(
            Path(empty), f"--git-dir={where}", f"--work-tree={empty}", *args, env=env, stdin=stdin
        )


def read_diff_file(spec: str, stdin: BinaryIO) -> bytes:
    """The bytes of a diff file, or of standard input when `spec` is `-`."""
    if spec == "-":
        try:
            return stdin.read()
        except OSError as err:
            raise UsageError(f"cannot read the diff from standard input: {err}") from None
    try:
        return Path(spec).read_bytes()
    except OSError as err:
        raise UsageError(f"cannot read the diff file {spec}: {err.strerror or err}") from None


def load_change(
    *,
    start: Path | None = None,
    base: str | None = None,
    head: str = "HEAD",
    diff: str | None = None,
    stdin: BinaryIO | None = None,
) -> ChangeSet:
    """The change to review: `diff` (a file or `-`) when given, else git's `base..head`.

    `start` is where the repository is looked for (default: the current directory). With a
    diff file outside any repository, files are read relative to `start`.
    """
    where = (start or Path.cwd()).absolute()
    if diff is not None:
        if base is not None or head != "HEAD":
            raise UsageError("a diff file cannot be combined with --base or --head")
        if not where.is_dir():
            raise UsageError(f"{where} is not a directory")
        raw = read_diff_file(diff, stdin if stdin is not None else sys.stdin.buffer)
        try:
            root = find_repo_root(where)
        except UsageError:
            root = where
        return parse_diff(raw, root=str(root))
    root = find_repo_root(where)
    raw, base_sha, head_sha = git_diff(root, base or default_base(root), head)
    return parse_diff(raw, root=str(root), base=base_sha, head=head_sha)


def has_commit(repo: Path, commit: str) -> bool:
    """Whether the checkout holds `commit` (a SHA or ref) as a commit object."""
    try:
        return _resolve(repo, commit) is not None
    except (IncompleteReviewError, UsageError):
        return False


def head_commit(repo: Path) -> str | None:
    """The commit checked out in `repo`, None when there is none (an empty repository)."""
    try:
        return _resolve(repo, "HEAD")
    except IncompleteReviewError:
        return None


def commit_of(repo: Path, ref: str) -> str:
    """The commit SHA `ref` names; a usage error when it names none."""
    sha = None if ref.startswith("-") or not ref.strip() else _resolve(repo, ref)
    if sha is None:
        hint = " (is it fetched? e.g. git fetch origin BRANCH)" if "/" in ref else ""
        raise UsageError(f"unknown git ref: {ref!r}{hint}")
    return sha


def _resolve(repo: Path, ref: str) -> str | None:
    """The commit SHA `ref` names, None when it names none."""
    done = run_git(
        repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
    )
    if done.returncode == 1 and not done.stderr.strip():
        return None
    if done.returncode != 0:
        raise IncompleteReviewError(f"git rev-parse failed: {_first_line(done.stderr)}")
    return done.stdout.decode("ascii").strip()


def run_git(
    cwd: Path, *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *_CONFIG, *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            check=False,
            env=None if env is None else {**os.environ, **env},
        )
    except FileNotFoundError as err:
        if err.filename == "git":
            raise IncompleteReviewError("git is not installed or not on PATH") from None
        raise UsageError(f"{cwd} does not exist") from None
    except OSError as err:
        raise IncompleteReviewError(f"cannot run git: {err.strerror or err}") from None


def _first_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace").strip()
    line = text.splitlines()[0] if text else "no message"
    return line.removeprefix("fatal: ").removeprefix("error: ")
