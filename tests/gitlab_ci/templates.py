"""baton's GitLab CI files as tests read them: the plain template and the CI/CD component.

A component file is two YAML documents, the `spec:` header and the jobs, separated by a
`---` line; `component_parts` splits it there so each part can be validated on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "gitlab-template.yml"
COMPONENT = ROOT / "templates" / "review.yml"
JOB = "baton-review"

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
