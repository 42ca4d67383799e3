"""Synthetic changes to benchmark on: a real git repository with a feature branch over `main`.

`build_corpus(root, added_lines)` writes Python modules of about 100 lines each until the
feature branch adds roughly `added_lines` lines. A third of the modules already exist on
`main` in an earlier version (so the diff has modified files, not only new ones), a few
files are deleted, and a markdown file comes with every 50 modules. The code is ordinary
but sprinkled with what the agents look for: unused imports (ruff F401), mutable default
arguments (B006), `subprocess.run(..., shell=True)` (bandit B602) and a high-entropy token
(bandit B105, detect-secrets). An untracked Cobertura `coverage.xml` measures every module
and marks the error branches, and one function in every fourth module, as not run.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import os
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

MODULES_PER_PACKAGE = 50
FUNCTIONS = 9
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}

Line = tuple[str, str]
"""A source line and how coverage sees it: "run", "missed" or "" (not executable)."""


@dataclass(frozen=True)
class Corpus:
    """The repository built for one size, and what was put in it."""

    root: Path
    base: str
    head: str
    modules: int
    estimated_added: int


def build_corpus(root: Path, added_lines: int) -> Corpus:
    """Create the repository under `root` (which must not exist yet)."""
    root.mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "core.autocrlf", "false")
    modules: list[tuple[str, list[Line]]] = []
    estimated = 0
    index = 0
    while estimated < added_lines:
        path = f"src/app/pkg{index // MODULES_PER_PACKAGE}/mod_{index}.py"
        head = module_lines(index, earlier=False)
        if index % 3 == 1:
            earlier = [text for text, _ in module_lines(index, earlier=True)]
            _write(root / path, earlier)
            estimated += _added_by_diff(earlier, [text for text, _ in head])
        else:
            estimated += len(head)
        modules.append((path, head))
        index += 1
    packages = -(-len(modules) // MODULES_PER_PACKAGE)
    for package in range(packages):
        _write(root / f"src/app/legacy/old_{package}.py", _legacy(package))
    base = _commit(root, "base")
    _git(root, "checkout", "-q", "-b", "feature")
    for package in range(packages):
        (root / f"src/app/legacy/old_{package}.py").unlink()
        notes = _notes(package)
        _write(root / f"docs/pkg{package}.md", notes)
        estimated += len(notes)
    for path, lines in modules:
        _write(root / path, [text for text, _ in lines])
    head_sha = _commit(root, "feature")
    write_cobertura(root, modules)
    return Corpus(root, base, head_sha, len(modules), estimated)


def module_lines(index: int, *, earlier: bool) -> list[Line]:
    """One module's lines; `earlier` gives the version `main` has, with fewer functions."""
    token = base64.b64encode(hashlib.sha256(f"token-{index}".encode()).digest()).decode()
    limit = 3 + index % 17 + (5 if earlier else 0)
    lines: list[Line] = [
        (f'"""Order handling for shard {index}."""', ""),
        ("", ""),
        ("from __future__ import annotations", "run"),
        ("", ""),
        ("import json", "run"),
        ("import os", "run"),
        ("import subprocess", "run"),
        ("", ""),
        (f"LIMIT = {limit}", "run"),
        ("Counts = dict[str, int]", "run"),
    ]
    if index % 11 == 0 and not earlier:
        lines.append((f'API_TOKEN = "{token}"', "run"))
    lines.extend([("", ""), ("", "")])
    lines.extend(_store(index))
    for number in range(FUNCTIONS):
        if earlier and number % 2:
            continue
        lines.extend(("", "") for _ in range(2))
        lines.extend(_function(index, number, earlier=earlier))
    return lines


def write_cobertura(root: Path, modules: list[tuple[str, list[Line]]]) -> Path:
    """coverage.py-style Cobertura XML for the modules' head versions, left untracked."""
    valid = covered = 0
    document = ET.Element("coverage", {"version": "7.6.0", "branch-rate": "0", "complexity": "0"})
    ET.SubElement(ET.SubElement(document, "sources"), "source").text = str(root)
    packages = ET.SubElement(document, "packages")
    by_package: dict[str, ET.Element] = {}
    for path, lines in modules:
        package_name = path.rsplit("/", 1)[0].replace("/", ".")
        if package_name not in by_package:
            package = ET.SubElement(packages, "package", {"name": package_name})
            by_package[package_name] = ET.SubElement(package, "classes")
        cls = ET.SubElement(
            by_package[package_name], "class", {"name": path.rsplit("/", 1)[1], "filename": path}
        )
        ET.SubElement(cls, "methods")
        numbers = ET.SubElement(cls, "lines")
        for number, (_, kind) in enumerate(lines, start=1):
            if kind:
                hits = "1" if kind == "run" else "0"
                ET.SubElement(numbers, "line", {"number": str(number), "hits": hits})
                valid += 1
                covered += kind == "run"
    document.set("lines-valid", str(valid))
    document.set("lines-covered", str(covered))
    document.set("line-rate", f"{covered / max(valid, 1):.4f}")
    target = root / "coverage.xml"
    ET.ElementTree(document).write(target, encoding="utf-8", xml_declaration=True)
    return target


