"""Deserialization that can run code (CWE-502): the loads bandit does not already report.

bandit keeps `pickle`, `dill`, `shelve`, `jsonpickle.decode`, `pandas.read_pickle` (B301),
`marshal` (B302), `yaml.load` in a module that has `import yaml` (B506) and `torch.load` in a
module that has `import torch` (B614). These rules report `yaml.load_all`, `unsafe_load`,
`full_load`, `yaml.load` imported with `from yaml import load`, `cPickle`/`_pickle`/
`cloudpickle`/`joblib` and the like, `torch.load` imported with `from torch import load`,
and `numpy.load(…, allow_pickle=True)`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from baton.agents.builtin.patterns.model import Found, Rule
from baton.agents.builtin.patterns.visitor import (
    UNKNOWN,
    Context,
    is_const,
    keyword,
    positional,
)


def _rule(rule_id: str, name: str, short: str, recommendation: str) -> Rule:
    return Rule(rule_id, name, short, "HIGH", "8.1", (502,), recommendation)


RULES = (
    _rule(
        "BTN201",
        "yaml-unsafe-load",
        "YAML loaded with a loader that builds arbitrary Python objects",
        "Use yaml.safe_load / yaml.safe_load_all, or Loader=yaml.SafeLoader (CSafeLoader).",
    ),
    _rule(
        "BTN211",
        "pickle-family-load",
        "Data unpickled with a pickle-compatible loader",
        "Never unpickle data that can come from outside; use JSON or another data-only "
        "format, or sign and verify what you pickled.",
    ),
    _rule(
        "BTN212",
        "torch-load-unsafe",
        "torch.load without weights_only=True",
        "Pass weights_only=True, or store tensors with safetensors.",
    ),
    _rule(
        "BTN213",
        "numpy-load-pickle",
        "numpy.load with allow_pickle=True",
        "Keep allow_pickle=False (the default); save object arrays in a data-only format.",
    ),
)

YAML_LOAD = frozenset({"yaml.load", "yaml.load_all"})
YAML_ALWAYS_UNSAFE = frozenset(
    {"yaml.unsafe_load", "yaml.unsafe_load_all", "yaml.full_load", "yaml.full_load_all"}
)
UNSAFE_LOADERS = frozenset(
    {"Loader", "UnsafeLoader", "FullLoader", "CLoader", "CUnsafeLoader", "CFullLoader"}
)
SAFE_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})

PICKLE_FAMILY = frozenset(
    {
        *(f"{m}.{f}" for m in ("cPickle", "_pickle") for f in ("load", "loads", "Unpickler")),
        "pickle._load",
        "pickle._loads",
        "pickle._Unpickler",
        "cloudpickle.load",
        "cloudpickle.loads",
        "joblib.load",
        "sklearn.externals.joblib.load",
        "dill.load_session",
        "dill.load_module",
        "jsonpickle.loads",
        "shelve.Shelf",
        "shelve.BsdDbShelf",
        "pandas.io.pickle.read_pickle",
    }
)
"""Loads bandit's B301/B302 lists miss (`pickle.load`, `dill.loads`, … are bandit's)."""
TORCH_LOAD = frozenset({"torch.load", "torch.serialization.load"})


def check(node: ast.AST, ctx: Context) -> Iterator[Found]:
    if not isinstance(node, ast.Call):
        return
    name = ctx.qualify(node.func)
    if name is None:
        return
    if name in YAML_LOAD or name in YAML_ALWAYS_UNSAFE:
        yield from _yaml(node, name, ctx)
    elif name in PICKLE_FAMILY:
        yield Found("BTN211", node, f"{name}() unpickles its input: loading it can run code.")
    elif name in TORCH_LOAD:
        yield from _torch(node, name, ctx)
    elif name == "numpy.load" and is_const(positional(node, 2, "allow_pickle"), True, 1):
        message = "numpy.load(allow_pickle=True) unpickles object arrays: loading can run code."
        yield Found("BTN213", node, message)


def _yaml(call: ast.Call, name: str, ctx: Context) -> Iterator[Found]:
    if name in YAML_ALWAYS_UNSAFE:
        yield Found("BTN201", call, f"{name}() builds arbitrary Python objects from the YAML.")
        return
    if name == "yaml.load" and _bandit_b506(call, ctx):
        return
    loader = positional(call, 1, "Loader")
    if loader is None:
        message = f"{name}() without a Loader uses FullLoader (PyYAML < 6)."
        yield Found("BTN201", call, message)
        return
    if not isinstance(loader, ast.expr):
        return
    unsafe = _unsafe_loader(loader, ctx)
    if unsafe is not None:
        message = f"{name}() with {unsafe} builds arbitrary Python objects from the YAML."
        yield Found("BTN201", call, message)


def _bandit_b506(call: ast.Call, ctx: Context) -> bool:
    """bandit reports `….load` when `yaml` is imported as a module and named in the call."""
    parts = ctx.bandit_name(call.func).split(".")
    return ctx.bandit_imported("yaml") and "yaml" in parts and parts[-1] == "load"


def _unsafe_loader(loader: ast.expr, ctx: Context, depth: int = 0) -> str | None:
    """The unsafe PyYAML loader `loader` is (or derives from, in this module); else None."""
    name = ctx.qualify(loader)
    if name is not None and name.startswith("yaml."):
        last = name.rsplit(".", 1)[-1]
        return f"yaml.{last}" if last in UNSAFE_LOADERS else None
    if depth > 8 or not isinstance(loader, ast.Name):
        return None
    if ctx.binding_scope(loader.id) is not ctx.index.module:
        return None
    for base in ctx.index.classes.get(loader.id, []):
        found = _unsafe_loader(base, ctx, depth + 1)
        if found is not None:
            return f"{loader.id} (a {found})"
    return None


def _torch(call: ast.Call, name: str, ctx: Context) -> Iterator[Found]:
    weights_only = keyword(call, "weights_only")
    if weights_only is UNKNOWN or (weights_only is not None and not is_const(weights_only, False)):
        return
    if _bandit_b614(call, ctx):
        return
    message = f"{name}() without weights_only=True unpickles the file: loading it can run code."
    yield Found("BTN212", call, message)


def _bandit_b614(call: ast.Call, ctx: Context) -> bool:
    return ctx.bandit_imported("torch") and ctx.bandit_name(call.func) in TORCH_LOAD
