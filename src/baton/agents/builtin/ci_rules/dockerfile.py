"""The Dockerfile rules (BTN801 to BTN803), and the shell rules over `RUN` instructions.

A Dockerfile is read as Docker reads it: parser directives (`# escape=`), instructions joined
over continuation lines (comment and empty lines inside them dropped), here-documents after
`RUN`/`COPY`/`ADD`. A shell-form `RUN` is shell text: its lines are one command line, as the
builder passes them to `/bin/sh -c`; a here-document that is the `RUN`'s script (`RUN <<EOF`,
`RUN bash <<EOF`) is a script of its own, and one fed to another program (`cat <<EOF >
file`, `python3 <<EOF`) is data. Exec-form `RUN […]` and the `RUN`s after a `SHELL` naming
PowerShell or cmd (or under `# escape=\\``) are not shell text and are left alone.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from baton.agents.builtin.ci_rules import shell
from baton.agents.builtin.ci_rules.lexer import Script
from baton.agents.builtin.ci_rules.model import Rule, is_secret_name
from baton.findings.model import Confidence, Finding, Severity

ROOT_USER = Rule(
    "BTN801",
    "no-user",
    "The image runs as root: no USER in the final stage",
    Severity.MEDIUM,
    250,
    "Add `USER <non-root user or uid>` to the final stage (create the user first if the base "
    "image has none), or build on a base that runs as non-root.",
)
REMOTE_ADD = Rule(
    "BTN802",
    "add-remote-without-checksum",
    "ADD of a remote file without a checksum",
    Severity.MEDIUM,
    494,
    "Pin the download: `ADD --checksum=sha256:<digest> <url> <dest>`, or download in a RUN "
    "and check it with `sha256sum -c`.",
    Confidence.HIGH,
)
SECRET_ARG = Rule(
    "BTN803",
    "secret-in-build-arg",
    "Secret passed as a build argument or environment variable",
    Severity.HIGH,
    522,
    "Mount it for the one RUN that needs it: `RUN --mount=type=secret,id=token,env=TOKEN …` "
    "with `docker build --secret id=token,…`; ARG and ENV values stay in the image's "
    "history and configuration.",
    beside=frozenset({"DL3064"}),
)
RULES = (ROOT_USER, REMOTE_ADD, SECRET_ARG)

DIRECTIVE = re.compile(r"^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$")
HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][\w.-]*)\2")
SHELLS = frozenset({"sh", "bash", "dash", "ash", "ksh", "mksh"})
NOT_POSIX = frozenset({"powershell", "pwsh", "cmd", "powershell.exe", "pwsh.exe", "cmd.exe"})
NOT_CHECKED = ("scratch",)


@dataclass(frozen=True)
class Body:
    text: str
    line: int


@dataclass(frozen=True)
class Instruction:
    """One instruction: its keyword, first line and physical lines (comments blanked)."""

    keyword: str
    line: int
    lines: tuple[str, ...]
    bodies: tuple[Body, ...] = ()

    @property
    def arguments(self) -> str:
        joined = " ".join(part.rstrip().removesuffix("\\") for part in self.lines)
        return joined.strip()[len(self.keyword) :].strip()

    def words(self) -> list[str]:
        try:
            return shlex.split(self.arguments, comments=False)
        except ValueError:
            return self.arguments.split()


@dataclass
class Stage:
    base: str
    line: int
    name: str = ""
    users: list[str] = field(default_factory=list)
    declared: dict[str, int] = field(default_factory=dict)
    """Secret-named ARG and ENV names → the line declaring them."""
    posix: bool = True


def parse(text: str) -> tuple[list[Instruction], str]:
    """The instructions and the escape character."""
    lines = text.split("\n")
    escape, i = "\\", 0
    while i < len(lines) and (match := DIRECTIVE.match(lines[i].strip())):
        if match.group(1).lower() == "escape":
            escape = match.group(2)[:1]
        i += 1
    instructions: list[Instruction] = []
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start, parts = i, [lines[i]]
        while lines[i].rstrip().endswith(escape) and i + 1 < len(lines):
            i += 1
            inner = lines[i].strip()
            parts.append("" if not inner or inner.startswith("#") else lines[i])
        i += 1
        keyword = stripped.split()[0].upper()
        bodies: list[Body] = []
        if keyword in ("RUN", "COPY", "ADD"):
            for strip, _quote, delimiter in HEREDOC.findall(" ".join(parts)):
                begin = i
                while i < len(lines):
                    line = lines[i].rstrip("\r")
                    i += 1
                    if (line.lstrip("\t") if strip else line) == delimiter:
                        break
                body = "\n".join(lines[begin : max(i - 1, begin)])
                bodies.append(Body(body, begin + 1))
        instructions.append(Instruction(keyword, start + 1, tuple(parts), tuple(bodies)))
    return instructions, escape


def scan_dockerfile(text: str, path: str, *, agent: str = "dockerfile") -> list[Finding]:
    """Findings of the Dockerfile rules, and of the shell rules in `RUN` instructions."""
    instructions, escape = parse(text)
    stages: list[Stage] = []
    found: list[Finding] = []
    used: dict[tuple[str, int], int] = {}
    for ins in instructions:
        if ins.keyword == "FROM":
            stages.append(_stage(ins, escape))
        elif not stages:
            continue
        elif ins.keyword == "USER" and ins.arguments:
            stages[-1].users.append(ins.arguments.split()[0])
        elif ins.keyword in ("ARG", "ENV"):
            for name in _names(ins):
                if is_secret_name(name):
                    stages[-1].declared[name] = ins.line
        elif ins.keyword == "SHELL":
            stages[-1].posix = _posix_shell(ins)
        elif ins.keyword == "ADD":
            found.extend(_remote_add(ins, path, agent))
        elif ins.keyword == "RUN":
            if stages[-1].posix and not ins.arguments.startswith("["):
                found.extend(_run_rules(ins, path, agent))
            for name, declared in stages[-1].declared.items():
                line = _expands(ins, name)
                if line is not None:
                    used.setdefault((name, declared), line)
                    found.append(_secret_use(path, agent, name, declared, line))
    for (name, declared), line in used.items():
        message = (
            f"{name} is expanded by the RUN at line {line}: a build argument's value is kept in "
            "the image history (`docker history`), an ENV value in the image configuration."
        )
        found.append(SECRET_ARG.finding(path, declared, message, agent=agent))
    root = _runs_as_root(stages, path)
    if root is not None:
        found.append(ROOT_USER.finding(path, None, root, agent=agent))
    return _unique(found)


def _stage(ins: Instruction, escape: str) -> Stage:
    words = [w for w in ins.arguments.split() if not w.startswith("--")]
    base = words[0] if words else ""
    name = words[2] if len(words) >= 3 and words[1].lower() == "as" else ""
    return Stage(base=base, line=ins.line, name=name.lower(), posix=escape == "\\")


def _names(ins: Instruction) -> list[str]:
    words = ins.words()
    if ins.keyword == "ENV" and words and "=" not in words[0]:
        return words[:1]
    return [word.split("=", 1)[0] for word in words]


def _posix_shell(ins: Instruction) -> bool:
    try:
        argv = json.loads(ins.arguments)
    except ValueError:
        return True
    if not isinstance(argv, list) or not argv:
        return True
    return PurePosixPath(str(argv[0]).replace("\\", "/")).name.lower() not in NOT_POSIX


def _remote_add(ins: Instruction, path: str, agent: str) -> list[Finding]:
    if ins.bodies:
        return []
    words = ins.words()
    if ins.arguments.startswith("["):
        try:
            words = [str(w) for w in json.loads(ins.arguments)]
        except ValueError:
            return []
    if any(word.startswith("--checksum=") for word in words):
        return []
    sources = [word for word in words if not word.startswith("--")][:-1]
    remote = [s for s in sources if re.match(r"(?i)^https?://", s) and not _git_url(s)]
    if not remote:
        return []
    message = (
        f"ADD {remote[0]} puts whatever the server sends into the image: nothing pins its content."
    )
    return [REMOTE_ADD.finding(path, ins.line, message, agent=agent)]


def _git_url(url: str) -> bool:
    return re.search(r"\.git(?:#|$)", url) is not None


def _run_rules(ins: Instruction, path: str, agent: str) -> list[Finding]:
    """The shell rules over a RUN's command line and over a here-document it runs."""
    script = Script(_shell_text(ins), ins.line)
    found = shell.findings(script, shell.hits(script, shell.IN_DOCKERFILES), path, agent)
    command = HEREDOC.sub(" ", script.masked).split()
    if ins.bodies and (not command or PurePosixPath(command[0]).name in SHELLS):
        body = ins.bodies[0]
        first = body.text.split("\n", 1)[0]
        if not first.startswith("#!") or shell_interpreter(first):
            inner = Script(body.text, body.line)
            found += shell.findings(inner, shell.hits(inner, shell.IN_DOCKERFILES), path, agent)
    return found


