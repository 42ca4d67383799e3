"""JSON Web Tokens: keys written in the code (CWE-321/798) and signatures not checked (CWE-347);
signing secrets that fall back to a key written in the code (CWE-1188).

bandit has no JWT rule; its hard-coded password rules (B105-B107) report a literal only when
the variable's or the keyword's name looks like a password (`SECRET = "…"`), never the key
handed to `jwt.encode`/`jwt.decode`. Covered libraries: PyJWT (`import jwt`), python-jose
(`from jose import jwt`, `jose.jws`) and authlib (`from authlib.jose import jwt`).

A key is "written in the code" when it is a str/bytes literal, a module constant holding one,
or the default of an environment lookup (`os.getenv("KEY", "dev-secret")`,
`os.environ.get("KEY") or "dev-secret"`). A public key or certificate in PEM form passed to
a decode is not a secret and is not reported. When a call also turns verification off, only
that (BTN302) is reported: the key does not matter any more.

A settings module often reads the key without using it: `JWT_SECRET = os.environ.get(
"JWT_SECRET", "dev-secret")`. No call of a JWT library is in sight, so BTN301 cannot tell;
BTN303 reports the lookup itself when the variable's name (or the name it is stored under)
names a signing secret (`…SECRET…`, `JWT…KEY`, `SIGNING_KEY`, `HMAC_KEY`, `SESSION_KEY` …,
not `…SECRET_FILE`, `…_URL`, `…_NAME` and other names of a place or a label) and the default
is a non-empty literal that is not a path or a URL. A lookup that is itself the key of a JWT
call, or sets a module constant that one takes as its key, is BTN301's (on that call).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import NamedTuple

from baton.agents.builtin.patterns.model import Found, Rule
from baton.agents.builtin.patterns.visitor import Context, dotted, is_const, keyword, positional

RULES = (
    Rule(
        "BTN301",
        "jwt-hardcoded-key",
        "JWT signed or verified with a key written in the code",
        "HIGH",
        "7.5",
        (321, 798),
        "Read the signing key from the environment or a secret store, and rotate the key "
        "that was committed.",
    ),
    Rule(
        "BTN302",
        "jwt-unverified",
        "JWT accepted without a signature check (alg 'none' or verification off)",
        "HIGH",
        "8.1",
        (347,),
        "Verify every token: pass the key and an explicit list of real algorithms, never "
        "'none', and keep verify_signature on.",
    ),
    Rule(
        "BTN303",
        "secret-env-default",
        "Signing secret read from the environment with a key written in the code as default",
        "HIGH",
        "7.5",
        (1188, 798),
        "Fail at start-up when the variable is missing (os.environ['JWT_SECRET']); keep "
        "development keys out of the code, and rotate the one that was committed.",
    ),
)


class Api(NamedTuple):
    key_position: int
    decode: bool
    algorithm_position: int | None
    """Where an encode takes its algorithm positionally, if it does."""


APIS: dict[str, Api] = {
    "jwt.encode": Api(1, decode=False, algorithm_position=2),
    "jwt.decode": Api(1, decode=True, algorithm_position=None),
    "jwt.api_jwt.encode": Api(1, decode=False, algorithm_position=2),
    "jwt.api_jwt.decode": Api(1, decode=True, algorithm_position=None),
    "jwt.api_jws.encode": Api(1, decode=False, algorithm_position=2),
    "jwt.api_jws.decode": Api(1, decode=True, algorithm_position=None),
    "jose.jwt.encode": Api(1, decode=False, algorithm_position=2),
    "jose.jwt.decode": Api(1, decode=True, algorithm_position=None),
    "jose.jws.sign": Api(1, decode=False, algorithm_position=3),
    "jose.jws.verify": Api(1, decode=True, algorithm_position=None),
    "authlib.jose.jwt.encode": Api(2, decode=False, algorithm_position=None),
    "authlib.jose.jwt.decode": Api(1, decode=True, algorithm_position=None),
}
ENV_LOOKUPS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
PUBLIC_MARKERS = ("PUBLIC KEY-----", "BEGIN CERTIFICATE-----", "ssh-rsa ", "ecdsa-sha2-")


def check(node: ast.AST, ctx: Context) -> Iterator[Found]:
    if isinstance(node, ast.Call | ast.BoolOp):
        yield from _env_default(node, ctx)
    if not isinstance(node, ast.Call):
        return
    name = ctx.qualify(node.func)
    api = APIS.get(name) if name is not None else None
    if name is None or api is None:
        return
    unverified = _unverified(node, api, ctx)
    if unverified is not None:
        yield Found("BTN302", node, f"{name}(): {unverified}.")
        return
    key = positional(node, api.key_position, "key")
    if not isinstance(key, ast.expr):
        return
    origin = _hardcoded(key, ctx, decode=api.decode)
    if origin is not None:
        verb = "verifies tokens" if api.decode else "signs tokens"
        yield Found("BTN301", node, f"{name}() {verb} with {origin}.")


def _hardcoded(key: ast.expr, ctx: Context, *, decode: bool, depth: int = 0) -> str | None:
    """How the key is written in the code ("a literal key", …); None when it is not."""
    value = ctx.literal(key)
    if value is not None:
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        if decode and any(marker in text for marker in PUBLIC_MARKERS):
            return None
        if isinstance(key, ast.Name):
            return f"{key.id}, a constant written in this module"
        return "a key written in the code"
    if depth > 4:
        return None
    if isinstance(key, ast.Name) and ctx.binding_scope(key.id) is ctx.index.module:
        assigned = ctx.index.module_values.get(key.id)
        if assigned is not None and ctx.index.module_bindings[key.id] == 1:
            found = _hardcoded(assigned, ctx, decode=decode, depth=depth + 1)
            return f"{key.id}, which holds {found}" if found else None
    fallback = _fallback(key, ctx)
    if fallback is not None and ctx.literal(fallback) is not None:
        return "a key written in the code when the environment has none"
    return None


def _fallback(key: ast.expr, ctx: Context) -> ast.expr | None:
    """The default of `os.getenv("K", default)` or of `os.environ.get("K") or default`."""
    if isinstance(key, ast.Call) and ctx.qualify(key.func) in ENV_LOOKUPS:
        default = positional(key, 1, "default")
        return default if isinstance(default, ast.expr) else None
    if isinstance(key, ast.BoolOp) and isinstance(key.op, ast.Or) and len(key.values) > 1:
        first = key.values[0]
        is_env = isinstance(first, ast.Call) and ctx.qualify(first.func) in ENV_LOOKUPS
        return key.values[-1] if is_env else None
    return None


_WORDS = re.compile(r"[A-Z]+[0-9]*(?![a-z])|[A-Z]?[a-z]+[0-9]*|[0-9]+")
SECRET_WORDS = frozenset({"SECRET", "SECRETKEY", "JWTSECRET", "JWTKEY"})
KEY_OWNERS = frozenset({"JWT", "SIGNING", "SIGN", "SIGNATURE", "HMAC", "SESSION", "COOKIE"})
NOT_A_KEY = frozenset(
    {
        *("FILE", "PATH", "DIR", "URL", "URI", "NAME", "ID", "ARN", "HEADER", "ALGORITHM"),
        *("ALG", "LENGTH", "TTL", "EXPIRY", "EXPIRES", "EXPIRATION", "LIFETIME", "TIMEOUT"),
        *("REGION", "LOCATION", "PROVIDER", "BACKEND", "TYPE", "VERSION", "FIELD", "PREFIX"),
        *("SUFFIX", "STORE", "ENGINE", "SIZE", "BITS", "ENABLED", "PUBLIC", "CERT"),
    }
)


def _secret_name(text: str) -> bool:
    """Whether a variable's name names a signing secret: `JWT_SECRET`, `SECRET_KEY`,
    `jwtSigningKey`; not `SECRET_KEY_FILE`, `JWT_SECRET_NAME`, `SESSION_KEY_PREFIX`."""
    words = {word.upper() for word in _WORDS.findall(text)}
    if words & NOT_A_KEY:
        return False
    return bool(words & SECRET_WORDS) or ("KEY" in words and bool(words & KEY_OWNERS))


def _env_default(node: ast.Call | ast.BoolOp, ctx: Context) -> Iterator[Found]:
    """BTN303: an environment lookup of a signing secret with a literal default."""
    if isinstance(node, ast.Call):
        lookup: ast.expr = node
        if ctx.qualify(node.func) not in ENV_LOOKUPS or _parent_is_or(node, ctx):
            return
    elif isinstance(node.op, ast.Or) and isinstance(node.values[0], ast.Call):
        lookup = node.values[0]
    else:
        return
    fallback = _fallback(node, ctx)
    default = ctx.literal(fallback) if fallback is not None else None
    if isinstance(default, bytes):
        default = default.decode("utf-8", "replace")
    if not default or not default.strip() or _place(default):
        return
    stored = _stored_as(node, ctx)
    names = [n for n in (_env_name(lookup, ctx), stored) if n]
    if not any(_secret_name(n) for n in names) or _jwt_key(node, ctx):
        return
    if stored is not None and _constant_used_as_key(stored, node, ctx):
        return
    message = (
        f"{names[0]} falls back to a secret written in the code: without the variable, "
        "the code runs with a key anyone who can read the source has."
    )
    yield Found("BTN303", node, message)


def _place(default: str) -> bool:
    return default.startswith(("/", "./", "../", "~", "${")) or "://" in default


def _env_name(lookup: ast.expr, ctx: Context) -> str | None:
    if not isinstance(lookup, ast.Call):
        return None
    name = positional(lookup, 0, "key")
    text = ctx.literal(name) if isinstance(name, ast.expr) else None
    return text if isinstance(text, str) else None


def _stored_as(node: ast.expr, ctx: Context) -> str | None:
    """The name the value is assigned to: `X = …`, `self.x = …`, `config["X"] = …`, `X=…`."""
    parent = ctx.parent(node)
    if isinstance(parent, ast.keyword):
        return parent.arg
    targets: list[ast.expr] = []
    if isinstance(parent, ast.Assign):
        targets = parent.targets
    elif isinstance(parent, ast.AnnAssign):
        targets = [parent.target]
    for target in targets:
        if isinstance(target, ast.Name):
            return target.id
        if isinstance(target, ast.Attribute):
            return target.attr
        if isinstance(target, ast.Subscript):
            text = ctx.literal(target.slice)
            return text if isinstance(text, str) else None
    return None


def _parent_is_or(node: ast.expr, ctx: Context) -> bool:
    parent = ctx.parent(node)
    return isinstance(parent, ast.BoolOp) and parent.values[0] is node


def _jwt_key(node: ast.expr, ctx: Context) -> bool:
    """Whether the lookup is passed straight to a JWT call (BTN301 reports it there)."""
    parent = ctx.parent(node)
    if isinstance(parent, ast.keyword):
        parent = ctx.parent(parent)
    if not isinstance(parent, ast.Call):
        return False
    name = ctx.qualify(parent.func)
    return name is not None and name in APIS


def _constant_used_as_key(name: str, node: ast.expr, ctx: Context) -> bool:
    """Whether the lookup sets a module constant that a JWT call of the module takes as its
    key: BTN301 reports that call, with the fallback."""
    parent = ctx.parent(node)
    if not isinstance(parent, ast.Assign | ast.AnnAssign) or ctx.parent(parent) is not (
        ctx.index.module
    ):
        return False
    for call in ast.walk(ctx.index.module):
        if not isinstance(call, ast.Call):
            continue
        qualified = ctx.qualify(call.func)
        api = APIS.get(qualified) if qualified is not None else None
        key = positional(call, api.key_position, "key") if api is not None else None
        if isinstance(key, ast.Name) and key.id == name:
            return True
    return False


def _unverified(call: ast.Call, api: Api, ctx: Context) -> str | None:
    """Why the token's signature is not checked, if it is not."""
    if api.decode:
        options = keyword(call, "options")
        if isinstance(options, ast.expr) and _verify_signature_off(options):
            return "signature verification is turned off (verify_signature: False)"
        if is_const(keyword(call, "verify"), False):
            return "signature verification is turned off (verify=False)"
        algorithms = keyword(call, "algorithms")
        if isinstance(algorithms, ast.expr) and _has_none(algorithms, ctx):
            return "the 'none' algorithm is accepted: unsigned tokens pass"
        return None
    algorithm = (
        positional(call, api.algorithm_position, "algorithm")
        if api.algorithm_position is not None
        else keyword(call, "algorithm")
    )
    if isinstance(algorithm, ast.expr) and _is_none(algorithm, ctx):
        return "the token is not signed (algorithm 'none')"
    header = positional(call, 0, "header") if api.key_position == 2 else None
    if isinstance(header, ast.Dict) and _dict_value(header, "alg", ctx, "none"):
        return "the token is not signed (alg 'none')"
    return None


def _verify_signature_off(options: ast.expr) -> bool:
    if isinstance(options, ast.Dict):
        for key, value in zip(options.keys, options.values, strict=True):
            if is_const(key, "verify_signature") and is_const(value, False):
                return True
    if isinstance(options, ast.Call) and dotted(options.func) == "dict":
        return is_const(keyword(options, "verify_signature"), False)
    return False


def _has_none(algorithms: ast.expr, ctx: Context) -> bool:
    if isinstance(algorithms, ast.List | ast.Tuple | ast.Set):
        return any(_is_none(element, ctx) for element in algorithms.elts)
    return _is_none(algorithms, ctx)


def _is_none(value: ast.expr, ctx: Context) -> bool:
    text = ctx.literal(value)
    return isinstance(text, str) and text.lower() == "none"


def _dict_value(mapping: ast.Dict, name: str, ctx: Context, expected: str) -> bool:
    for key, value in zip(mapping.keys, mapping.values, strict=True):
        if is_const(key, name):
            text = ctx.literal(value)
            return isinstance(text, str) and text.lower() == expected
    return False
