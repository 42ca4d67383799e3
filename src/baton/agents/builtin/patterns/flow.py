"""What a function does with its own names: the values they are bound to, the loops that bind
them, the conditions it tests, and whether a value comes from a web request or is a string
built by formatting.

These questions are asked only at a rule's sink (an `open(…, "wb")`, an `executescript`, an
`import_module` …), about the innermost function (or the module) the sink is in. The answers
stay inside that one scope: nested functions and classes are not looked into, and a value is
followed through at most a few local assignments.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import NamedTuple

from baton.agents.builtin.patterns.visitor import Context, bound_names, parameters, source

_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_CONDITIONS = (ast.If, ast.While, ast.IfExp, ast.Assert)

REQUEST_NAMES = frozenset({"request", "req"})
"""What web frameworks call the request: Flask's and Quart's global, the view parameter of
Django, Starlette, FastAPI, aiohttp, Sanic …, `self.request` in class-based views."""
REQUEST_FIELDS = frozenset(
    {
        *("args", "form", "values", "json", "get_json", "data", "get_data", "files"),
        *("cookies", "headers", "view_args", "query_string", "GET", "POST", "FILES"),
        *("COOKIES", "META", "body", "query_params", "path_params", "match_info"),
        *("rel_url", "query", "params"),
    }
)
"""The parts of a request its sender chooses."""
QUOTERS = frozenset({"shlex.quote", "shlex.join", "pipes.quote"})
NUMBERS = frozenset({"int", "float"})


def scope_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """Every node of a function (or module) body, not looking into nested functions and
    classes; comprehensions belong to the function they are written in."""
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module):
        stack: list[ast.AST] = list(reversed(scope.body))
    elif isinstance(scope, ast.Lambda):
        stack = [scope.body]
    else:
        stack = [scope]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _NESTED):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def bound_values(ctx: Context, name: str) -> list[ast.expr | None]:
    """What `name` is bound to in the innermost scope, assignment by assignment: the value,
    or None where it is not known (a parameter, a loop, unpacking, `with`, `import` …)."""
    scope = ctx.chain[-1]
    values: list[ast.expr | None] = []
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        values += [None for arg in parameters(scope.args) if arg.arg == name]
    for node in scope_nodes(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    values.append(node.value)
                elif name in bound_names(target):
                    values.append(None)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
            if isinstance(node.target, ast.Name) and node.target.id == name:
                values.append(node.value)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension | ast.withitem):
            bound = node.optional_vars if isinstance(node, ast.withitem) else node.target
            if bound is not None and name in bound_names(bound):
                values.append(None)
        elif isinstance(node, ast.Import | ast.ImportFrom) and any(
            (a.asname or a.name.split(".")[0]) == name for a in node.names
        ):
            values.append(None)
    return values


def loops_over(ctx: Context, name: str) -> list[ast.expr]:
    """What the loops (and comprehensions) of the innermost scope that bind `name` alone
    iterate over."""
    found: list[ast.expr] = []
    for node in scope_nodes(ctx.chain[-1]):
        if (
            isinstance(node, ast.For | ast.AsyncFor | ast.comprehension)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            found.append(node.iter)
    return found


def conditions(ctx: Context) -> Iterator[ast.expr]:
    """The tests of the innermost scope: `if`, `while`, `assert`, `x if … else y`, a
    comprehension's `if`."""
    for node in scope_nodes(ctx.chain[-1]):
        if isinstance(node, _CONDITIONS):
            yield node.test
        elif isinstance(node, ast.comprehension):
            yield from node.ifs


def is_local(ctx: Context, name: str) -> bool:
    """Whether `name` is bound by the innermost function itself (not the module)."""
    scope = ctx.chain[-1]
    return not isinstance(scope, ast.Module) and ctx.binding_scope(name) is scope


def is_builtin(ctx: Context, func: ast.expr, builtin: str) -> bool:
    """Whether `func` is the builtin of that name (not rebound, not imported over)."""
    if not isinstance(func, ast.Name) or func.id != builtin:
        return False
    if ctx.binding_scope(builtin) is not ctx.index.module:
        return False
    return builtin not in ctx.index.aliases and not ctx.index.module_bindings[builtin]


def request_source(ctx: Context, node: ast.AST, depth: int = 0) -> str | None:
    """Where in a web request the value comes from (`request.args["x"]`), directly or through
    a few local assignments; None when it does not."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and inner.attr in REQUEST_FIELDS:
            owner = inner.value
            if (isinstance(owner, ast.Name) and owner.id in REQUEST_NAMES) or (
                isinstance(owner, ast.Attribute) and owner.attr in REQUEST_NAMES
            ):
                return source(inner, 40)
    if depth >= 3:
        return None
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    for name in sorted(names):
        if not is_local(ctx, name):
            continue
        for value in bound_values(ctx, name):
            found = request_source(ctx, value, depth + 1) if value is not None else None
            if found is not None:
                return found
    return None


class Pieces(NamedTuple):
    """A string built from parts: the text written in the code, and the values put in."""

    text: str
    values: list[ast.expr]


def pieces(ctx: Context, node: ast.AST) -> Pieces | None:
    """The parts of a str built by an f-string, `+`, `%` or `.format()` with at least one
    literal part; None for anything else (a name, a call, a literal on its own)."""
    if isinstance(node, ast.JoinedStr):
        text = ""
        values: list[ast.expr] = []
        for part in node.values:
            inner = part.value if isinstance(part, ast.FormattedValue) else part
            literal = ctx.literal(inner)
            if isinstance(literal, str):
                text += literal
            else:
                values.append(inner)
        return Pieces(text, values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _concatenation(ctx, node)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        template = ctx.literal(node.left)
        if not isinstance(template, str):
            return None
        right = node.right
        if isinstance(right, ast.Tuple):
            return Pieces(template, list(right.elts))
        if isinstance(right, ast.Dict):
            return Pieces(template, list(right.values))
        return Pieces(template, [right])
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        template = ctx.literal(node.func.value) if node.func.attr == "format" else None
        if isinstance(template, str):
            return Pieces(template, [*node.args, *(k.value for k in node.keywords)])
    return None


def _concatenation(ctx: Context, node: ast.BinOp) -> Pieces | None:
    operands: list[ast.expr] = []
    current: ast.expr = node
    while isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
        operands.append(current.right)
        current = current.left
    operands.append(current)
    text, written = "", False
    values: list[ast.expr] = []
    for operand in reversed(operands):
        literal = ctx.literal(operand)
        inner = pieces(ctx, operand) if isinstance(operand, ast.JoinedStr) else None
        if isinstance(literal, str):
            text, written = text + literal, True
        elif inner is not None:
            text, values, written = text + inner.text, values + inner.values, True
        else:
            values.append(operand)
    return Pieces(text, values) if written else None


def unsafe_values(ctx: Context, built: Pieces) -> list[ast.expr]:
    """The values put into a built string that are neither constants, nor numbers, nor
    quoted for a shell."""
    return [
        value
        for value in built.values
        if ctx.literal(value) is None
        and not isinstance(value, ast.Constant)
        and not (isinstance(value, ast.Call) and _harmless_call(ctx, value))
    ]


def _harmless_call(ctx: Context, call: ast.Call) -> bool:
    if any(is_builtin(ctx, call.func, number) for number in NUMBERS):
        return True
    return ctx.qualify(call.func) in QUOTERS