def shell_interpreter(shebang: str) -> bool:
    words = shebang[2:].split()
    name = PurePosixPath(words[0]).name if words else ""
    if name == "env" and len(words) > 1:
        name = PurePosixPath(words[1]).name
    return name in SHELLS


def _shell_text(ins: Instruction) -> str:
    """The RUN's lines as one shell command line: keyword and flags blanked, every line but
    the last continued."""
    lines = list(ins.lines)
    for k, line in enumerate(lines[:-1]):
        lines[k] = line.rstrip().removesuffix("\\").rstrip() + " \\"
    text = "\n".join(lines)
    match = re.match(r"\s*\S+", text)
    pos = match.end() if match else 0
    while True:
        gap = re.match(r"(?:\s|\\\n)*", text[pos:])
        pos += gap.end() if gap else 0
        if not text.startswith("--", pos):
            break
        end = re.search(r"\s", text[pos:])
        pos = pos + end.start() if end else len(text)
    return re.sub(r"[^\n]", " ", text[:pos]) + text[pos:]


def _expands(ins: Instruction, name: str) -> int | None:
    """The first line where the RUN expands `$name`, or None."""
    pattern = re.compile(rf"\$\{{?{re.escape(name)}(?![A-Za-z0-9_])")
    if re.search(rf"type=secret[^\s]*env={re.escape(name)}\b", ins.arguments):
        return None
    for offset, line in enumerate(ins.lines):
        if pattern.search(line):
            return ins.line + offset
    for body in ins.bodies:
        for offset, line in enumerate(body.text.split("\n")):
            if pattern.search(line):
                return body.line + offset
    return None


