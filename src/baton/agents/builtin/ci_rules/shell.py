"""The shell rules (BTN701 to BTN706), over shell scripts and Dockerfile `RUN` instructions.

Each check reads a `lexer.Script` and yields `Hit`s at offsets in its text; `scan_shell`
turns them into findings on the first line of the offending command (its last line is the
finding's `end_line`). The rule table is in the package's docstring.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from baton.agents.builtin.ci_rules.lexer import Pipeline, Script, Segment, Word, unquote
from baton.agents.builtin.ci_rules.model import (
    Hit,
    Rule,
    is_secret_name,
    secret_expansions,
    with_next,
)
from baton.agents.builtin.ci_rules.shell_tls import TLS_OFF, tls
from baton.findings.model import Confidence, Finding, Severity

PIPED = Rule(
    "BTN701",
    "download-piped-to-shell",
    "Downloaded script run without an integrity check",
    Severity.MEDIUM,
    494,
    "Download to a file, check it against a pinned sha256 (`sha256sum -c`) or a signature, "
    "then run it; better, install a pinned package.",
    Confidence.HIGH,
)
WORLD_WRITABLE = Rule(
    "BTN703",
    "world-writable-permissions",
    "File made writable by every user",
    Severity.MEDIUM,
    732,
    "Grant write access to the owner (and a group) only: 755/644, `g+w` with the right "
    "group; a shared directory needs the sticky bit (1777).",
    Confidence.HIGH,
)
EVAL = Rule(
    "BTN704",
    "eval-of-variable",
    "eval of a variable's value",
    Severity.HIGH,
    95,
    'Run the command as an array ("${cmd[@]}") or dispatch on a fixed list of names '
    "(`case`); never eval text that a caller, an argument or the environment can set.",
)
TEMP_FILE = Rule(
    "BTN705",
    "predictable-temp-file",
    "Predictable temporary file name",
    Severity.MEDIUM,
    377,
    "Create it with mktemp (`tmp=$(mktemp)`, `mktemp -d`) and remove it on exit (`trap`).",
)
XTRACE = Rule(
    "BTN706",
    "xtrace-prints-secrets",
    "xtrace prints a secret into the log",
    Severity.MEDIUM,
    532,
    "Turn tracing off (`set +x`) around commands that use credentials, or drop `set -x`.",
)
RULES = (PIPED, TLS_OFF, WORLD_WRITABLE, EVAL, TEMP_FILE, XTRACE)
IN_DOCKERFILES = (PIPED, TLS_OFF, WORLD_WRITABLE, EVAL, XTRACE)
"""A `RUN` builds in a container of its own: a fixed /tmp name there is no one's to race."""


SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "busybox"})
INTERPRETER = re.compile(r"^(?:python[0-9.]*|perl|ruby|node|php)$")
NOT_STDIN = re.compile(r"^-[a-zA-Z]*[cmeErpn]")
"""An option making the interpreter run something other than its standard input."""
SHELLISH = r"(?:(?:ba|z|k|da|a|mk)?sh|python[0-9.]*|perl|ruby|node|php|source|\.)"
FETCH = r"(?:sudo\s+(?:-\S+\s+)*)?(?:curl|wget)\b"
SUBSTITUTED = re.compile(
    rf"(?:^|[\s;&|(])(?:{SHELLISH}\s+(?:-\S+\s+)*<\(\s*{FETCH}"
    rf"|{SHELLISH}\s+(?:-\S+\s+)*-c\s+[\"']?\$\(\s*{FETCH}|eval\s+[\"']?\$\(\s*{FETCH})"
)


def _pipes(script: Script) -> Iterator[Hit]:
    for pipeline in script.pipelines():
        programs = [segment.program() for segment in pipeline.segments]
        first = next((i for i, p in enumerate(programs) if p in ("curl", "wget")), None)
        if first is None:
            continue
        runner = next((s for s in pipeline.segments[first + 1 :] if _runs_stdin(s)), None)
        if runner is not None:
            message = (
                f"`{programs[first]}` output piped into `{runner.program()}`: whatever the "
                "server (or anyone between) sends is run, unchecked."
            )
            yield Hit(PIPED, pipeline.start, pipeline.end, message)
    for line in script.lines:
        for match in SUBSTITUTED.finditer(script.text(line.start, line.end)):
            message = "a download run by the shell without being checked first."
            yield Hit(PIPED, line.start + match.start(), line.end, message)


def _runs_stdin(segment: Segment) -> bool:
    program = segment.program()
    if program not in SHELLS and not INTERPRETER.match(program):
        return False
    return not any(NOT_STDIN.match(word.text) for word in segment.arguments())


