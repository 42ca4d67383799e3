"""ruff: how it is run over changed Python files and how its JSON becomes findings.

Without a ruff configuration in the trusted revision, baton selects rules that find bugs
rather than style: syntax errors (E9), pyflakes (F), bugbear (B) and pylint errors (PLE).
The trusted revision's root `.ruff.toml`, `ruff.toml` or `[tool.ruff]` in `pyproject.toml`
(in ruff's order) is passed with `--config`, which makes ruff ignore every configuration file
it would otherwise find beside the files, the change's own included. Files of the change are
always linted (ruff's `exclude` does not drop a file named on the command line), and
`# noqa` / `# ruff: noqa` are ignored unless `honor_tool_suppressions` says otherwise.

Severity map (documented in README), for every rule ruff knows (`ruff rule --all`):

* HIGH — what fails at run time, or before: `invalid-syntax`, `E9` (syntax and I/O errors),
  pylint errors `PLE`, and the pyflakes rules that raise: undefined names (`F821`-`F823`),
  `F70x` (`break`/`continue`/`yield`/`return` outside their place, a bare `except:` not last),
  late or unknown `__future__` imports (`F404`, `F407`), starred assignments Python rejects
  (`F621`, `F622`), `print >>` (`F633`) and format strings that raise (`F501`-`F503`,
  `F505`-`F509`, `F521`, `F524`, `F525`);
* flake8-bandit `S###` — the weight bandit gives its `B###` twin (`S_BANDIT`: bandit's
  severity, confidence and CWE, through `bandit.severity_for`), so ruff's `S602` and bandit's
  `B602` grade alike when `merge` joins them: `S602`/`S605` on a non-literal command and
  `S701` → CRITICAL; `S103` world-writable, `S201`, `S202`, `S304`, `S312`, `S321`, `S324`,
  `S401`, `S402`, `S411`-`S415`, `S501`, `S502`, `S507`, `S609` → HIGH; the rest MEDIUM or
  LOW as bandit rates them (`S105`-`S107` hard-coded passwords LOW, like `B105`-`B107`;
  `S602`/`S605` that ruff says "seem safe" LOW);
* MEDIUM — bugbear `B` (and `BLE`) and the other invalid comparisons and asserts (`F63x`);
* INFO — style, never above it: pycodestyle `E`/`W` (but `E9`; `E711`/`E712` comparisons to
  None/True included), pydocstyle `D`, pydoclint `DOC`, pep8-naming `N`, isort `I`, pyupgrade
  `UP`, and the flake8 style plugins (`Q`, `COM`, `C4`, `SIM`, `RET`, `ANN`, `ISC`, `PIE`, `PT`,
  `PYI`, `TD`, `FIX`, `CPY`, `EM`, `INP`, `ICN`, `TC`, `TID`, `PTH`, `FBT`, `G`, `RSE`, `SLOT`),
  eradicate `ERA`, flynt `FLY`, refurb `FURB`, future-annotations `FA`, mccabe `C90`, pylint
  convention and refactor `PLC`/`PLR`;
* LOW — the other pyflakes rules (unused imports, …) and everything else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from baton.agents.builtin import bandit
from baton.agents.builtin.common import (
    at_git_lines,
    expect,
    load_json,
    pyproject_tools,
    repo_relative,
)
from baton.agents.tools import ToolRunner
from baton.change.workspace import Workspace
from baton.findings.model import Confidence, Finding, Severity
from baton.tool_config import PYPROJECT, RUFF_FILES

DEFAULT_SELECT = ("E9", "F", "B", "PLE")
CRASH_RULES = frozenset(
    {"F404", "F407", "F501", "F502", "F503", "F505", "F506", "F507", "F508", "F509", "F521"}
    | {"F524", "F525", "F621", "F622", "F633", "F701", "F702", "F704", "F706", "F707", "F821"}
    | {"F822", "F823"}
)
"""pyflakes rules whose code raises (SyntaxError, NameError, TypeError, ValueError, …)."""
STYLE_FAMILIES = frozenset(
    {"E", "W", "I", "D", "DOC", "N", "Q", "UP", "COM", "ERA", "C4", "C90", "SIM", "RET", "ANN"}
    | {"ISC", "PIE", "PT", "PYI", "TD", "FIX", "CPY", "EM", "INP", "ICN", "TC", "TID", "PTH"}
    | {"FBT", "G", "RSE", "SLOT", "FLY", "FURB", "FA", "PLC", "PLR"}
)
MEDIUM_FAMILIES = frozenset({"B", "BLE"})
S_BANDIT: dict[str, tuple[str, str, int]] = {
    "S101": ("LOW", "HIGH", 703),
    "S102": ("MEDIUM", "HIGH", 78),
    "S103": ("MEDIUM", "HIGH", 732),
    "S104": ("MEDIUM", "MEDIUM", 605),
    "S105": ("LOW", "MEDIUM", 259),
    "S106": ("LOW", "MEDIUM", 259),
    "S107": ("LOW", "MEDIUM", 259),
    "S108": ("MEDIUM", "MEDIUM", 377),
    "S110": ("LOW", "HIGH", 703),
    "S112": ("LOW", "HIGH", 703),
    "S113": ("MEDIUM", "LOW", 400),
    "S201": ("HIGH", "MEDIUM", 94),
    "S202": ("HIGH", "HIGH", 22),
    "S301": ("MEDIUM", "HIGH", 502),
    "S302": ("MEDIUM", "HIGH", 502),
    "S303": ("MEDIUM", "HIGH", 327),
    "S304": ("HIGH", "HIGH", 327),
    "S305": ("MEDIUM", "HIGH", 327),
    "S306": ("MEDIUM", "HIGH", 377),
    "S307": ("MEDIUM", "HIGH", 78),
    "S308": ("MEDIUM", "HIGH", 79),
    "S310": ("MEDIUM", "HIGH", 22),
    "S311": ("LOW", "HIGH", 330),
    "S312": ("HIGH", "HIGH", 319),
    **dict.fromkeys(
        ("S313", "S314", "S315", "S316", "S317", "S318", "S319", "S320"), ("MEDIUM", "HIGH", 20)
    ),
    "S321": ("HIGH", "HIGH", 319),
    "S323": ("MEDIUM", "HIGH", 295),
    "S324": ("HIGH", "HIGH", 327),
    "S401": ("HIGH", "HIGH", 319),
    "S402": ("HIGH", "HIGH", 319),
    "S403": ("LOW", "HIGH", 502),
    "S404": ("LOW", "HIGH", 78),
    **dict.fromkeys(("S405", "S406", "S407", "S408", "S409", "S410"), ("LOW", "HIGH", 20)),
    "S411": ("HIGH", "HIGH", 20),
    "S412": ("HIGH", "HIGH", 284),
    "S413": ("HIGH", "HIGH", 327),
    "S415": ("HIGH", "HIGH", 319),
    "S501": ("HIGH", "HIGH", 295),
    "S502": ("HIGH", "HIGH", 327),
    "S503": ("MEDIUM", "MEDIUM", 327),
    "S504": ("LOW", "MEDIUM", 327),
    "S505": ("MEDIUM", "HIGH", 326),
    "S506": ("MEDIUM", "HIGH", 20),
    "S507": ("HIGH", "MEDIUM", 295),
    "S508": ("MEDIUM", "HIGH", 319),
    "S509": ("MEDIUM", "HIGH", 319),
    "S601": ("MEDIUM", "MEDIUM", 78),
    "S602": ("HIGH", "HIGH", 78),
    "S603": ("LOW", "HIGH", 78),
    "S604": ("MEDIUM", "LOW", 78),
    "S605": ("HIGH", "HIGH", 78),
    "S606": ("LOW", "MEDIUM", 78),
    "S607": ("LOW", "HIGH", 78),
    "S608": ("MEDIUM", "MEDIUM", 89),
    "S609": ("HIGH", "MEDIUM", 155),
    "S610": ("MEDIUM", "MEDIUM", 89),
    "S611": ("MEDIUM", "MEDIUM", 89),
    "S612": ("MEDIUM", "HIGH", 94),
    "S701": ("HIGH", "HIGH", 94),
    "S702": ("MEDIUM", "HIGH", 80),
    "S704": ("MEDIUM", "HIGH", 79),
}
"""Bandit's severity, confidence and CWE for the twin of each flake8-bandit rule. Where bandit
grades one check several ways, the entry is its finding on non-literal input (`S602`, `S605`:
ruff's "seems safe" message gives bandit's LOW variant), its default thresholds (`S505`) or
its execute-call variant (`S608`); `S103` is HIGH when ruff quotes a world-writable mask."""
S_DEFAULT = ("MEDIUM", "MEDIUM", None)
"""A flake8-bandit rule newer than this table."""
_CODE = re.compile(r"^([A-Z]+)(\d+)$")
_BANDIT_TWIN = re.compile(r"^S\d{3}$")
_MASK = re.compile(r"mask `(0o[0-7]+|\d+)`")


def family(code: str) -> str:
    """The rule family a code belongs to: `E501` → E, `PLE0101` → PLE, `C401` → C4, `C901` →
    C90, `T201` → T20."""
    match = _CODE.match(code)
    if match is None:
        return code
    letters, digits = match.groups()
    if letters == "C":
        return "C4" if digits.startswith("4") else "C90"
    return letters + digits[:2] if letters == "T" else letters


def severity_for(code: str, message: str = "") -> Severity:
    """baton's severity for a ruff rule; `message` (ruff's) tells bandit's variants apart."""
    kind = family(code)
    if code == "invalid-syntax" or code.startswith("E9") or kind == "PLE" or code in CRASH_RULES:
        return Severity.HIGH
    if _BANDIT_TWIN.match(code):
        return _bandit_weight(code, message)
    if kind in MEDIUM_FAMILIES or code.startswith("F63"):
        return Severity.MEDIUM
    if kind in STYLE_FAMILIES:
        return Severity.INFO
    return Severity.LOW


