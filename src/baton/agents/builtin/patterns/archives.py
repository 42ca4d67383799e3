"""Archive extraction that can write outside its target directory (CWE-22).

bandit's B202 reports every `….extractall(…)` call, on any object, in a module that has
`import tarfile` — unless `filter="data"`. These rules report the rest: `extract()` on a
tar file, `extractall()` when tarfile is imported another way (`from tarfile import open`),
zip files extracted without a look at the member names, and `shutil.unpack_archive` without
a filter. Tar extraction is safe with `filter="data"` or `"tar"` (or a filter function of
one's own); Python 3.14 made "data" the default, earlier versions trust the archive fully.

`extractall(members=tar.getmembers())` looks like a choice of members and is none. bandit
1.9's B202 fails on a `members=` call of a method and reports nothing there, so BTN404
reports it, at the severity B202 gives an unchecked `extractall` (HIGH).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from baton.agents.builtin.patterns.model import Found, Rule
from baton.agents.builtin.patterns.visitor import (
    UNKNOWN,
    Arg,
    Context,
    dotted,
    is_const,
    keyword,
    positional,
    source,
)


def _rule(rule_id: str, name: str, short: str, recommendation: str, high: bool = False) -> Rule:
    if high:
        return Rule(rule_id, name, short, "HIGH", "7.5", (22,), recommendation)
    return Rule(rule_id, name, short, "MEDIUM", "5.5", (22,), recommendation)


RULES = (
    _rule(
        "BTN401",
        "tar-extract-unfiltered",
        "Tar archive extracted without an extraction filter",
        "Pass filter='data' (or 'tar'): it refuses absolute paths, '..', links out of the "
        "target and device files.",
    ),
    _rule(
        "BTN402",
        "zip-extract-unchecked",
        "Zip archive extracted without checking the member names",
        "Check each name (no absolute path, no '..', resolved path inside the target) before "
        "extracting it, or pass the checked names as members=.",
    ),
    _rule(
        "BTN403",
        "unpack-archive-unfiltered",
        "shutil.unpack_archive without an extraction filter",
        "Pass filter='data' to shutil.unpack_archive.",
    ),
    _rule(
        "BTN404",
        "tar-extractall-every-member",
        "Tar archive extracted with every member passed as members=, unfiltered",
        "Pass filter='data' (or 'tar'), or members= only the members whose names and link "
        "targets were checked; members=tar.getmembers() checks nothing.",
        high=True,
    ),
)

TRUSTING_FILTERS = frozenset({"tarfile.fully_trusted_filter"})


def check(node: ast.AST, ctx: Context) -> Iterator[Found]:
    if not isinstance(node, ast.Call):
        return
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in {"extract", "extractall"}:
        kind = ctx.kind_of(func.value)
        if kind == "tarfile":
            yield from _tar(node, func, ctx)
        elif kind == "zipfile":
            yield from _zip(node, func, ctx)
    elif ctx.qualify(func) == "shutil.unpack_archive" and _unfiltered(node, ctx):
        message = "shutil.unpack_archive() without filter='data' trusts the archive's paths."
        yield Found("BTN403", node, message)


def _unfiltered(call: ast.Call, ctx: Context) -> bool:
    """No `filter=`, `filter=None` or the fully trusting filter (not behind `**kwargs`)."""
    value = keyword(call, "filter")
    if value is None:
        return True
    if not isinstance(value, ast.expr):
        return False
    if is_const(value, None) or ctx.literal(value) == "fully_trusted":
        return True
    return ctx.qualify(value) in TRUSTING_FILTERS


def _tar(call: ast.Call, func: ast.Attribute, ctx: Context) -> Iterator[Found]:
    if not _unfiltered(call, ctx):
        return
    owner = source(func.value)
    bandits = ctx.bandit_imported("tarfile")
    if func.attr == "extractall":
        members = positional(call, 1, "members")
        if isinstance(members, ast.expr) and _every_member(members, func.value):
            if not bandits or _bandit_fails(call):
                message = (
                    f"{owner}.extractall(members={source(members, 30)}) passes every member, "
                    "unchecked: a member named '../x' or '/x', or a link, writes outside the "
                    "target directory."
                )
                yield Found("BTN404", call, message)
            return
        if bandits or _members_chosen(members):
            return
    message = (
        f"{owner}.{func.attr}() without filter='data': a member named '../x' or '/x', or a "
        "link, can write outside the target directory."
    )
    yield Found("BTN401", call, message)


def _every_member(members: ast.expr, owner: ast.expr) -> bool:
    """`tar.getmembers()`, the archive itself, or either in `list()`/`iter()`/`tuple()`."""
    if (
        isinstance(members, ast.Call)
        and isinstance(members.func, ast.Name)
        and members.func.id in {"list", "iter", "tuple"}
        and len(members.args) == 1
    ):
        members = members.args[0]
    if isinstance(members, ast.Call) and isinstance(members.func, ast.Attribute):
        return members.func.attr == "getmembers" and not members.args
    written = dotted(members)
    return written is not None and written == dotted(owner)


def _bandit_fails(call: ast.Call) -> bool:
    """bandit's B202 reads a `members=` call's function as a plain name and fails on any
    other (`tar.getmembers()`): it reports nothing for the call then."""
    for item in call.keywords:
        if item.arg == "members":
            value = item.value
            return isinstance(value, ast.Call) and not isinstance(value.func, ast.Name)
    return False


def _members_chosen(members: Arg) -> bool:
    """Whether the caller picked the members (all of them, `getmembers()`, is no choice)."""
    if members is None:
        return False
    if isinstance(members, ast.Call) and isinstance(members.func, ast.Attribute):
        return members.func.attr not in {"getmembers", "namelist", "infolist"}
    return True


def _zip(call: ast.Call, func: ast.Attribute, ctx: Context) -> Iterator[Found]:
    owner = source(func.value)
    if func.attr == "extractall":
        if ctx.bandit_imported("tarfile"):
            return
        if not _members_chosen(positional(call, 1, "members")):
            message = f"{owner}.extractall() extracts every member without a check of its name."
            yield Found("BTN402", call, message)
        return
    member = positional(call, 0, "member")
    if member is None or member is UNKNOWN or not isinstance(member, ast.expr):
        return
    if ctx.literal(member) is not None:
        return
    used = {n.id for n in ast.walk(member) if isinstance(n, ast.Name)}
    if used & ctx.tested_names():
        return
    message = f"{owner}.extract({source(member, 30)}) extracts a member whose name is not checked."
    yield Found("BTN402", call, message)
