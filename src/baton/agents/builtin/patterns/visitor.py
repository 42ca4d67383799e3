"""What the rules know about a module: qualified names, string constants, the kind of objects.

`Context` answers the rules' questions about one parsed module:

* **Qualified names.** `import yaml as y`, `from ssl import CERT_NONE as N` and
  `from yaml import load` are followed, wherever the import is (also inside a function), so
  `y.load` is `yaml.load` and `N` is `ssl.CERT_NONE`. A name bound in a function (parameter,
  assignment, loop variable …) shadows an import of the same name there. Names that are not
  imported have no qualified name: a rule never guesses what `jwt` is.
* **Constants.** A module-level name assigned exactly once, at the top of the module, to a
  `str`/`bytes` literal (or an f-string, `+` or `.encode()` of literals, or another such
  constant) has that value.
* **Kinds.** A name or attribute (`self.session`) bound to `tarfile.open(...)`,
  `zipfile.ZipFile(...)`, `requests.Session()`, `aiohttp.ClientSession()`, an ssl context,
  a Jinja2 sandbox …
  (by assignment, `with … as`, `:=` or a parameter annotation) has that kind, in its scope.
* **bandit's view.** Which modules bandit counts as imported and how it names a call, so that
  a rule can leave a case bandit reports to bandit.

Every walk over the tree is iterative: deeply nested code cannot exhaust the stack here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from baton.agents.builtin.patterns.index import Index

ScopeNode = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
Ref = tuple[ast.AST | None, str]
"""A bound thing: (the scope that binds the name, the name) or (None, "self.attr")."""
Literal = str | bytes

FACTORIES: dict[str, str] = {
    **dict.fromkeys(
        ("tarfile.open", "tarfile.TarFile", "tarfile.TarFile.open", "tarfile.TarFile.taropen"),
        "tarfile",
    ),
    **dict.fromkeys(("tarfile.TarFile.gzopen", "tarfile.TarFile.bz2open"), "tarfile"),
    "tarfile.TarFile.xzopen": "tarfile",
    "zipfile.ZipFile": "zipfile",
    "zipfile.PyZipFile": "zipfile",
    **dict.fromkeys(
        ("requests.Session", "requests.session", "requests.sessions.Session"), "requests-session"
    ),
    **dict.fromkeys(("aiohttp.ClientSession", "aiohttp.client.ClientSession"), "aiohttp-session"),
    **dict.fromkeys(
        ("ssl._create_unverified_context", "ssl._create_stdlib_context"), "ssl-unverified"
    ),
    "ssl.create_default_context": "ssl-context",
    **dict.fromkeys(
        ("jinja2.sandbox.SandboxedEnvironment", "jinja2.sandbox.ImmutableSandboxedEnvironment"),
        "jinja2-sandbox",
    ),
}
"""Calls whose result has a known kind; `ssl.SSLContext` is decided by its protocol."""

CLIENT_PROTOCOL = "ssl.PROTOCOL_TLS_CLIENT"
SERVER_PROTOCOL = "ssl.PROTOCOL_TLS_SERVER"
SERVER_PURPOSE = "ssl.Purpose.CLIENT_AUTH"
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


@dataclass
class ScopeInfo:
    """Names a function, class or module binds itself (imports aside), and what it tests."""

    locals: set[str] = field(default_factory=set)
    globals: set[str] = field(default_factory=set)
    free: set[str] = field(default_factory=set)
    """Names declared `nonlocal`: bound by an enclosing function."""
    tested: set[str] = field(default_factory=set)
    """Names used in a condition (`if`, `while`, `assert`, a comprehension's `if`)."""


class Walker:
    """Visits every node once, in source order, keeping the chain of enclosing scopes.

    Decorators, defaults, annotations and base classes belong to the enclosing scope; a
    function's parameters and body, a class's body, to their own.
    """

    def __init__(self, module: ast.Module) -> None:
        self.module = module
        self.chain: list[ScopeNode] = [module]

    def on_node(self, node: ast.AST) -> None:
        """Called for every node, with `chain` as it is where the node is."""

    def on_enter(self, scope: ScopeNode) -> None:
        """Called when `scope` (a function, lambda or class) becomes the innermost one."""

    def walk(self) -> None:
        stack: list[ast.AST | _Enter | None] = [self.module]
        while stack:
            item = stack.pop()
            if item is None:
                self.chain.pop()
                continue
            if isinstance(item, _Enter):
                self.chain.append(item.scope)
                self.on_enter(item.scope)
                continue
            self.on_node(item)
            stack.extend(reversed(self._children(item)))

    def _children(self, node: ast.AST) -> list[ast.AST | _Enter | None]:
        if isinstance(node, ast.Module):
            return list(node.body)
        if isinstance(node, _FUNCTIONS):
            args = node.args
            outer: list[ast.AST] = [*args.defaults, *(d for d in args.kw_defaults if d)]
            if not isinstance(node, ast.Lambda):
                outer = [*node.decorator_list, *outer, *_annotations(args)]
                outer += [node.returns] if node.returns else []
            body = [node.body] if isinstance(node, ast.Lambda) else node.body
            return [*outer, _Enter(node), *body, None]
        if isinstance(node, ast.ClassDef):
            outer = [*node.decorator_list, *node.bases, *node.keywords]
            return [*outer, _Enter(node), *node.body, None]
        return list(ast.iter_child_nodes(node))


@dataclass(frozen=True)
class _Enter:
    """A marker on the walk's stack: `scope` starts here."""

    scope: ScopeNode


def _annotations(args: ast.arguments) -> Iterator[ast.expr]:
    for arg in parameters(args):
        if arg.annotation is not None:
            yield arg.annotation


def parameters(args: ast.arguments) -> list[ast.arg]:
    extra = [a for a in (args.vararg, args.kwarg) if a is not None]
    return [*args.posonlyargs, *args.args, *args.kwonlyargs, *extra]


def bound_names(target: ast.AST) -> Iterator[str]:
    """Names an assignment target binds: `a`, `a, *b`, `[a, (b, c)]`."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Starred):
        yield from bound_names(target.value)
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from bound_names(element)


def dotted(node: ast.AST) -> str | None:
    """`a.b.c` as written, for a chain of names and attributes; else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def source(node: ast.AST, limit: int = 60) -> str:
    """The expression as written (normalised), shortened for a message."""
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Context:
    """The rules' view of a module at the node being checked (`chain` is kept current)."""

    def __init__(self, index: Index, chain: list[ScopeNode]) -> None:
        self.index = index
        self.chain = chain

    # Names ---------------------------------------------------------------------------------

    def binding_scope(self, name: str) -> ast.AST:
        """The scope whose binding of `name` is seen here (the module when none is)."""
        innermost = self.chain[-1]
        for scope in reversed(self.chain):
            if isinstance(scope, ast.ClassDef) and scope is not innermost:
                continue
            info = self.index.scopes.get(scope)
            if info is None or name in info.globals:
                break
            if name in info.locals and name not in info.free:
                return scope
        return self.index.module

    def qualify(self, node: ast.AST) -> str | None:
        """The qualified name an expression refers to through imports: `yaml.load`."""
        attrs: list[str] = []
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        if self.binding_scope(node.id) is not self.index.module:
            return None
        head = self.index.aliases.get(node.id)
        if head is None:
            return None
        return ".".join([head, *reversed(attrs)])

    def ref(self, node: ast.AST) -> Ref | None:
        if isinstance(node, ast.Name):
            return (self.binding_scope(node.id), node.id)
        text = dotted(node)
        return (None, text) if text is not None else None

    # Values --------------------------------------------------------------------------------

    def literal(self, node: ast.AST, _seen: frozenset[str] = frozenset()) -> Literal | None:
        """The str/bytes value of a literal expression or of a module constant; else None."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            return node.value
        if isinstance(node, ast.Name):
            value = self._constant(node.id)
            if value is None or node.id in _seen:
                return None
            return self.literal(value, _seen | {node.id})
        if isinstance(node, ast.JoinedStr):
            parts = [self._formatted(part, _seen) for part in node.values]
            return "".join(p for p in parts if p is not None) if None not in parts else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._concatenation(node, _seen)
        func = node.func if isinstance(node, ast.Call) and not node.keywords else None
        if isinstance(func, ast.Attribute) and func.attr == "encode":
            inner = self.literal(func.value, _seen)
            return inner.encode() if isinstance(inner, str) else None
        return None

    def _concatenation(self, node: ast.BinOp, seen: frozenset[str]) -> Literal | None:
        """`"a" + B + "c"`, a left-leaning chain of any length, walked without recursion."""
        operands: list[ast.expr] = []
        current: ast.expr = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
            operands.append(current.right)
            current = current.left
        operands.append(current)
        values = [self.literal(operand, seen) for operand in reversed(operands)]
        if all(isinstance(value, str) for value in values):
            return "".join(value for value in values if isinstance(value, str))
        if all(isinstance(value, bytes) for value in values):
            return b"".join(value for value in values if isinstance(value, bytes))
        return None

    def _formatted(self, part: ast.expr, seen: frozenset[str]) -> str | None:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            return part.value
        if isinstance(part, ast.FormattedValue) and part.format_spec is None:
            value = self.literal(part.value, seen)
            return value if isinstance(value, str) and part.conversion == -1 else None
        return None

    def _constant(self, name: str) -> ast.expr | None:
        if self.binding_scope(name) is not self.index.module:
            return None
        if self.index.module_bindings[name] != 1:
            return None
        return self.index.module_values.get(name)

    def kind_of(self, node: ast.AST) -> str | None:
        """What an expression is, when the module says: "tarfile", "requests-session" …"""
        if isinstance(node, ast.Await | ast.NamedExpr):
            node = node.value
        if isinstance(node, ast.Call):
            return self.call_kind(node)
        ref = self.ref(node)
        kinds = self.index.kinds.get(ref) if ref is not None else None
        return next(iter(kinds)) if kinds and len(kinds) == 1 else None

    def call_kind(self, call: ast.Call) -> str | None:
        name = self.qualify(call.func)
        if name == "ssl.SSLContext":
            protocol = positional(call, 0, "protocol")
            if protocol is UNKNOWN:
                return "ssl-context"
            proto = self.qualify(protocol) if isinstance(protocol, ast.expr) else None
            if proto == CLIENT_PROTOCOL or (protocol is not None and proto is None):
                return "ssl-context"
            return "ssl-server" if proto == SERVER_PROTOCOL else "ssl-unverified-default"
        if name == "ssl.create_default_context":
            purpose = positional(call, 0, "purpose")
            if isinstance(purpose, ast.expr) and self.qualify(purpose) == SERVER_PURPOSE:
                return "ssl-server"
        return FACTORIES.get(name) if name is not None else None

    def stores_on(self, node: ast.AST) -> list[tuple[str, ast.expr]]:
        """`(attribute, value)` of every assignment to an attribute of this object."""
        ref = self.ref(node)
        return self.index.stores.get(ref, []) if ref is not None else []

    # Structure -----------------------------------------------------------------------------

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.index.parents.get(node)

    def tested_names(self) -> set[str]:
        """Names used in a condition anywhere in the innermost function (or module)."""
        return self.index.scopes[self.chain[-1]].tested

    def imports(self, package: str) -> bool:
        """Whether the module imports `package` (or something from it) in any form."""
        return package in self.index.imported

    # bandit's view -------------------------------------------------------------------------

    def bandit_imported(self, module: str) -> bool:
        """bandit's `is_module_imported_exact`: `import yaml` counts, `from yaml import x`
        does not."""
        return module in self.index.bandit_imports

    def bandit_name(self, func: ast.AST) -> str:
        """How bandit names a call's function: aliases applied to names and attributes only."""
        if isinstance(func, ast.Name):
            return self.index.bandit_aliases.get(func.id, func.id)
        if isinstance(func, ast.Attribute):
            inner = self.bandit_name(func.value)
            name = f"{inner}.{func.attr}"
            return self.index.bandit_aliases.get(name, name)
        return ""


class _Unknown:
    """An argument that may be passed through `*args` / `**kwargs`: nobody can tell."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
Arg = ast.expr | _Unknown | None


def keyword(call: ast.Call, name: str) -> Arg:
    """The value passed as `name=`; UNKNOWN when absent but `**kwargs` may carry it."""
    for item in call.keywords:
        if item.arg == name:
            return item.value
    return UNKNOWN if any(item.arg is None for item in call.keywords) else None


def positional(call: ast.Call, index: int, name: str | None = None) -> Arg:
    """The argument at `index` (or passed as `name=`); UNKNOWN behind `*args`/`**kwargs`."""
    for position, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            return UNKNOWN
        if position == index:
            return arg
    return keyword(call, name) if name is not None else None


def is_const(node: Arg, *values: object) -> bool:
    """Whether `node` is a constant equal to one of `values` (`False` is not `0` here)."""
    if not isinstance(node, ast.Constant):
        return False
    return any(type(node.value) is type(v) and node.value == v for v in values)
