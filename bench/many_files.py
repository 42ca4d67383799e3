"""A change of many small files: `build_many_files(root, added_lines, lines_per_file=10)`.

The shape of a mass migration or a generated-code refresh: the feature branch adds
`added_lines // lines_per_file` Python modules of exactly `lines_per_file` lines, 500 to a
package, so 200,000 lines are 20,000 files. Every 50th module imports `subprocess`: every
100th runs a shell command with it (`shell=True`, bandit B602, so the gate fails on
purpose), the others leave it unused (ruff F401); the rest is ordinary code. `main` holds a
README only.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import GIT_ENV

PER_PACKAGE = 500


@dataclass(frozen=True)
class ManyFiles:
    root: Path
    files: int
    added_lines: int


def build_many_files(root: Path, added_lines: int, lines_per_file: int = 10) -> ManyFiles:
    """Create the repository under `root` (which must not exist yet)."""
    if lines_per_file < 10:
        raise ValueError("modules have at least 10 lines")
    root.mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("# many files\n", encoding="utf-8")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    _git(root, "checkout", "-q", "-b", "feature")
    files = max(1, added_lines // lines_per_file)
    for index in range(files):
        folder = root / "src" / f"pkg{index // PER_PACKAGE:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = "\n".join(module_lines(index, lines_per_file)) + "\n"
        (folder / f"mod_{index:05d}.py").write_text(text, encoding="utf-8")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", f"add {files} modules")
    return ManyFiles(root, files, files * lines_per_file)


def module_lines(index: int, count: int) -> list[str]:
    imported = "subprocess" if index % 50 == 0 else "os"
    lines = [f'"""Module {index}."""', f"import {imported}", "", f"def step_{index}(value):"]
    if index % 100 == 0:
        lines.append('    subprocess.run(f"echo {value}", shell=True, check=False)')
    while len(lines) < count - 1:
        n = len(lines)
        lines.append(f"    value = value * {n} + {index % 97}")
    lines.append("    return value" if imported != "os" else "    return os.fspath(str(value))")
    return lines[:count]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env={**GIT_ENV, "PATH": "/usr/bin:/bin"}, check=True)