CHMOD_OPTIONS = re.compile(r"^(?:--\S+|-[RfvcHLP]+)$")
OCTAL = re.compile(r"^[0-7]{1,4}$")
SYMBOLIC = re.compile(r"^([ugoa]*)((?:[-+=][rwxXstugo]*)+)$")


def _permissions(script: Script) -> Iterator[Hit]:
    for pipeline in script.pipelines():
        for segment in pipeline.segments:
            mode = _mode(segment)
            if mode is not None and _world_writable(mode):
                message = f"`{segment.program()} {mode}` lets every local user write here."
                yield Hit(WORLD_WRITABLE, segment.start, segment.end, message)
            if segment.program() == "umask" and _open_umask(segment.arguments()):
                message = "this umask leaves new files writable by every local user."
                yield Hit(WORLD_WRITABLE, segment.start, segment.end, message)


def _mode(segment: Segment) -> str | None:
    program = segment.program()
    args = [word.text for word in segment.arguments()]
    if program == "chmod":
        return next((arg for arg in args if not CHMOD_OPTIONS.match(arg)), None)
    if program in ("mkdir", "install"):
        for arg, nxt in with_next(args):
            if arg.startswith("--mode="):
                return arg.removeprefix("--mode=")
            if arg.startswith("-m"):
                return arg[2:] or nxt
    return None


def _world_writable(mode: str) -> bool:
    if OCTAL.match(mode):
        digits = mode.zfill(4)
        return bool(int(digits[-1]) & 2) and not int(digits[0]) & 1
    for clause in mode.split(","):
        match = SYMBOLIC.match(clause)
        if match is None or not set(match.group(1)) & {"o", "a"}:
            continue
        for op, perms in re.findall(r"([-+=])([rwxXstugo]*)", match.group(2)):
            if op in "+=" and "w" in perms:
                return True
    return False


def _open_umask(args: tuple[Word, ...]) -> bool:
    values = [word.text for word in args if not word.text.startswith("-")]
    return bool(values) and OCTAL.match(values[0]) is not None and not int(values[0][-1]) & 2


COMMAND_EXPANSION = re.compile(
    r"^[\"'\s]*(?:(?:exec|command|builtin|sudo|nohup|env|time)\s+[\"']?)*"
    r"(\$(?:\(|\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*|[0-9@*]))(?!\w|[\"']?\+?=)"
)
"""An expansion as the command eval runs (after wrappers such as `exec`); not the name of
an indirect assignment (`eval "$name=value"`)."""
BARE_VARIABLE = re.compile(r"^\$(?:\{\w+\}|\w+)$")


def _eval(script: Script) -> Iterator[Hit]:
    for pipeline in script.pipelines():
        for segment in pipeline.segments:
            args = segment.arguments()
            if segment.program() != "eval" or not args:
                continue
            text = _without_literal_commands(script.text(args[0].start, segment.end))
            match = COMMAND_EXPANSION.match(text)
            if match is not None:
                message = (
                    f"eval runs the value of `{match.group(1)}` as shell code: whoever sets it "
                    "runs commands."
                )
                yield Hit(EVAL, segment.start, segment.end, message)


def _without_literal_commands(text: str) -> str:
    """`text` less the command substitutions whose command is written out (`$(pyenv init
    -)`): what a named program prints is no caller's input."""
    out = list(text)
    for start in [m.start() for m in re.finditer(r"\$\(|`", text)]:
        end = _closing(text, start)
        inner = text[start + (1 if text[start] == "`" else 2) : end].split()
        program = unquote(inner[0]) if inner else ""
        if program and not BARE_VARIABLE.match(program) and program[0] not in "(`":
            out[start : end + 1] = " " * (end + 1 - start)
    return "".join(out)


def _closing(text: str, start: int) -> int:
    if text[start] == "`":
        end = text.find("`", start + 1)
        return end if end > 0 else len(text) - 1
    depth = 0
    for k in range(start + 1, len(text)):
        if text[k] == "(":
            depth += 1
        elif text[k] == ")":
            depth -= 1
            if depth == 0:
                return k
    return len(text) - 1


TMP = r"(?:/tmp|/var/tmp|/dev/shm|\$\{?TMPDIR(?::-/tmp)?\}?|\$\{?TMP\}?)"
PID_NAME = re.compile(
    rf"(?<![\w/.]){TMP}/[^\s'\"`;|&<>()]*?(?:\$\$|\$\{{\$\}}|\$RANDOM\b|\$\{{RANDOM\}})"
)
FIXED = r"(?:/tmp|/var/tmp|/dev/shm)/[\w.+@%:,/-]*[\w.+@%-]"
REDIRECT = re.compile(
    rf"(?:^|[^<>&0-9$])(?:[0-9]?>>?|&>>?|>\|)\s*[\"']?({FIXED})[\"']?(?=[\s;|&)]|$)"
)
FIXED_PATH = re.compile(rf"^{FIXED}$")


