"""Archive members written by hand to a path built from their name: "zip slip" (CWE-22).

`ZipFile.extract` cleans a member's name (drops a leading '/', '..' parts, drive letters)
and `TarFile.extract` has filters; code that copies members itself has neither. BTN405
reports a file opened for writing (`open(p, "wb")`, `io.open`, `Path.open("w")`,
`Path.write_bytes/write_text`) at a path built from a member's name — joined with
`os.path.join`, `pathlib.Path(…)`, `/`, `+` or an f-string, directly or through a local
variable — where the name comes from a loop over the archive's listing:

* `for info in zf.infolist()` → `info.filename` (`orig_filename`);
* `for name in zf.namelist()` / `tar.getnames()` → `name`;
* `for member in tar.getmembers()` / `for member in tar` → `member.name` (`path`).

The function is taken to check the path when it calls any of `os.path.commonpath`,
`realpath`, `abspath`, `normpath`, `relpath`, `isabs`, `werkzeug.utils.secure_filename`, a
`.resolve()`, `.is_relative_to()`, `.relative_to()`, `.startswith()` or `.is_absolute()`, or
when one of its conditions mentions the member's name or the path: then nothing is reported.
A name rebound in the loop (`name = os.path.basename(name)`) is not followed. bandit has no
rule for this.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from baton.agents.builtin.patterns.flow import (
    bound_values,
    conditions,
    is_builtin,
    loops_over,
    scope_nodes,
)
from baton.agents.builtin.patterns.model import Found, Rule
from baton.agents.builtin.patterns.visitor import Context, dotted, positional, source

RULES = (
    Rule(
        "BTN405",
        "archive-member-path-write",
        "File written at a path built from an archive member's name, unchecked (zip slip)",
        "HIGH",
        "7.5",
        (22,),
        "Resolve the joined path and check it stays inside the target "
        "(os.path.commonpath([root, os.path.realpath(p)]) == root) before writing, or let "
        "ZipFile.extract / TarFile.extractall(filter='data') do the extraction.",
    ),
)

OPENERS = frozenset({"io.open", "codecs.open"})
WRITE_MODES = frozenset("wax+")
JOINS = frozenset(
    {
        *("os.path.join", "posixpath.join", "ntpath.join", "pathlib.Path", "pathlib.PurePath"),
        *("pathlib.PosixPath", "pathlib.PurePosixPath", "pathlib.WindowsPath"),
    }
)
LISTINGS: dict[str, frozenset[str] | None] = {
    "infolist": frozenset({"filename", "orig_filename"}),
    "getmembers": frozenset({"name", "path"}),
    "namelist": None,
    "getnames": None,
}
"""Methods that list an archive's members → the attributes holding a member's name (None:
the listing holds the names themselves)."""
TAR_MEMBER_NAMES = frozenset({"name", "path"})
ARCHIVES = frozenset({"zipfile", "tarfile"})
CHECK_CALLS = frozenset(
    {
        *("os.path.commonpath", "os.path.commonprefix", "os.path.realpath", "os.path.abspath"),
        *("os.path.normpath", "os.path.relpath", "os.path.isabs", "posixpath.normpath"),
        "werkzeug.utils.secure_filename",
    }
)
CHECK_METHODS = frozenset({"resolve", "is_relative_to", "relative_to", "startswith", "is_absolute"})


def check(node: ast.AST, ctx: Context) -> Iterator[Found]:
    if not isinstance(node, ast.Call):
        return
    path = _written_path(node, ctx)
    if path is None:
        return
    built = _built_path(path, ctx)
    if built is None:
        return
    member, joined = built
    if _checked(ctx, [source(member), source(path), source(joined)]):
        return
    message = (
        f"{source(path, 40)} is built from the archive member name {source(member, 30)} and "
        "written without a check: a name like '../../x' writes outside the target (zip slip)."
    )
    yield Found("BTN405", node, message)


def _written_path(call: ast.Call, ctx: Context) -> ast.expr | None:
    """The path a call opens for writing, or writes to."""
    func = call.func
    if is_builtin(ctx, func, "open") or ctx.qualify(func) in OPENERS:
        path = positional(call, 0, "file")
        return path if isinstance(path, ast.expr) and _writes(positional(call, 1, "mode")) else None
    if not isinstance(func, ast.Attribute) or ctx.kind_of(func.value) in ARCHIVES:
        return None
    if func.attr in {"write_bytes", "write_text"}:
        return func.value
    if func.attr == "open" and _writes(positional(call, 0, "mode")):
        return func.value
    return None


def _writes(mode: object) -> bool:
    if not isinstance(mode, ast.Constant) or not isinstance(mode.value, str):
        return False
    return bool(WRITE_MODES & set(mode.value))


def _built_path(path: ast.expr, ctx: Context) -> tuple[ast.expr, ast.expr] | None:
    """(the member name, the expression joining it) when the path is built from one."""
    candidates = [path]
    if isinstance(path, ast.Name) and ctx.binding_scope(path.id) is ctx.chain[-1]:
        candidates += [value for value in bound_values(ctx, path.id) if value is not None]
    for candidate in candidates:
        for part in _parts(candidate, ctx):
            if _member_name(part, ctx):
                return part, candidate
    return None


def _parts(path: ast.expr, ctx: Context) -> Iterator[ast.expr]:
    """The pieces a path expression joins, through nested joins, `/`, `+` and f-strings."""
    stack = [path]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div | ast.Add):
            stack += [node.left, node.right]
        elif isinstance(node, ast.JoinedStr):
            stack += [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
        elif isinstance(node, ast.Call) and ctx.qualify(node.func) in JOINS:
            stack += [arg for arg in node.args if not isinstance(arg, ast.Starred)]
        else:
            yield node


def _member_name(part: ast.expr, ctx: Context) -> bool:
    """`info.filename` for `info` from `infolist()`, `name` from `namelist()` …"""
    if isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name):
        variable, attribute = part.value.id, part.attr
    elif isinstance(part, ast.Name):
        variable, attribute = part.id, None
    else:
        return False
    if ctx.binding_scope(variable) is not ctx.chain[-1]:
        return False
    if any(value is not None for value in bound_values(ctx, variable)):
        return False
    return any(_lists(listing, attribute, ctx) for listing in loops_over(ctx, variable))


def _lists(listing: ast.expr, attribute: str | None, ctx: Context) -> bool:
    """Whether a loop over `listing` binds member names (`attribute` None) or members whose
    `attribute` is the name."""
    if isinstance(listing, ast.Call) and isinstance(listing.func, ast.Attribute):
        if listing.func.attr not in LISTINGS or listing.args:
            return False
        names = LISTINGS[listing.func.attr]
        return attribute in names if names is not None else attribute is None
    return attribute in TAR_MEMBER_NAMES and ctx.kind_of(listing) == "tarfile"


def _checked(ctx: Context, written: list[str]) -> bool:
    """Whether the function looks at the path or the name before writing."""
    for node in scope_nodes(ctx.chain[-1]):
        if not isinstance(node, ast.Call):
            continue
        if ctx.qualify(node.func) in CHECK_CALLS:
            return True
        if isinstance(node.func, ast.Attribute) and node.func.attr in CHECK_METHODS:
            return True
    for test in conditions(ctx):
        for inner in ast.walk(test):
            text = dotted(inner)
            if text is not None and text in written:
                return True
    return False
