"""Cold start of the GitHub Action under act: a published image pulled vs the Dockerfile built.

    .venv/bin/python -m bench.cold_start --repeat 3

What a user waits for before the first agent starts, on a machine that has never seen baton:

- **pull**: action.yml names `docker://127.0.0.1:PORT/baton-review/baton:VERSION`, the full
  image of this tree pushed to a local registry (Debian's `docker-registry`), as a released
  action names the published image;
- **build**: action.yml says `image: Dockerfile`, as main does, and act builds it, with the
  local wheels (no package index here) and an empty build cache.

A pull run gets a Docker engine of its own with an empty data root (only act's job image is
loaded into it, before the clock starts), so no layer is there before. A build run uses the
machine's engine (its builds need the default bridge network for apt) with a Dockerfile
whose first step differs in every run, so no step comes from the build cache; the base image
is already there and pip installs from local wheels, so a real first build, which downloads
both, takes longer than this one. The clock runs from act's "Start image" line of the job to
baton's first "started on" line of an agent, read from act's output as it is printed. The
review itself posts to a fake GitHub on 127.0.0.1. Needs root, dockerd and docker-registry
(`apt-get install docker.io docker-registry`); scripts/docker-test-env.sh prepares the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.container import image
from tests.container.act import act_binary
from tests.container.test_act import WORKFLOW, use_local_base
from tests.fakes.github_api import FakeGitHub
from tests.fakes.github_shapes import pull_request_event
from tests.fakes.repos import GitRepo

REPO = "acme/app"
ACTION = ".baton-action"
JOB_START = "🚀  Start image="
AGENT_START = ": started on "


@dataclass(frozen=True)
class Run:
    mode: str
    to_first_agent: float
    job_total: float


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(check: Sequence[str], env: dict[str, str], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if subprocess.run(check, env=env, capture_output=True, check=False).returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"not ready after {seconds:.0f} s: {' '.join(check)}")


@contextmanager
def registry(folder: Path) -> Iterator[str]:
    """Debian's docker-registry on 127.0.0.1 (Docker treats loopback registries as insecure
    and allows plain HTTP to them)."""
    port = free_port()
    config = folder / "registry.yml"
    config.write_text(
        "version: 0.1\n"
        f"storage:\n  filesystem:\n    rootdirectory: {folder / 'data'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    with (folder / "registry.log").open("w") as log:
        server = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=log, stderr=log)
    try:
        wait_for(["curl", "-sf", f"http://127.0.0.1:{port}/v2/"], dict(os.environ), 30)
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def private_engine(folder: Path) -> Iterator[dict[str, str]]:
    """A Docker engine with an empty data root; yields the environment that points at it."""
    folder.mkdir(parents=True)
    host = f"unix://{folder / 'docker.sock'}"
    # A bridge of its own: with none, an engine removes the machine engine's docker0 on exit.
    bridge = f"baton{os.getpid() % 100000}"
    subprocess.run(["ip", "link", "add", bridge, "type", "bridge"], check=True)
    with (folder / "dockerd.log").open("w") as log:
        daemon = subprocess.Popen(
            [
                "dockerd",
                "--host",
                host,
                "--data-root",
                str(folder / "data"),
                "--exec-root",
                str(folder / "exec"),
                "--pidfile",
                str(folder / "dockerd.pid"),
                "--bridge",
                bridge,
                "--iptables=false",
                "--ip-masq=false",
            ],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    env = {**os.environ, "DOCKER_HOST": host}
    try:
        wait_for(["docker", "info"], env, 60)
        yield env
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
        for mount in mounts_under(folder):  # the engine's network namespace stays mounted
            subprocess.run(["umount", "--lazy", mount], check=False)
        subprocess.run(["ip", "link", "delete", bridge], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def mounts_under(folder: Path) -> list[str]:
    with open("/proc/self/mounts") as table:
        points = [line.split()[1] for line in table]
    return sorted((p for p in points if p.startswith(f"{folder}/")), reverse=True)


def load_job_image(base_image: str, env: dict[str, str]) -> None:
    with subprocess.Popen(["docker", "save", base_image], stdout=subprocess.PIPE) as saved:
        subprocess.run(["docker", "load", "--quiet"], stdin=saved.stdout, env=env, check=True)


def pull_request(folder: Path, github: FakeGitHub) -> tuple[GitRepo, Path]:
    """A checkout with a one-file change, its pull request on the fake GitHub, and the event."""
    repo = GitRepo(folder / "repo")
    repo.git("remote", "add", "origin", f"https://github.com/{REPO}.git")
    repo.write("app/__init__.py", "")
    repo.write("app/util.py", "def helper():\n    return 1\n")
    repo.commit("base")
    base = repo.head()
    repo.branch("feature")
    repo.write("app/util.py", "def helper():\n    return 2\n")
    head = repo.commit("feature")
    diff = repo.git("diff", f"{base}...{head}") + "\n"
    github.add_pull(REPO, 7, diff=diff, head_sha=head, base_sha=base)
    (repo.path / ".git" / "info" / "exclude").write_text(f"/{ACTION}/\n/.github/\n/.baton/\n")
    event = folder / "event.json"
    event.write_text(json.dumps(pull_request_event(REPO, 7, base, head)))
    return repo, event


def action_folder(repo: GitRepo, engine: image.Engine, published: str | None) -> None:
    """The action as a released version (image `published`) or as main has it (Dockerfile)."""
    text = (image.ROOT / "action.yml").read_text()
    if published is None:
        folder = image.make_context(engine, repo.path / ACTION)
        dockerfile = folder / "Dockerfile"
        use_local_base(dockerfile, engine.base_image)
        first = "FROM ${BASE_IMAGE} AS runtime\n"
        fresh = f"{first}ARG COLD_BUILD={uuid.uuid4().hex}\n"  # a new first step: no cache
        dockerfile.write_text(dockerfile.read_text().replace(first, fresh, 1))
    else:
        folder = repo.path / ACTION
        folder.mkdir()
        text = text.replace("image: Dockerfile", f"image: docker://{published}")
    (folder / "action.yml").write_text(text)


def time_job(
    engine: image.Engine, published: str | None, folder: Path, env: dict[str, str]
) -> tuple[float, float]:
    """act runs the workflow; seconds from the job's start to the first agent, and in all."""
    with FakeGitHub() as github:
        repo, event = pull_request(folder, github)
        action_folder(repo, engine, published)
        workflow = repo.path / ".github" / "workflows" / "review.yml"
        workflow.parent.mkdir(parents=True)
        workflow.write_text(WORKFLOW.format(name="cold-start", action=ACTION))
        command = [
            act_binary(),
            "pull_request",
            *("--workflows", str(workflow), "--eventpath", str(event)),
            *("--platform", f"ubuntu-latest={engine.base_image}", "--pull=false", "--bind"),
            *("--network", "host", "--container-options", "--network host"),
            *("--secret", f"GITHUB_TOKEN={FakeGitHub.ACTIONS_TOKEN}"),
            *("--env", f"GITHUB_API_URL={github.url}", "--env", f"GITHUB_REPOSITORY={REPO}"),
        ]
        started = first_agent = None
        lines = []
        with subprocess.Popen(
            command,
            cwd=repo.path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ) as act:
            assert act.stdout is not None
            for line in act.stdout:
                lines.append(line)
                now = time.monotonic()
                if started is None and JOB_START in line:
                    started = now
                if first_agent is None and AGENT_START in line:
                    first_agent = now
            act.wait(timeout=1800)
        ended = time.monotonic()
    if started is None or first_agent is None:
        raise RuntimeError("no agent started; act said:\n" + "".join(lines[-40:]))
    return first_agent - started, ended - started


