"""baton's image for the container tests: the Docker engine, the build, and `docker run`.

`prepare()` runs `scripts/docker-test-env.sh` (engine, local Debian base image, wheels).
`build()` builds one of the Dockerfile's images (`full`, `builtin`) from the working tree with
those wheels, offline, named with the tree's version, and tags it with a hash of everything
that goes into it, so an unchanged tree reuses the image of an earlier run. `run()` starts
the image the way GitHub starts a Docker action: the workspace mounted at /github/workspace,
which is also the working directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from setuptools_scm import get_version

ROOT = Path(__file__).resolve().parents[2]
PREPARE = ROOT / "scripts" / "docker-test-env.sh"
IMAGE_REPOSITORY = "baton-test"
SCRATCH_REPOSITORY = "baton-test-scratch"
"""Images a test builds for itself and removes; kept apart from the tree's image tags."""
WORKSPACE = "/github/workspace"
BUILD_FILES = (
    "Dockerfile",
    ".dockerignore",
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "docker/constraints.txt",
    "docker/entrypoint.sh",
)
"""Files the image is built from besides src/ (as .dockerignore lets in); missing ones skipped."""


@dataclass(frozen=True)
class Engine:
    """What `scripts/docker-test-env.sh` prepared."""

    base_image: str
    wheels: Path


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str
    seconds: float


def prepare() -> Engine:
    """Make sure the engine runs and the base image and wheels exist (idempotent)."""
    done = subprocess.run(
        ["bash", str(PREPARE), "up"], capture_output=True, text=True, timeout=1800, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{PREPARE.name} failed:\n{done.stderr}")
    values = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    return Engine(base_image=values["BASE_IMAGE"], wheels=Path(values["WHEELS"]))


def docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def inspect(tag: str) -> dict[str, object]:
    done = docker("image", "inspect", tag)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip())
    found: list[dict[str, object]] = json.loads(done.stdout)
    return found[0]


def exists(tag: str) -> bool:
    return docker("image", "inspect", tag).returncode == 0


def _sources() -> list[Path]:
    files = [ROOT / name for name in BUILD_FILES if (ROOT / name).is_file()]
    for path in sorted((ROOT / "src").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files.append(path)
    return files


def tree_version() -> str:
    """The version a build of the working tree carries (`BATON_VERSION`), as a wheel would."""
    return str(get_version(root=str(ROOT)))


def source_hash(engine: Engine) -> str:
    """Hash of the build inputs: the tree's files and version, the base image, the wheel set."""
    digest = hashlib.sha256(tree_version().encode())
    for path in _sources():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(str(inspect(engine.base_image)["Id"]).encode())
    digest.update(sorted_names(engine.wheels).encode())
    return digest.hexdigest()[:16]


def sorted_names(folder: Path) -> str:
    return "\n".join(sorted(p.name for p in folder.iterdir()))


def make_context(engine: Engine, into: Path) -> Path:
    """A build context as a checkout with a wheels/ folder would be (wheels hard-linked)."""
    for path in _sources():
        target = into / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    (into / "wheels").mkdir()
    for wheel in engine.wheels.iterdir():
        try:
            os.link(wheel, into / "wheels" / wheel.name)
        except OSError:  # another file system
            shutil.copy2(wheel, into / "wheels" / wheel.name)
    return into


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """One holder of the lock file `path` at a time, across parallel test workers."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_context(
    engine: Engine,
    context: Path,
    tag: str,
    *,
    target: str = "full",
    build_args: Mapping[str, str] | None = None,
) -> tuple[float, str]:
    """`docker build` of `context` on the local base image: its seconds and its log."""
    started = time.monotonic()
    extra = [
        arg
        for name, value in (build_args or {}).items()
        for arg in ("--build-arg", f"{name}={value}")
    ]
    done = docker(
        "build",
        "--network",
        "host",
        "--build-arg",
        f"BASE_IMAGE={engine.base_image}",
        "--build-arg",
        f"BATON_VERSION={tree_version()}",
        *extra,
        "--target",
        target,
        "--tag",
        tag,
        str(context),
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(f"docker build failed:\n{done.stdout[-4000:]}\n{done.stderr}")
    return time.monotonic() - started, done.stdout


def build(engine: Engine, target: str = "full") -> str:
    """The tag of the working tree's `target` image, built unless one of the same inputs exists."""
    inputs = source_hash(engine)
    tag = f"{IMAGE_REPOSITORY}:{inputs}-{target}"
    with locked(Path(tempfile.gettempdir()) / "baton-test-image.lock"):  # one build at a time
        if not exists(tag):
            with tempfile.TemporaryDirectory(prefix="baton-context-") as folder:
                build_context(engine, make_context(engine, Path(folder)), tag, target=target)
            _forget_other_trees(inputs)
    return tag


def _forget_other_trees(keep: str) -> None:
    """Untag images of earlier trees; their shared layers stay as build cache."""
    listed = docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}", IMAGE_REPOSITORY)
    for tag in listed.stdout.split():
        if not tag.startswith(f"{IMAGE_REPOSITORY}:{keep}-"):
            docker("image", "rm", tag)


def run(
    tag: str,
    *args: str,
    workspace: Path | None = None,
    env: Mapping[str, str] | None = None,
    entrypoint: str | None = None,
    timeout: float = 300,
) -> Ran:
    """`docker run --rm --network host [-v WS:/github/workspace -w /github/workspace] TAG ARGS`."""
    name = f"baton-test-{uuid.uuid4().hex[:12]}"
    command = ["docker", "run", "--rm", "--name", name, "--network", "host"]
    if entrypoint is not None:
        command += ["--entrypoint", entrypoint]
    if workspace is not None:
        command += ["--volume", f"{workspace}:{WORKSPACE}", "--workdir", WORKSPACE]
    for key, value in (env or {}).items():
        command += ["--env", f"{key}={value}"]
    started = time.monotonic()
    try:
        done = subprocess.run(
            [*command, tag, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
    finally:
        docker("rm", "--force", name)  # after a timeout the container would go on
    return Ran(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def give_to(path: Path, uid: int, gid: int) -> None:
    """Hand a tree to another user, as a runner's checkout belongs to the runner's user."""
    os.lchown(path, uid, gid)
    for folder, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            os.lchown(Path(folder) / name, uid, gid)


def shell(tag: str, script: str, *, workspace: Path | None = None) -> Ran:
    """`IMAGE sh -c SCRIPT`, as GitLab's runner starts a job in the image."""
    return run(tag, "sh", "-c", script, workspace=workspace)


def lines(text: str) -> Sequence[str]:
    return [line for line in text.splitlines() if line.strip()]
