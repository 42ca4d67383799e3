"""The index of a module the rules query: two passes over the tree before any rule runs.

The first pass records imports (as Python and as bandit see them), each node's parent, the
names every scope binds and tests, and module-level values; the second, with every binding
known, what kind of object each name or attribute holds and which attributes are assigned
on it.
"""

from __future__ import annotations

import ast
from collections import Counter

from baton.agents.builtin.patterns.visitor import (
    Context,
    Ref,
    ScopeInfo,
    ScopeNode,
    Walker,
    bound_names,
    parameters,
)


class Index:
    """What one module binds and imports; built once, queried through `Context`."""

    def __init__(self, module: ast.Module) -> None:
        self.module = module
        self.aliases: dict[str, str] = {}
        self.bandit_aliases: dict[str, str] = {}
        self.bandit_imports: set[str] = set()
        self.imported: set[str] = set()
        """Top-level packages imported in any form: `requests` for `from requests import x`."""
        self.scopes: dict[ast.AST, ScopeInfo] = {}
        self.parents: dict[ast.AST, ast.AST] = {}
        self.module_values: dict[str, ast.expr] = {}
        self.module_bindings: Counter[str] = Counter()
        self.classes: dict[str, list[ast.expr]] = {}
        self.kinds: dict[Ref, set[str]] = {}
        self.stores: dict[Ref, list[tuple[str, ast.expr]]] = {}
        """Attribute assignments by owner: `ctx.verify_mode = …` under `ctx`."""
        _Binder(self).walk()
        _Kinds(self).walk()


_CONDITIONS = (ast.If, ast.While, ast.IfExp, ast.Assert, ast.comprehension)
_TARGETED = (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.NamedExpr, ast.comprehension)
_NAMED = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.ExceptHandler,
    ast.MatchAs,
    ast.MatchStar,
)


class _Binder(Walker):
    """First pass: imports, parents, what each scope binds, module-level values."""

    def __init__(self, index: Index) -> None:
        super().__init__(index.module)
        self.index = index
        index.scopes[index.module] = ScopeInfo()

    def on_enter(self, scope: ScopeNode) -> None:
        info = self.index.scopes.setdefault(scope, ScopeInfo())
        if not isinstance(scope, ast.ClassDef | ast.Module):
            info.locals.update(arg.arg for arg in parameters(scope.args))

    def on_node(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            self.index.parents[child] = node
        if isinstance(node, ast.Import | ast.ImportFrom):
            self._import(node)
        elif isinstance(node, ast.Global):
            self.index.scopes[self.chain[-1]].globals.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            self.index.scopes[self.chain[-1]].free.update(node.names)
        elif isinstance(node, _CONDITIONS):
            tests = node.ifs if isinstance(node, ast.comprehension) else [node.test]
            tested = self.index.scopes[self.chain[-1]].tested
            tested.update(n.id for t in tests for n in ast.walk(t) if isinstance(n, ast.Name))
        for name in _bindings(node):
            self._bind([name])
        if isinstance(node, ast.Assign | ast.AnnAssign) and self._top_level(node):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name) and node.value:
                self.index.module_values[targets[0].id] = node.value

    def _top_level(self, node: ast.AST) -> bool:
        return self.index.parents.get(node) is self.index.module

    def _bind(self, names: list[str]) -> None:
        scope = self.chain[-1]
        info = self.index.scopes[scope]
        for name in names:
            if scope is self.index.module or name in info.globals:
                self.index.module_bindings[name] += 1
            else:
                info.locals.add(name)

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        module = node.module if isinstance(node, ast.ImportFrom) and not node.level else None
        for alias in node.names:
            if (isinstance(node, ast.ImportFrom) and module is None) or alias.name == "*":
                continue
            full = f"{module}.{alias.name}" if module else alias.name
            local = alias.asname or (alias.name if module else alias.name.split(".")[0])
            self.index.aliases[local] = full if (module or alias.asname) else local
            self.index.imported.add(full.split(".")[0])
            self.index.bandit_imports.add(full)
            if module or alias.asname:
                self.index.bandit_aliases[alias.asname or alias.name] = full


def _bindings(node: ast.AST) -> list[str]:
    """Names `node` binds in the scope it is in (imports aside)."""
    if isinstance(node, ast.Assign):
        targets: list[ast.expr] = node.targets
    elif isinstance(node, _TARGETED):
        targets = [node.target]
    elif isinstance(node, ast.withitem):
        targets = [node.optional_vars] if node.optional_vars is not None else []
    elif isinstance(node, ast.MatchMapping):
        return [node.rest] if node.rest else []
    elif isinstance(node, _NAMED):
        return [node.name] if node.name else []
    else:
        return []
    return [name for target in targets for name in bound_names(target)]


class _Kinds(Walker):
    """Second pass, with every binding known: what each name or attribute is bound to."""

    def __init__(self, index: Index) -> None:
        super().__init__(index.module)
        self.index = index
        self.context = Context(index, self.chain)

    def on_enter(self, scope: ScopeNode) -> None:
        if isinstance(scope, ast.Module):
            return
        if isinstance(scope, ast.ClassDef):
            if scope in self.index.module.body:
                self.index.classes[scope.name] = list(scope.bases)
            return
        for arg in parameters(scope.args):
            kind = _annotation_kind(self.context, arg.annotation)
            if kind is not None:
                self.index.kinds.setdefault((scope, arg.arg), set()).add(kind)

    def on_node(self, node: ast.AST) -> None:
        pairs: list[tuple[ast.expr, ast.expr | None]] = []
        if isinstance(node, ast.Assign):
            pairs = [(target, node.value) for target in node.targets]
        elif isinstance(node, ast.AnnAssign):
            kind = _annotation_kind(self.context, node.annotation)
            if kind is not None:
                self._record(node.target, kind)
            pairs = [(node.target, node.value)]
        elif isinstance(node, ast.NamedExpr):
            pairs = [(node.target, node.value)]
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            pairs = [(node.optional_vars, node.context_expr)]
        for target, value in pairs:
            if value is None:
                continue
            if isinstance(target, ast.Attribute):
                owner = self.context.ref(target.value)
                if owner is not None:
                    self.index.stores.setdefault(owner, []).append((target.attr, value))
            kind = self.context.kind_of(value)
            if kind is not None:
                self._record(target, kind)

    def _record(self, target: ast.AST, kind: str) -> None:
        ref = self.context.ref(target)
        if ref is not None:
            self.index.kinds.setdefault(ref, set()).add(kind)


ANNOTATION_KINDS = {
    "tarfile.TarFile": "tarfile",
    "zipfile.ZipFile": "zipfile",
    "requests.Session": "requests-session",
    "requests.sessions.Session": "requests-session",
    "aiohttp.ClientSession": "aiohttp-session",
}


def _annotation_kind(context: Context, annotation: ast.expr | None) -> str | None:
    if annotation is None:
        return None
    name = context.qualify(annotation)
    return ANNOTATION_KINDS.get(name) if name is not None else None