def measure(engine: image.Engine, published: str, repeat: int, folder: Path) -> list[Run]:
    runs = []
    for index in range(repeat):
        for mode in ("pull", "build"):
            work = folder / f"{mode}-{index}"
            if mode == "build":
                first, total = time_job(engine, None, work, dict(os.environ))
            else:
                with private_engine(work / "engine") as env:
                    load_job_image(engine.base_image, env)
                    first, total = time_job(engine, published, work, env)
            runs.append(Run(mode, first, total))
            print(
                f"{mode}: {first:.1f} s to the first agent, {total:.1f} s in all", file=sys.stderr
            )
    return runs


def compressed_size(registry_host: str, repository: str, tag: str) -> int:
    done = subprocess.run(
        [
            "curl",
            "-sf",
            "-H",
            "Accept: application/vnd.docker.distribution.manifest.v2+json",
            f"http://{registry_host}/v2/{repository}/manifests/{tag}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    manifest = json.loads(done.stdout)
    return sum(int(layer["size"]) for layer in manifest["layers"]) + int(manifest["config"]["size"])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each mode (default 3)")
    args = parser.parse_args(argv)
    engine = image.prepare()
    tags = {target: image.build(engine, target) for target in ("full", "builtin")}
    version = image.tree_version().replace("+", "-")
    with tempfile.TemporaryDirectory(prefix="baton-cold-") as tmp, registry(Path(tmp)) as host:
        sizes = {}
        for target, tag in tags.items():
            name = f"baton-review/baton:{version}{'' if target == 'full' else '-builtin'}"
            pushed = f"{host}/{name}"
            subprocess.run(["docker", "tag", tag, pushed], check=True)
            subprocess.run(["docker", "push", "--quiet", pushed], check=True, capture_output=True)
            subprocess.run(["docker", "image", "rm", pushed], check=True, capture_output=True)
            repository, _, reference = name.partition(":")
            sizes[target] = (
                int(image.inspect(tag)["Size"]),  # type: ignore[call-overload]
                compressed_size(host, repository, reference),
            )
        runs = measure(engine, f"{host}/baton-review/baton:{version}", args.repeat, Path(tmp))
    print("| image | on disk | compressed (pulled) |\n|---|---|---|")
    for target, (disk, packed) in sizes.items():
        print(f"| {target} | {disk / 1e6:.0f} MB | {packed / 1e6:.0f} MB |")
    print("\n| mode | job start → first agent (median) | runs | whole job (median) |")
    print("|---|---|---|---|")
    for mode in ("pull", "build"):
        mine = [run for run in runs if run.mode == mode]
        first = statistics.median(run.to_first_agent for run in mine)
        total = statistics.median(run.job_total for run in mine)
        each = ", ".join(f"{run.to_first_agent:.1f}" for run in mine)
        print(f"| {mode} | {first:.1f} s | {each} | {total:.1f} s |")


if __name__ == "__main__":
    main()