def _secret_use(path: str, agent: str, name: str, declared: int, line: int) -> Finding:
    message = (
        f"this RUN expands {name} (declared at line {declared}): the value is recorded in the "
        "image history or configuration, readable by anyone who can pull the image."
    )
    return SECRET_ARG.finding(path, line, message, agent=agent)


def _runs_as_root(stages: list[Stage], path: str) -> str | None:
    """Why the final stage runs as root for want of a USER, or None."""
    if not stages or ".devcontainer/" in f"/{path}":
        return None
    by_name = {stage.name: stage for stage in stages if stage.name}
    stage, seen = stages[-1], set()
    while not stage.users:
        base = stage.base.lower()
        if base in NOT_CHECKED or "nonroot" in base or base.startswith("$") or not base:
            return None
        parent = by_name.get(base)
        if parent is None or id(parent) in seen:
            break
        seen.add(id(parent))
        stage = parent
    if stage.users:
        return None
    final = stages[-1]
    return (
        f"The final stage (FROM {final.base}, line {final.line}) never sets USER: the "
        "container runs as root unless the base image chose another user."
    )


def _unique(found: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, int | None]] = set()
    kept: list[Finding] = []
    for finding in found:
        key = (finding.rule_id, finding.line)
        if key not in seen:
            seen.add(key)
            kept.append(finding)
    return kept
