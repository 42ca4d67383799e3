"""detect-secrets and baton's own keyword and format scans: how they are run over changed text
files and how their results become findings.

Severity map (documented in README):

* a credential with a recognisable live format (cloud, VCS, payment, chat tokens, Google API
  keys, private keys) → CRITICAL
* basic-auth URLs and JSON web tokens → HIGH
* a literal given to a secret-named key (`password = "…"`, `API_TOKEN=…`, `secret: …`), in
  any language or configuration format → graded by the value (`secret_strength`): CRITICAL
  for strong evidence (12+ characters and 3.0+ bits/char with digits and letters or three
  character classes, or 4.0+ bits/char; no placeholder), HIGH when it looks real, MEDIUM for
  weak evidence, LOW for placeholders, references and non-literals
* bare high-entropy strings → MEDIUM, low confidence
* anything unknown → MEDIUM

Keyword assignments come from detect-secrets' "Secret Keyword" plugin and from baton's own
scan of each file's lines, which reads what detect-secrets' per-language regexes miss (Go
struct fields, typed declarations, unquoted `.env`/YAML/INI/properties values, `export X=`,
Dockerfile `ENV`, `token` names, a connection string's `Password=…;`, …). Both report the
rule `secret-secret-keyword`: on one line they make one finding, with the higher grade;
baton's scan reports only values it grades HIGH or above. detect-secrets' scan output
carries each value, which is graded, handed to the run's redactor, and never written: a
finding shows only a sha1 prefix and the evidence.

baton's format scan (`secret_formats`) adds what detect-secrets' plugins do not know (Google
API keys, private key headers such as `ENCRYPTED PRIVATE KEY` and PuTTY's newer versions) as
findings of the same shape and rule ids (`secret-google-api-key`, `secret-private-key`). On a
line where detect-secrets reports the same kind, its finding stands; a bare high-entropy
string it reports there gives way to the format's finding.

Every file of the change with added lines is scanned, whatever another agent skips it for,
from the workspace's UTF-8 copy (`text/`), so encodings and line ends cannot hide a value.
detect-secrets runs without network verification (`--no-verify`: a value found in a change
never leaves the machine) and without the filters that drop a file by its name (an image or
lock-file extension, "swagger" in the path), since names are the change author's to choose;
`pragma: allowlist secret` is ignored (by both scans) unless `honor_tool_suppressions` says
otherwise.

A private key is reported over its whole block, from its header (BEGIN) line to its last
line (END), so a key whose body changed under an unchanged BEGIN line still lands on the
change; one detect-secrets reports on the line above its header (a YAML block scalar's key)
starts on the header all the same. In a binary file (no lines in the diff) only
detect-secrets' credential formats count, and only values the file's base version did not
hold; they are reported for the whole file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baton.agents.builtin import secret_formats, secret_strength
from baton.agents.builtin.common import at_git_lines, expect, load_json, repo_relative
from baton.agents.builtin.secret_strength import Grade
from baton.agents.tools import ToolRunner
from baton.change.model import ChangedFile
from baton.change.workspace import Workspace
from baton.findings.model import Confidence, Finding, Severity
from baton.secret_kinds import (
    CREDENTIAL_FORMATS,
    GRADED,
    GUESSES,
    HIGH_FORMATS,
    INFORMATIONAL,
    KEYWORD,
    LIVE_FORMATS,
    PRIVATE_KEY,
)

DOCS_URL = "https://github.com/Yelp/detect-secrets#viewing-potential-secrets"


def severity_for(kind: str) -> tuple[Severity, Confidence]:
    if kind in LIVE_FORMATS:
        return Severity.CRITICAL, Confidence.HIGH
    if kind in HIGH_FORMATS:
        return Severity.HIGH, Confidence.MEDIUM
    if kind in GUESSES or kind in GRADED:
        return Severity.MEDIUM, Confidence.LOW
    if kind in INFORMATIONAL:
        return Severity.LOW, Confidence.LOW
    return Severity.MEDIUM, Confidence.MEDIUM


def rule_id_for(kind: str) -> str:
    return "secret-" + "-".join(kind.lower().replace("(", "").replace(")", "").split())


SCAN_ARGS = (
    "scan",
    "--no-verify",
    # This heuristic drops any secret on a line that also holds `x: y[z]` or `x = f(…)`, so
    # a trailing `# baton: ignore[rule]` (or any such comment) would hide a live key.
    *("--disable-filter", "detect_secrets.filters.heuristic.is_indirect_reference"),
    *("--disable-filter", "detect_secrets.filters.heuristic.is_non_text_file"),
    *("--disable-filter", "detect_secrets.filters.heuristic.is_lock_file"),
    *("--disable-filter", "detect_secrets.filters.heuristic.is_swagger_file"),
)
ALLOWLIST = ("--disable-filter", "detect_secrets.filters.allowlist.is_line_allowlisted")
_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass
class SecretScan:
    findings: list[Finding] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    """The values found (and a private key's lines), for the run's redactor only."""


async def scan(
    tools: ToolRunner,
    workspace: Workspace,
    files: Sequence[ChangedFile],
    agent: str,
    *,
    honor: bool,
) -> SecretScan:
    args = SCAN_ARGS if honor else (*SCAN_ARGS, *ALLOWLIST)
    binary = {f.path for f in files if f.binary or f.path in workspace.binary}
    found = await _run(tools, args, workspace.text, [f.path for f in files])
    result = SecretScan(secrets=[str(item["secret"]) for _, item in found if item.get("secret")])
    lines = _lines(workspace.text, [f.path for f in files if f.path not in binary])
    in_text = [_finding(item, path, agent, lines) for path, item in found if path not in binary]
    in_text = _with_own_keywords(in_text, lines, agent, result.secrets, honor=honor)
    in_text = _with_own_formats(in_text, lines, agent, result.secrets, honor=honor)
    widened = _key_blocks(in_text, lines, result.secrets)
    result.findings = at_git_lines(widened, workspace)
    older = sorted(binary & workspace.with_base)
    before = {
        _identity(path, item) for path, item in await _run(tools, args, workspace.base, older)
    }
    for path, item in found:
        if path in binary and _identity(path, item) not in before:
            whole = _in_binary(item, _finding(item, path, agent, {}))
            if whole is not None:
                result.findings.append(whole)
    return result


def _lines(root: Path, paths: Iterable[str]) -> dict[str, list[str]]:
    """The lines of each text file, numbered as detect-secrets numbers them."""
    found: dict[str, list[str]] = {}
    for path in paths:
        if (root / path).is_file():
            found[path] = _LINE_END.split((root / path).read_text("utf-8", "replace"))
    return found


def _with_own_keywords(
    findings: list[Finding],
    lines: dict[str, list[str]],
    agent: str,
    secrets: list[str],
    *,
    honor: bool,
) -> list[Finding]:
    """`findings` with baton's own keyword scan added: a value it grades HIGH or above makes a
    keyword finding, or raises detect-secrets' keyword finding on the same line to its grade."""
    keyword = rule_id_for(KEYWORD)
    at = {(f.path, f.line): i for i, f in enumerate(findings) if f.rule_id == keyword}
    merged = list(findings)
    for path, text in lines.items():
        for found in secret_strength.assignments(path, text, honor=honor):
            grade = secret_strength.grade(found.value, found.key)
            if not grade.severity.at_least(Severity.HIGH):
                continue
            secrets.append(found.value)
            own = _keyword_finding(path, found.line, agent, grade, _sha1(found.value))
            index = at.get((path, found.line))
            if index is None:
                at[(path, found.line)] = len(merged)
                merged.append(own)
            elif grade.severity.rank > merged[index].severity.rank:
                merged[index] = own
    return merged


def _with_own_formats(
    findings: list[Finding],
    lines: dict[str, list[str]],
    agent: str,
    secrets: list[str],
    *,
    honor: bool,
) -> list[Finding]:
    """`findings` with the formats of baton's own scan (`secret_formats`) added, as
    detect-secrets would report them. Where detect-secrets reports the same kind on the same
    line, its finding stands alone; a bare high-entropy string it reports on that line (the
    same value, seen without its format) gives way to the format's finding."""
    guesses = {rule_id_for(kind) for kind in GUESSES}
    reported = {(f.path, f.line, f.rule_id) for f in findings}
    merged = list(findings)
    for path, text in lines.items():
        for found in secret_formats.matches(text, honor=honor):
            if found.secret:
                secrets.append(found.value)
            if (path, found.line, rule_id_for(found.kind)) in reported:
                continue
            reported.add((path, found.line, rule_id_for(found.kind)))
            merged = [
                f
                for f in merged
                if (f.path, f.line) != (path, found.line) or f.rule_id not in guesses
            ]
            graded = (*severity_for(found.kind), "")
            merged.append(
                _secret_finding(found.kind, path, found.line, agent, graded, _sha1(found.value))
            )
    return merged


async def _run(
    tools: ToolRunner, args: Sequence[str], root: Path, paths: Sequence[str]
) -> list[tuple[str, dict[str, Any]]]:
    outputs = await tools.run_batched("detect-secrets", args, paths, cwd=root, processes=1)
    found: list[tuple[str, dict[str, Any]]] = []
    for output in outputs:
        data = load_json("detect-secrets", output.stdout)
        expect(
            isinstance(data, dict) and isinstance(data.get("results"), dict),
            "detect-secrets",
            "results",
        )
        for filename, items in data["results"].items():
            expect(isinstance(items, list), "detect-secrets", "results per file")
            path = repo_relative(filename, root)
            found.extend((path, item) for item in items)
    return found


def _identity(path: str, item: dict[str, Any]) -> tuple[str, str, str]:
    return path, str(item.get("type")), str(item.get("hashed_secret"))


def _key_blocks(
    findings: Iterable[Finding], lines: dict[str, list[str]], secrets: list[str]
) -> list[Finding]:
    """Private-key findings moved to their key's header line (detect-secrets reports a key in
    a YAML block scalar on the key's line above) and widened to the block's last line; the
    block's key material goes to `secrets`, so no part of the key is ever shown. Two findings
    of one key (detect-secrets' and baton's) become one."""
    widened = []
    blocks: set[tuple[str, int]] = set()
    for finding in findings:
        if finding.rule_id != rule_id_for(PRIVATE_KEY) or finding.line is None:
            widened.append(finding)
            continue
        start, end, material = secret_formats.key_block(lines.get(finding.path, []), finding.line)
        secrets.extend(material)
        if (finding.path, start) not in blocks:
            blocks.add((finding.path, start))
            widened.append(finding.model_copy(update={"line": start, "end_line": end}))
    return widened


def _in_binary(item: dict[str, Any], finding: Finding) -> Finding | None:
    """A credential format found in a binary file, as a whole-file finding; None otherwise."""
    if str(item["type"]) not in CREDENTIAL_FORMATS:
        return None
    return finding.model_copy(
        update={
            "line": None,
            "end_line": None,
            "message": f"{finding.message} Found in the text of a binary file "
            f"(line {finding.line} of its text).",
        }
    )


def _finding(item: dict[str, Any], path: str, agent: str, lines: dict[str, list[str]]) -> Finding:
    """A detect-secrets result as a finding; a keyword match is graded by its value (and the
    key baton reads on its line) when the value is known and the file's lines are given."""
    expect("type" in item and "line_number" in item, "detect-secrets", "result without type/line")
    kind = str(item["type"])
    line = int(item["line_number"])
    digest = str(item.get("hashed_secret", ""))
    value = item.get("secret")
    if kind in GRADED and isinstance(value, str) and path in lines:
        grade = secret_strength.grade(value, _key_of(value, path, lines[path], line))
        return _keyword_finding(path, line, agent, grade, digest)
    severity, confidence = severity_for(kind)
    return _secret_finding(kind, path, line, agent, (severity, confidence, ""), digest)


def _key_of(value: str, path: str, lines: list[str], line: int) -> str | None:
    """The key the value is given to on its line, as baton reads it; None if not found."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return next((k for k, v in secret_strength.pairs(path, text) if v == value), None)


def _keyword_finding(path: str, line: int, agent: str, grade: Grade, digest: str) -> Finding:
    graded = (grade.severity, grade.confidence, f" {grade.evidence}")
    return _secret_finding(KEYWORD, path, line, agent, graded, digest)


def _sha1(value: str) -> str:
    """The digest detect-secrets reports for a value (`hashed_secret`)."""
    return hashlib.sha1(value.encode("utf-8"), usedforsecurity=False).hexdigest()


def _secret_finding(
    kind: str,
    path: str,
    line: int,
    agent: str,
    graded: tuple[Severity, Confidence, str],
    digest: str,
) -> Finding:
    severity, confidence, evidence = graded
    return Finding(
        agent=agent,
        rule_id=rule_id_for(kind),
        rule_url=DOCS_URL,
        severity=severity,
        confidence=confidence,
        path=path,
        line=line,
        title=f"Possible secret: {kind}",
        message=(
            f"An added value looks like a credential ({kind}); value hidden, sha1 "
            f"{digest[:12]}….{evidence} Anything committed stays in the history, even after "
            "it is removed."
        ),
        recommendation=(
            "Revoke and rotate the credential, then load it from the environment or a secret store."
        ),
        cwe=798,
    )
