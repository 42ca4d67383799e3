"""baton's GitLab CI files as tests read them: the plain template and the CI/CD components.

The catalog project has two components, `templates/<name>.yml`: `review` (the job
`baton-review`, which a user may split with `parallel:`) and `merge` (the job `baton-merge`,
which merges the split review's shard reports). A component file is two YAML documents, the
`spec:` header and the jobs, separated by a `---` line; `component_parts` splits it there so
each part can be validated on its own. The README's `## GitLab CI` section documents each
component's inputs in a table; `tables` reads them back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "gitlab-template.yml"
README = ROOT / "README.md"
IMAGE = "ghcr.io/baton-review/baton"
COMPONENT = ROOT / "templates" / "review.yml"
JOB = "baton-review"
MERGE = ROOT / "templates" / "merge.yml"
MERGE_JOB = "baton-merge"
COMPONENTS = {"review": COMPONENT, "merge": MERGE}
"""Every component of the catalog project, by name: the file `templates/<name>.yml`."""
COMPONENT_JOBS = {"review": JOB, "merge": MERGE_JOB}
"""The one job each component defines."""

_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)
INTERPOLATION = re.compile(r"\$\[\[(.*?)\]\]", re.DOTALL)
INPUT_REFERENCE = re.compile(r"^\s*inputs\.([A-Za-z0-9_-]+)\s*(\|[^\]]*)?$")


@dataclass(frozen=True)
class ComponentParts:
    spec: str
    jobs: str


def component_parts(text: str) -> ComponentParts:
    """The text before and after the `---` line; exactly one is expected."""
    pieces = _SEPARATOR.split(text)
    if len(pieces) != 2:
        raise AssertionError(f"a component has one `---` line, found {len(pieces) - 1}")
    return ComponentParts(spec=pieces[0], jobs=pieces[1])


def interpolations(text: str) -> list[str]:
    """Everything written as `$[[ ... ]]`, without the brackets."""
    return [match.group(1) for match in INTERPOLATION.finditer(text)]


def referenced_inputs(text: str) -> set[str]:
    """The input names used as `$[[ inputs.NAME ]]` (with or without `| function`)."""
    found = set()
    for inner in interpolations(text):
        match = INPUT_REFERENCE.match(inner)
        if match:
            found.add(match.group(1))
    return found


def spec_inputs(component: str = "review") -> dict[str, dict[str, Any]]:
    text = COMPONENTS[component].read_text(encoding="utf-8")
    inputs: dict[str, dict[str, Any]] = yaml.safe_load(component_parts(text).spec)["spec"]["inputs"]
    return inputs


def component_job(component: str = "review") -> dict[str, Any]:
    jobs = yaml.safe_load(component_parts(COMPONENTS[component].read_text(encoding="utf-8")).jobs)
    job: dict[str, Any] = jobs[COMPONENT_JOBS[component]]
    return job


def pinned_version(component: str = "review") -> str:
    """X.Y.Z of the image the component pins (`ghcr.io/baton-review/baton:X.Y.Z`)."""
    default = str(spec_inputs(component)["image"]["default"])
    match = re.fullmatch(rf"{re.escape(IMAGE)}:(\d+\.\d+\.\d+)", default)
    assert match, f"the image default of {component} is not {IMAGE}:X.Y.Z: {default}"
    return match.group(1)


def gitlab_section(markdown: str) -> str:
    """The README's `## GitLab CI` section, up to the next `## ` heading."""
    match = re.search(r"^## GitLab CI\n(.*?)(?=^## |\Z)", markdown, re.MULTILINE | re.DOTALL)
    assert match, "README.md has no `## GitLab CI` section"
    return match.group(1)


def tables(markdown: str) -> list[dict[str, str]]:
    """Each table's rows below its header as name -> default: the first cell's backticked
    name, and the second cell's backticked value ("" for "empty"), as `documented` writes it."""
    found: list[dict[str, str]] = []
    rows: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            rows.append(line)
            continue
        if rows:
            table = {}
            for row in rows[2:]:
                cells = row.split("|")
                name, default = re.findall(r"`([^`]+)`", cells[1]), cells[2].strip()
                table[" ".join(name)] = documented("" if default == "empty" else default.strip("`"))
            found.append(table)
        rows = []
    return found


def documented(default: object) -> str:
    """An input's default as the README's table writes it, the image's version as X.Y.Z (the
    release moves the components' default on, the README's examples stay)."""
    text = str(default).lower() if isinstance(default, bool) else str(default)
    return re.sub(rf"^{re.escape(IMAGE)}:\d+\.\d+\.\d+(?=$|-)", f"{IMAGE}:X.Y.Z", text)
