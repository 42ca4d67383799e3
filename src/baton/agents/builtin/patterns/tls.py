"""Certificate verification turned off (CWE-295): the rules bandit does not already cover.

bandit keeps `requests.<verb>(…, verify=False)` and `httpx.<Client|AsyncClient|request|stream|
verb>(…, verify=False)` (B501) and every call of `ssl._create_unverified_context()` (B323);
these rules report the rest: `cert_reqs=CERT_NONE`, `check_hostname = False`,
`verify_mode = CERT_NONE`, the unverified-context factories used other than by a call,
contexts that never verify (`ssl.SSLContext()`) handed to a client, `verify=False` on
`requests.request`, sessions and httpx transports, and aiohttp's `ssl=False`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from baton.agents.builtin.patterns.model import Found, Rule
from baton.agents.builtin.patterns.visitor import Context, is_const, keyword, source


def _rule(rule_id: str, name: str, short: str, recommendation: str) -> Rule:
    return Rule(rule_id, name, short, "HIGH", "7.5", (295,), recommendation)


RULES = (
    _rule(
        "BTN101",
        "tls-cert-reqs-none",
        "Certificate verification disabled with cert_reqs=CERT_NONE",
        "Keep cert_reqs at CERT_REQUIRED (the default); trust a private CA "
        "with ca_certs= instead of turning verification off.",
    ),
    _rule(
        "BTN102",
        "tls-hostname-check-off",
        "TLS hostname check disabled",
        "Leave check_hostname / assert_hostname on; a certificate for another "
        "host must not be accepted.",
    ),
    _rule(
        "BTN103",
        "tls-verify-mode-none",
        "TLS context set to verify_mode = CERT_NONE",
        "Use ssl.create_default_context() as it is; load a private CA with "
        "load_verify_locations() instead of setting CERT_NONE.",
    ),
    _rule(
        "BTN104",
        "tls-unverified-context-factory",
        "Unverified ssl context factory used",
        "Use ssl.create_default_context(); never replace ssl._create_default_https_context.",
    ),
    _rule(
        "BTN105",
        "tls-context-never-verifies",
        "A client uses an ssl.SSLContext that does not verify certificates",
        "Use ssl.create_default_context() or SSLContext(PROTOCOL_TLS_CLIENT), "
        "which verify certificates and host names.",
    ),
    _rule(
        "BTN106",
        "tls-verify-false",
        "HTTP client with verify=False",
        "Remove verify=False; pass verify='/path/to/ca.pem' to trust a private CA.",
    ),
    _rule(
        "BTN107",
        "tls-aiohttp-ssl-false",
        "aiohttp request or connector with ssl=False",
        "Remove ssl=False / verify_ssl=False; pass ssl=<SSLContext> loaded with "
        "the private CA instead.",
    ),
)

CERT_NONE = frozenset({"ssl.CERT_NONE", "ssl.VerifyMode.CERT_NONE"})
CERT_VERIFYING = frozenset(
    {"ssl.CERT_REQUIRED", "ssl.CERT_OPTIONAL", "ssl.VerifyMode.CERT_REQUIRED"}
)
UNVERIFIED_FACTORIES = frozenset({"ssl._create_unverified_context", "ssl._create_stdlib_context"})
BANDIT_B323 = "ssl._create_unverified_context"
DEFAULT_HTTPS_CONTEXT = "ssl._create_default_https_context"

B501_REQUESTS = frozenset({"get", "options", "head", "post", "put", "patch", "delete"})
B501_HTTPX = B501_REQUESTS | {"request", "stream", "Client", "AsyncClient"}
REQUEST_METHODS = B501_REQUESTS | {"request"}
AIOHTTP_METHODS = REQUEST_METHODS | {"ws_connect"}

CONTEXT_KEYWORDS = ("context", "ssl_context", "ssl", "verify")
CLIENT_SINKS = frozenset(
    {
        "http.client.HTTPSConnection",
        "urllib.request.urlopen",
        "urllib.request.HTTPSHandler",
        "smtplib.SMTP_SSL",
        "imaplib.IMAP4_SSL",
        "poplib.POP3_SSL",
        "ftplib.FTP_TLS",
        "nntplib.NNTP_SSL",
        "xmlrpc.client.ServerProxy",
        "asyncio.open_connection",
        "websockets.connect",
    }
)
CLIENT_PACKAGES = ("aiohttp.", "httpx.", "urllib3.", "requests.")
CLIENT_METHODS = frozenset({"starttls", "stls", "urlopen", "open_connection", "create_connection"})


def check(node: ast.AST, ctx: Context) -> Iterator[Found]:
    if isinstance(node, ast.Call):
        yield from _call(node, ctx)
    elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute):
                yield from _attribute_store(node, target, node.value, ctx)
    elif isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load):
        yield from _factory_reference(node, ctx)


def _call(call: ast.Call, ctx: Context) -> Iterator[Found]:
    name = ctx.qualify(call.func) or _method(call) or "this call"
    cert_reqs = keyword(call, "cert_reqs")
    server = is_const(keyword(call, "server_side"), True)
    if isinstance(cert_reqs, ast.expr) and _is_cert_none(cert_reqs, ctx) and not server:
        yield Found("BTN101", call, f"{name}(cert_reqs=CERT_NONE) accepts any certificate.")
    qualified = ctx.qualify(call.func) or ""
    if qualified.startswith(("urllib3.", "requests.packages.urllib3.")) and is_const(
        keyword(call, "assert_hostname"), False
    ):
        yield Found("BTN102", call, f"{name}(assert_hostname=False) accepts any host name.")
    if qualified == "ssl._create_stdlib_context":
        yield Found("BTN104", call, "ssl._create_stdlib_context() makes an unverified context.")
    yield from _verify_false(call, qualified, ctx)
    yield from _aiohttp(call, qualified, ctx)
    yield from _context_passed(call, qualified, ctx)


def _method(call: ast.Call) -> str | None:
    return f".{call.func.attr}" if isinstance(call.func, ast.Attribute) else None


def _is_cert_none(value: ast.expr, ctx: Context) -> bool:
    if ctx.qualify(value) in CERT_NONE or is_const(value, 0):
        return True
    return ctx.literal(value) in {"CERT_NONE", "NONE"}


def _attribute_store(
    statement: ast.stmt, target: ast.Attribute, value: ast.expr, ctx: Context
) -> Iterator[Found]:
    owner = source(target.value)
    kind = ctx.kind_of(target.value)
    if kind == "ssl-server":
        return
    if target.attr == "check_hostname" and is_const(value, False, 0):
        yield Found("BTN102", statement, f"{owner}.check_hostname = False: any host name passes.")
    elif target.attr == "verify_mode" and _is_cert_none(value, ctx):
        yield Found(
            "BTN103", statement, f"{owner}.verify_mode = CERT_NONE: any certificate passes."
        )
    elif target.attr == "verify" and is_const(value, False) and _requests_like(target.value, ctx):
        yield Found("BTN106", statement, f"{owner}.verify = False: any certificate passes.")


def _factory_reference(node: ast.Name | ast.Attribute, ctx: Context) -> Iterator[Found]:
    parent = ctx.parent(node)
    if isinstance(parent, ast.Attribute):
        return
    name = ctx.qualify(node)
    if name not in UNVERIFIED_FACTORIES:
        return
    if isinstance(parent, ast.Call) and parent.func is node:
        return
    if isinstance(parent, ast.Assign) and any(
        ctx.qualify(target) == DEFAULT_HTTPS_CONTEXT for target in parent.targets
    ):
        message = "Every HTTPS connection of the process stops verifying certificates."
        yield Found("BTN104", parent, message)
        return
    yield Found("BTN104", node, f"{name} is used as a context factory: it does not verify.")


def _requests_like(receiver: ast.expr, ctx: Context) -> bool:
    """A requests session, or an object of unknown kind in a module that uses requests."""
    kind = ctx.kind_of(receiver)
    if kind is not None:
        return kind == "requests-session"
    return ctx.qualify(receiver) is None and ctx.imports("requests")


def _verify_false(call: ast.Call, qualified: str, ctx: Context) -> Iterator[Found]:
    if not is_const(keyword(call, "verify"), False):
        return
    bandit = ctx.bandit_name(call.func)
    head, last = bandit.split(".")[0], bandit.rsplit(".", 1)[-1]
    if (head == "requests" and last in B501_REQUESTS) or (head == "httpx" and last in B501_HTTPX):
        return
    if qualified.startswith(("requests.", "httpx.")):
        yield Found("BTN106", call, f"{qualified}(verify=False) accepts any certificate.")
        return
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr in REQUEST_METHODS
        and _requests_like(func.value, ctx)
    ):
        owner = source(func.value)
        message = f"{owner}.{func.attr}(verify=False) accepts any certificate."
        yield Found("BTN106", call, message)


def _aiohttp(call: ast.Call, qualified: str, ctx: Context) -> Iterator[Found]:
    off = [word for word in ("ssl", "verify_ssl") if is_const(keyword(call, word), False)]
    if not off:
        return
    func = call.func
    if qualified.startswith("aiohttp."):
        yield Found("BTN107", call, f"{qualified}({off[0]}=False) accepts any certificate.")
        return
    if not isinstance(func, ast.Attribute) or func.attr not in AIOHTTP_METHODS:
        return
    kind = ctx.kind_of(func.value)
    unknown = kind is None and ctx.qualify(func.value) is None and ctx.imports("aiohttp")
    if kind == "aiohttp-session" or unknown:
        owner = source(func.value)
        yield Found("BTN107", call, f"{owner}.{func.attr}({off[0]}=False) accepts any certificate.")


def _context_passed(call: ast.Call, qualified: str, ctx: Context) -> Iterator[Found]:
    """A context that never verifies, given to a client (or wrapping a client socket)."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in {"wrap_socket", "wrap_bio"}:
        hostname = keyword(call, "server_hostname")
        client = hostname is not None and not is_const(keyword(call, "server_side"), True)
        if client and _never_verifies(func.value, ctx):
            yield Found("BTN105", call, _never_message(func.value, f".{func.attr}()"))
        return
    method = func.attr if isinstance(func, ast.Attribute) else None
    is_client = (
        qualified in CLIENT_SINKS
        or qualified.startswith(CLIENT_PACKAGES)
        or (not qualified and method in CLIENT_METHODS | AIOHTTP_METHODS)
    )
    if not is_client:
        return
    for word in CONTEXT_KEYWORDS:
        value = keyword(call, word)
        if isinstance(value, ast.expr) and _never_verifies(value, ctx):
            yield Found("BTN105", call, _never_message(value, qualified or f".{method}()"))


def _never_verifies(value: ast.expr, ctx: Context) -> bool:
    if ctx.kind_of(value) != "ssl-unverified-default":
        return False
    for attr, assigned in ctx.stores_on(value):
        if attr == "verify_mode" and ctx.qualify(assigned) in CERT_VERIFYING:
            return False
        if attr == "check_hostname" and is_const(assigned, True, 1):
            return False
    return True


def _never_message(value: ast.expr, sink: str) -> str:
    return (
        f"{source(value)} is an ssl.SSLContext without PROTOCOL_TLS_CLIENT: given to "
        f"{sink}, it verifies neither the certificate nor the host name."
    )
