"""Weak hash functions bandit does not see: HMAC keyed with MD5 or SHA-1 (CWE-327, CWE-328).

bandit's B324 reports calls of `hashlib.md5()`, `hashlib.sha1()` and `hashlib.new("md5")`
without `usedforsecurity=False`; B303 reports the `cryptography` and pycrypto hash classes.
Neither sees the digest handed to `hmac` as a reference or by name, which is how HMAC takes
it: `hmac.new(key, msg, hashlib.md5)`, `digestmod=hashlib.sha1`, `digestmod="md5"`,
`hmac.digest(key, msg, "sha1")`. These are reported here; a digest created by a call inside
the argument (`lambda: hashlib.md5()`) is B324's.

HMAC-MD5 and HMAC-SHA1 are not broken the way the bare hashes are, which is why this rule is
MEDIUM: they are deprecated for new designs, and a signature scheme chosen today has no
reason to use them. A protocol that mandates one (CRAM-MD5, TOTP's default) is a defensible
hit, for the reviewer to accept.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from baton.agents.builtin.patterns.model import Found, Rule
from baton.agents.builtin.patterns.visitor import Context, positional

RULES = (
    Rule(
        "BTN601",
        "hmac-weak-digest",
        "HMAC computed with MD5 or SHA-1",
        "MEDIUM",
        "5.3",
        (327, 328),
        "Use hashlib.sha256 (or stronger) as the digest; compare signatures with "
        "hmac.compare_digest.",
    ),
)

HMACS: dict[str, tuple[int, str]] = {
    "hmac.new": (2, "digestmod"),
    "hmac.HMAC": (2, "digestmod"),
    "hmac.digest": (2, "digest"),
}
"""Where each function takes its digest."""
WEAK_NAMES = frozenset({"md5", "md4", "md2", "sha1", "sha-1", "sha"})
WEAK_REFERENCES = frozenset(
    {
        *("hashlib.md5", "hashlib.sha1", "_hashlib.openssl_md5", "_hashlib.openssl_sha1"),
        *("Crypto.Hash.MD5", "Crypto.Hash.SHA1", "Crypto.Hash.MD4"),
        *("Cryptodome.Hash.MD5", "Cryptodome.Hash.SHA1", "Cryptodome.Hash.MD4"),
    }
)


def check(node: ast.AST, ctx: Context) -> Iterator[Found]:
    if not isinstance(node, ast.Call):
        return
    name = ctx.qualify(node.func)
    where = HMACS.get(name) if name is not None else None
    if where is None:
        return
    digest = positional(node, *where)
    if not isinstance(digest, ast.expr):
        return
    weak = _weak(ctx, digest)
    if weak is not None:
        message = f"{name}() with {weak}: HMAC on a deprecated hash function."
        yield Found("BTN601", node, message)


def _weak(ctx: Context, digest: ast.expr) -> str | None:
    """`MD5`/`SHA-1` as the digest is named or referenced; None for anything else."""
    text = ctx.literal(digest)
    if isinstance(text, str):
        return f"the '{text}' digest" if text.lower() in WEAK_NAMES else None
    reference = ctx.qualify(digest)
    if reference in WEAK_REFERENCES:
        return reference
    return None