def _temp_files(script: Script) -> Iterator[Hit]:
    for line in script.lines:
        text = script.text(line.start, line.end)
        for match in PID_NAME.finditer(text):
            message = (
                f"`{match.group(0)}`: a name others can guess in a shared directory; "
                "a link planted there first redirects the write."
            )
            yield Hit(TEMP_FILE, line.start + match.start(), line.end, message)
        for match in REDIRECT.finditer(text):
            message = f"a fixed name in a shared directory, `{match.group(1)}`, written to."
            yield Hit(TEMP_FILE, line.start + match.start(1), line.end, message)
        for pipeline in line.pipelines:
            for segment in pipeline.segments:
                if segment.program() != "tee":
                    continue
                fixed = [w.text for w in segment.arguments() if FIXED_PATH.match(w.text)]
                if fixed:
                    message = f"a fixed name in a shared directory, `{fixed[0]}`, written to."
                    yield Hit(TEMP_FILE, segment.start, segment.end, message)


ASSIGNED = re.compile(r"(?:^|[\s;&|(])(?:(?:export|local|readonly|declare)\s+)?([A-Za-z_]\w*)=")
SHEBANG_XTRACE = re.compile(r"^#![ \t]*\S+(?:[ \t]+\S+)*?[ \t]+-[a-zA-Z]*x")


def _xtrace(script: Script) -> Iterator[Hit]:
    traced_from: int | None = 0 if SHEBANG_XTRACE.match(script.source) else None
    reported = False
    for line in script.lines:
        for pipeline in line.pipelines:
            state = _xtrace_switch(pipeline)
            if state is not None:
                if not state or traced_from is None:
                    traced_from, reported = (pipeline.start if state else None), False
                continue
            if traced_from is None or reported:
                continue
            name = _secret_mention(script.text(pipeline.start, pipeline.end))
            if name is not None:
                reported = True
                where = script.line_of(pipeline.start)
                message = (
                    f"xtrace is on where line {where} uses ${name}: its value goes to the log."
                )
                yield Hit(XTRACE, traced_from, traced_from, message)


def _xtrace_switch(pipeline: Pipeline) -> bool | None:
    """True for a `set` that turns xtrace on, False for one that turns it off."""
    segment = pipeline.segments[0]
    if segment.program() != "set":
        return None
    args = [word.text for word in segment.arguments()]
    for arg, nxt in with_next(args):
        if arg in ("-o", "+o") and nxt == "xtrace":
            return arg == "-o"
        if re.match(r"^[-+][a-zA-Z]+$", arg) and "x" in arg:
            return arg.startswith("-")
    return None


def _secret_mention(text: str) -> str | None:
    for name, _offset in secret_expansions(text):
        return name
    return next((m.group(1) for m in ASSIGNED.finditer(text) if is_secret_name(m.group(1))), None)


CHECKS: dict[str, Callable[[Script], Iterator[Hit]]] = {
    PIPED.id: _pipes,
    TLS_OFF.id: tls,
    WORLD_WRITABLE.id: _permissions,
    EVAL.id: _eval,
    TEMP_FILE.id: _temp_files,
    XTRACE.id: _xtrace,
}


def hits(script: Script, rules: tuple[Rule, ...] = RULES) -> list[Hit]:
    """Every hit of `rules` in the script, one per rule and line."""
    found: dict[tuple[str, int], Hit] = {}
    for rule in rules:
        for hit in CHECKS[rule.id](script):
            found.setdefault((rule.id, script.line_of(hit.start)), hit)
    return list(found.values())


def findings(script: Script, found: list[Hit], path: str, agent: str) -> list[Finding]:
    return [
        hit.rule.finding(
            path,
            script.line_of(hit.start),
            hit.message,
            agent=agent,
            end_line=script.line_of(max(hit.end - 1, hit.start)),
        )
        for hit in found
    ]


def scan_shell(text: str, path: str, *, agent: str = "shell") -> list[Finding]:
    """Findings of the shell rules in one script."""
    script = Script(text)
    return findings(script, hits(script), path, agent)


__all__ = ["IN_DOCKERFILES", "RULES", "Hit", "findings", "hits", "scan_shell"]
