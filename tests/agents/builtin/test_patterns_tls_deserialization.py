"""baton's pattern rules for TLS verification (BTN1xx) and deserialization (BTN2xx): what
each reports and what it must not (the tables' format is described in `test_patterns.py`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.agents.builtin.test_patterns import (
    Case,
    case_ids,
    cases,
    check_bandit,
    check_clean,
    check_flagged,
)

FLAGGED = cases("""
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
""")

CLEAN = cases("""
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
""")


@pytest.mark.parametrize("case", FLAGGED, ids=case_ids(FLAGGED))
def test_flagged(case: Case) -> None:
    check_flagged(case)


@pytest.mark.parametrize("case", CLEAN, ids=case_ids(CLEAN))
def test_not_flagged(case: Case) -> None:
    check_clean(case)


def test_bandit_keeps_what_it_reports_and_misses_ours(tmp_path: Path) -> None:
    check_bandit(tmp_path, FLAGGED, CLEAN)
