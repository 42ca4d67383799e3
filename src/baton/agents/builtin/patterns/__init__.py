"""baton's own rules for insecure Python patterns that bandit misses or catches only in part.

The security agent runs bandit; these rules cover the gaps around it, measured against
bandit 1.9: a case bandit reports is left to bandit and not reported here again.

Rules (id, slug, severity, CWE):

* BTN101 `tls-cert-reqs-none` (HIGH, CWE-295): `cert_reqs=CERT_NONE`, `"CERT_NONE"` or
  `"NONE"` (urllib3 pools, `ssl.wrap_socket`), not on a server socket.
* BTN102 `tls-hostname-check-off` (HIGH, CWE-295): `<any object>.check_hostname = False`;
  urllib3 `assert_hostname=False`.
* BTN103 `tls-verify-mode-none` (HIGH, CWE-295): `<any object>.verify_mode = CERT_NONE`,
  unless the object is a server context.
* BTN104 `tls-unverified-context-factory` (HIGH, CWE-295): the process-wide default replaced
  (`ssl._create_default_https_context = ssl._create_unverified_context`), the factory passed
  around without being called, `ssl._create_stdlib_context()`.
* BTN105 `tls-context-never-verifies` (HIGH, CWE-295): `ssl.SSLContext()` or an
  `SSLContext(PROTOCOL_TLS…)` other than PROTOCOL_TLS_CLIENT, never set to verify, given to
  an HTTPS client (`context=`, `ssl_context=`, `ssl=`, `verify=`) or wrapping a client socket.
* BTN106 `tls-verify-false` (HIGH, CWE-295): `verify=False` on `requests.request`, on a
  session's methods, on httpx transports; `session.verify = False`.
* BTN107 `tls-aiohttp-ssl-false` (HIGH, CWE-295): aiohttp `ssl=False` / `verify_ssl=False`.
* BTN201 `yaml-unsafe-load` (HIGH, CWE-502): `yaml.load_all` with an unsafe loader (Loader,
  UnsafeLoader, FullLoader, CLoader…, a subclass of one, positional or not) or none,
  `unsafe_load(_all)`, `full_load(_all)`; `yaml.load` where bandit does not see it.
* BTN211 `pickle-family-load` (HIGH, CWE-502): `cPickle`/`_pickle` loads, `cloudpickle`,
  `joblib.load`, `dill.load_session`, `jsonpickle.loads`, `shelve.Shelf`, `pickle._loads`.
* BTN212 `torch-load-unsafe` (HIGH, CWE-502): `torch.load` without `weights_only=True`,
  where bandit does not see it.
* BTN213 `numpy-load-pickle` (HIGH, CWE-502): `numpy.load(…, allow_pickle=True)`.
* BTN301 `jwt-hardcoded-key` (HIGH, CWE-321, CWE-798): `jwt.encode/decode` (PyJWT,
  python-jose, authlib) with a literal key, a module constant holding one, or a literal
  fallback of an environment lookup.
* BTN302 `jwt-unverified` (HIGH, CWE-347): `algorithms=[…"none"]`, `algorithm="none"`,
  `options={"verify_signature": False}`, `verify=False`.
* BTN303 `secret-env-default` (HIGH, CWE-1188, CWE-798): `os.getenv` / `os.environ.get` /
  `setdefault` of a signing secret (`…SECRET…`, `JWT…KEY`, `SIGNING_KEY` … by the variable's
  or the target's name) with a non-empty literal default, or `… or "literal"`; not when a JWT
  call of the module takes it as its key (BTN301 reports that call).
* BTN401 `tar-extract-unfiltered` (MEDIUM, CWE-22): tar `extract()` — and `extractall()`
  where bandit does not see it — without `filter=`, or with `None` / `"fully_trusted"`.
* BTN402 `zip-extract-unchecked` (MEDIUM, CWE-22): zip `extractall()` without `members=`,
  `extract(name)` with a name no condition of the function looks at.
* BTN403 `unpack-archive-unfiltered` (MEDIUM, CWE-22): `shutil.unpack_archive` without
  `filter=`, or with `None` / `"fully_trusted"`.
* BTN404 `tar-extractall-every-member` (HIGH, CWE-22): tar `extractall(members=
  tar.getmembers())` (or the archive itself, `list(tar)`) without a safe filter, where bandit
  does not see it (B202 fails on a `members=` method call).
* BTN405 `archive-member-path-write` (HIGH, CWE-22): a file opened for writing at a path
  joined from a member's name (`info.filename` from `infolist()`, a name from `namelist()`,
  `member.name` from `getmembers()`), in a function that checks neither the path nor the name
  (`commonpath`, `realpath`, `resolve`, `is_relative_to`, `startswith`, a condition on them).
* BTN501 `import-from-request` (HIGH, CWE-470): `importlib.import_module`, `__import__`,
  `import_string` … of a name taken from a web request (`request.args/form/GET…`, also
  through a local variable).
* BTN502 `template-from-request` (HIGH, CWE-1336): jinja2 `Template(…)`, `….from_string(…)`
  (not on a sandboxed environment), flask `render_template_string`, Django and Tornado
  `Template` compiling text taken from a web request.
* BTN503 `asyncio-shell-command` (HIGH, CWE-78): `asyncio.create_subprocess_shell`,
  `loop.subprocess_shell` with a command that is not a constant (values quoted with
  `shlex.quote`, and numbers, are fine); anyio `run_process`/`open_process` of a formatted str.
* BTN504 `sql-script-formatted` (HIGH, CWE-89): `….executescript(…)` of a script built by an
  f-string, `+`, `%` or `.format()` with a value that is not a constant.
* BTN601 `hmac-weak-digest` (MEDIUM, CWE-327, CWE-328): `hmac.new` / `hmac.HMAC` /
  `hmac.digest` with MD5 or SHA-1, as a reference (`hashlib.md5`) or a name (`"sha1"`).

Left to bandit (measured with bandit 1.9.4; `BANDIT_EQUIVALENTS` names the bandit rule each
of ours sits beside, for a merge of findings on one line):

* B501: `requests.get/post/put/patch/delete/head/options(…, verify=False)` and `httpx.<verb>`,
  `httpx.request/stream/Client/AsyncClient(…, verify=False)`, whatever the import form.
* B323: every call of `ssl._create_unverified_context()`, aliases included.
* B506: `….load(…)` with an unsafe loader, in a module with `import yaml` (as any alias). A
  module with only `from yaml import load` is not seen by bandit: BTN201 reports it.
* B301/B302: `pickle.load(s)`, `pickle.Unpickler`, `dill.load(s)`, `shelve.open`,
  `jsonpickle.decode`, `pandas.read_pickle`, `marshal.load(s)`, aliases included.
* B614: `torch.load` without `weights_only=True` in a module with `import torch`.
* B202: `….extractall(…)` without `filter="data"`, on any object, in a module with
  `import tarfile` (it also reports `filter="tar"` and zip files there).
* Nothing on JWT: B105 reports `SECRET = "…"` for the variable's name, not the call using it.
* B608: a formatted string that looks like SQL (`SELECT … FROM`, `DELETE FROM`, `INSERT INTO
  … VALUES`, `UPDATE … SET`), whatever runs it: BTN504 leaves such a script to it.
* B324: `hashlib.md5()` / `sha1()` / `new("md5")` called, also inside `hmac.new(…)`.
* B602-B605: the `subprocess` and `os` shell functions; none of asyncio's or anyio's.
* Nothing on `importlib`, on templates compiled from request data (B701 is about
  autoescaping, B702 reports every Mako template), on hand-written archive extraction.

ruff's `S` rules, which baton does not select unless the repository does, see a little more:
S506 follows `from yaml import load`, S501 covers `requests.request`, S202 follows
`from tarfile import open`. `urllib3.disable_warnings()` alone is a finding for nobody.

A keyword that may come from `**kwargs` is unknown: a rule that needs it absent stays silent.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Iterator

from baton.agents.builtin.patterns import (
    archives,
    crypto,
    deserialization,
    injection,
    member_paths,
    tls,
    tokens,
)
from baton.agents.builtin.patterns.index import Index
from baton.agents.builtin.patterns.model import Found, PatternHit, Rule
from baton.agents.builtin.patterns.visitor import Context, Walker
from baton.findings.twins import BANDIT_EQUIVALENTS

__all__ = ["BANDIT_EQUIVALENTS", "RULES", "RULES_BY_ID", "PatternHit", "Rule", "scan_source"]

RULES: tuple[Rule, ...] = (
    *tls.RULES,
    *deserialization.RULES,
    *tokens.RULES,
    *archives.RULES,
    *member_paths.RULES,
    *injection.RULES,
    *crypto.RULES,
)
RULES_BY_ID = {rule.id: rule for rule in RULES}
CHECKS: tuple[Callable[[ast.AST, Context], Iterator[Found]], ...] = (
    tls.check,
    deserialization.check,
    tokens.check,
    archives.check,
    member_paths.check,
    injection.check,
    crypto.check,
)


class _Scanner(Walker):
    def __init__(self, index: Index) -> None:
        super().__init__(index.module)
        self.context = Context(index, self.chain)
        self.found: list[Found] = []

    def on_node(self, node: ast.AST) -> None:
        for check in CHECKS:
            try:
                self.found.extend(check(node, self.context))
            except RecursionError:
                continue


def _lines(node: ast.AST) -> tuple[int, int]:
    line = int(getattr(node, "lineno", 1))
    end = getattr(node, "end_lineno", None)
    return line, int(end) if isinstance(end, int) else line


def scan_source(text: str, path: str) -> list[PatternHit]:
    """Every hit of the rules in one module's source, by line. A file Python cannot parse
    (syntax error, null bytes, nesting too deep) has none."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text.removeprefix("\ufeff"), filename=path)
        scanner = _Scanner(Index(tree))
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return []
    scanner.walk()
    hits = (
        PatternHit(found.rule_id, *_lines(found.node), found.message) for found in scanner.found
    )
    return sorted(dict.fromkeys(hits), key=lambda h: (h.line, h.end_line, h.rule_id, h.message))