def _bandit_weight(code: str, message: str) -> Severity:
    severity, confidence, cwe = S_BANDIT.get(code, S_DEFAULT)
    if code in {"S602", "S605"} and "seems safe" in message:
        severity = "LOW"
    mask = _MASK.search(message) if code == "S103" else None
    if mask is not None and int(mask.group(1), 0) & 0o002:
        severity = "HIGH"
    return bandit.severity_for(severity, confidence, cwe, f"B{code[1:]}")


def trusted_config(config: Path) -> Path | None:
    """The trusted revision's ruff configuration file (copied to `config`), if any."""
    for name in RUFF_FILES:
        if (config / name).is_file():
            return config / name
    return config / PYPROJECT if "ruff" in pyproject_tools(config) else None


def ruff_args(config: Path, *, honor_noqa: bool) -> list[str]:
    args = ["check", "--output-format", "json", "--no-fix", "--exit-zero", "--no-cache"]
    if not honor_noqa:
        args.append("--ignore-noqa")
    own = trusted_config(config)
    if own is not None:
        return [*args, "--config", str(own)]
    return [*args, "--isolated", "--select", ",".join(DEFAULT_SELECT)]


async def scan(
    tools: ToolRunner, workspace: Workspace, files: Sequence[str], agent: str, *, honor: bool
) -> list[Finding]:
    root = workspace.text
    args = ruff_args(workspace.config, honor_noqa=honor)
    outputs = await tools.run_batched("ruff", args, files, cwd=root, processes=1)
    findings: list[Finding] = []
    for output in outputs:
        data = load_json("ruff", output.stdout)
        expect(isinstance(data, list), "ruff", "a JSON array")
        findings.extend(_finding(item, root, agent) for item in data)
    return at_git_lines(findings, workspace)


def _finding(item: dict[str, Any], root: Path, agent: str) -> Finding:
    expect(isinstance(item, dict) and "location" in item and "filename" in item, "ruff", "item")
    code = str(item.get("code") or "invalid-syntax")
    start = int(item["location"]["row"])
    end = int((item.get("end_location") or {}).get("row", start))
    message = str(item.get("message", "")).strip()
    fix = item.get("fix") or {}
    return Finding(
        agent=agent,
        rule_id=code,
        rule_url=item.get("url"),
        severity=severity_for(code, message),
        confidence=Confidence.HIGH,
        path=repo_relative(str(item["filename"]), root),
        line=max(start, 1),
        end_line=max(end, start, 1),
        title=message[:120] or code,
        message=message,
        recommendation=fix.get("message") if isinstance(fix, dict) else None,
    )