def _store(index: int) -> list[Line]:
    return [
        (f"class Store{index}:", "run"),
        ('    """A small in-memory store."""', ""),
        ("", ""),
        ("    def __init__(self) -> None:", "run"),
        ("        self.items: dict[str, int] = {}", "run"),
        ("", ""),
        ("    def put(self, key: str, value: int) -> None:", "run"),
        ("        self.items[key] = value", "run"),
        ("", ""),
        ("    def get(self, key: str, default: int = 0) -> int:", "run"),
        ("        return self.items.get(key, default)", "run"),
    ]


def _function(index: int, number: int, *, earlier: bool) -> list[Line]:
    """The module's `number`th function; every fourth module leaves one of them untested."""
    name = f"{index}_{number}"
    body = "missed" if index % 4 == 0 and number == 5 else "run"
    kind = number % 4
    if number == 6 and index % 5 == 0:
        return [
            (f"def shell_{name}(command: str) -> int:", "run"),
            ('    """Run a shell command line."""', ""),
            ("    done = subprocess.run(command, shell=True, check=False)", body),
            ("    return done.returncode", body),
        ]
    if number == 7 and index % 7 == 0:
        return [
            (f"def collect_{name}(item: str, into: list[str] = []) -> list[str]:", "run"),
            ("    into.append(item)", body),
            ("    return into", body),
        ]
    if number == 7 and index % 3 != 0:
        return [
            (f"def setting_{name}(key: str) -> str:", "run"),
            ('    return os.environ.get(key, "")', body),
        ]
    if kind == 0:
        return [
            (f"def load_{name}(path: str) -> dict[str, object]:", "run"),
            ('    """Read one JSON document from `path`."""', ""),
            ('    with open(path, encoding="utf-8") as handle:', body),
            ("        data = json.load(handle)", body),
            ("    if not isinstance(data, dict):", body),
            ('        raise ValueError(f"{path}: expected an object")', "missed"),
            ("    return data", body),
        ]
    if kind == 1:
        weight = 2 + number + (1 if earlier else 0)
        return [
            (f"def score_{name}(values: list[int], weight: int = {weight}) -> int:", "run"),
            ('    """Weighted sum of the values above the limit, minus the others."""', ""),
            ("    total = 0", body),
            ("    for value in values:", body),
            ("        if value > LIMIT:", body),
            ("            total += value * weight", body),
            ("        else:", ""),
            ("            total -= value", body),
            ("    return total", body),
        ]
    if kind == 2:
        return [
            (f"def run_{name}(args: list[str]) -> str:", "run"),
            ('    """Run the helper tool and return what it printed."""', ""),
            (
                '    done = subprocess.run(["tool", *args], capture_output=True, text=True,'
                " check=False)",
                body,
            ),
            ("    if done.returncode != 0:", body),
            ('        return ""', "missed"),
            ("    return done.stdout.strip()", body),
        ]
    return [
        (f"def merge_{name}(left: Counts, right: Counts) -> Counts:", "run"),
        ('    """Sum two counters key by key."""', ""),
        ("    merged = dict(left)", body),
        ("    for key, value in right.items():", body),
        ("        merged[key] = merged.get(key, 0) + value", body),
        ("    return merged", body),
    ]


def _legacy(package: int) -> list[str]:
    return [f'"""Old helpers of package {package}, removed by the change."""', "", "X = 1"]


def _notes(package: int) -> list[str]:
    return [f"# Package {package}", "", "Shards of the order service.", ""] + [
        f"- `mod_{n}`: shard {n}"
        for n in range(package * MODULES_PER_PACKAGE, (package + 1) * MODULES_PER_PACKAGE)
    ]


def _added_by_diff(old: list[str], new: list[str]) -> int:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return sum(j2 - j1 for tag, _, _, j1, j2 in matcher.get_opcodes() if tag != "equal")


def _write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _commit(root: Path, message: str) -> str:
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", message)
    return _git(root, "rev-parse", "HEAD")


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=root,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8", "replace").strip()
