"""baton's pattern rules for archives (BTN4xx), injection (BTN5xx), weak crypto (BTN6xx) and
signing secrets with a default (BTN303), in tables as `test_patterns.py` describes them; and
that every rule, wherever its table is, has its cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.agents.builtin.patterns import RULES
from tests.agents.builtin import test_patterns, test_patterns_tls_deserialization
from tests.agents.builtin.test_patterns import (
    Case,
    case_ids,
    cases,
    check_bandit,
    check_clean,
    check_flagged,
)

FLAGGED = cases("""
## BTN303 settings-get
import os
JWT_SECRET = os.environ.get("JWT_SECRET", "dev-jwt-secret")  # !
## BTN303 django-getenv
import os
SECRET_KEY = os.getenv("DJANGO_SECRET_KEY", "django-insecure-abc123")  # !
## BTN303 or-into-config
from os import environ
app.config["JWT_SECRET_KEY"] = environ.get("APP_KEY") or "change-me"  # !
## BTN303 setdefault-constant
import os
DEV_KEY = "local-signing-key"
signing_key = os.environ.setdefault("SIGNING_KEY", DEV_KEY)  # !
## BTN303 keyword
import os
settings = Settings(secret_key=os.getenv("APP_SECRET", "s3cr3t"))  # !
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
## BTN404 getmembers
import tarfile
tar = tarfile.open(archive)
tar.extractall(path=root, members=tar.getmembers())  # !
## BTN404 positional-from-import
from tarfile import open as topen
with topen(p) as t:
    t.extractall(d, t.getmembers())  # !
## BTN404 list-of-archive
from tarfile import TarFile
t = TarFile.open(p)
t.extractall(d, members=list(t))  # !
## BTN404 fully-trusted
import tarfile
with tarfile.open(p) as t:
    t.extractall(d, members=t.getmembers(), filter="fully_trusted")  # !
## BTN405 infolist
import os, zipfile
def extract(archive, dest):
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            with zf.open(info) as src, open(os.path.join(dest, info.filename), "wb") as dst:  # !
                dst.write(src.read())
## BTN405 namelist-variable
import os, zipfile
def unpack(path, dest):
    zf = zipfile.ZipFile(path)
    for name in zf.namelist():
        target = os.path.join(dest, name)
        with open(target, "wb") as out:  # !
            out.write(zf.read(name))
## BTN405 tar-pathlib
import tarfile
def unpack(path, dest):
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            data = tar.extractfile(member)
            if data is not None:
                (dest / member.name).write_bytes(data.read())  # !
## BTN405 module-fstring
import tarfile
tar = tarfile.open("a.tar")
for m in tar:
    open(f"out/{m.name}", "w").write(tar.extractfile(m).read().decode())  # !
## BTN501 flask-args
import importlib
from flask import request
def render():
    return importlib.import_module(request.args["plugin"])  # !
## BTN501 django-local-builtin
def view(request):
    name = request.GET.get("backend", "default")
    return __import__(name)  # !
## BTN501 fstring-from-import
from importlib import import_module
from flask import request
handler = lambda: import_module(f"plugins.{request.form['kind']}")  # !
## BTN501 werkzeug-self-request
from werkzeug.utils import import_string
class View:
    def get(self):
        return import_string(self.request.args["handler"])  # !
## BTN502 jinja-template
from flask import request
from jinja2 import Template
def preview():
    return Template(request.form["template"]).render()  # !
## BTN502 environment-from-string
import jinja2
from flask import request
env = jinja2.Environment(autoescape=True)
def preview():
    return env.from_string(request.args.get("t", "")).render()  # !
## BTN502 render-string-local
from flask import render_template_string, request
def page():
    body = "<h1>" + request.args["name"] + "</h1>"
    return render_template_string(body)  # !
## BTN502 django
from django.template import Context, Template
def preview(request):
    return Template(request.POST["body"]).render(Context({}))  # !
## BTN503 fstring
import asyncio
async def reachable(host):
    proc = await asyncio.create_subprocess_shell(f"ping -c 1 {host}")  # !
## BTN503 loop-method
import asyncio
async def run(cmd):
    loop = asyncio.get_running_loop()
    return await loop.subprocess_shell(asyncio.SubprocessProtocol, cmd)  # !
## BTN503 concat-alias
from asyncio import create_subprocess_shell as shell
async def grep(pattern, path):
    return await shell("grep -r " + pattern + " " + path)  # !
## BTN503 anyio-format
import anyio
async def convert(src):
    await anyio.run_process("convert {} out.png".format(src))  # !
## BTN504 concat
def ensure_table(conn, table):
    conn.executescript("CREATE TABLE IF NOT EXISTS " + table + " (id INTEGER);")  # !
## BTN504 fstring-variable
def reset(conn, table):
    script = f"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id INTEGER);"
    conn.executescript(script)  # !
## BTN504 percent
def attach(cur, path):
    cur.executescript("ATTACH DATABASE '%s' AS other;" % path)  # !
## BTN504 format
def migrate(db, version):
    db.executescript("PRAGMA user_version = {};".format(version))  # !
## BTN601 md5-reference
import hashlib, hmac
sig = hmac.new(secret, body, hashlib.md5).hexdigest()  # !
## BTN601 sha1-keyword
import hashlib, hmac
mac = hmac.new(key, msg, digestmod=hashlib.sha1)  # !
legacy = hmac.new(key, digestmod="md5")  # !
## BTN601 digest-alias
from hashlib import md5 as M
from hmac import HMAC, digest
a = digest(key, msg, "SHA1")  # !
b = HMAC(key, msg, M)  # !
""")

CLEAN = cases("""
## BTN303 no-default
import os
SECRET_KEY = os.environ["SECRET_KEY"]
## BTN303 empty-default
import os
JWT_SECRET = os.getenv("JWT_SECRET", "")
## BTN303 not-a-secret
import os
JWT_ALGORITHM = os.getenv("JWT_ALGORITHM", "HS256")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "info")
## BTN303 path-and-public
import os
SECRET_KEY_FILE = os.getenv("SECRET_KEY_FILE", "/run/secrets/key")
JWT_PUBLIC_KEY = os.getenv("JWT_PUBLIC_KEY", "ssh-rsa AAAA")
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
## BTN404 data-filter
import tarfile
with tarfile.open(p) as t:
    t.extractall(d, members=t.getmembers(), filter="data")
## BTN404 chosen
from tarfile import open as topen
t = topen(p)
t.extractall(d, members=safe_members(t))
## BTN404 comprehension
from tarfile import open as topen
t = topen(p)
t.extractall(d, members=[m for m in t.getmembers() if m.isfile() and ".." not in m.name])
## BTN404 positional-is-bandits B202
import tarfile
t = tarfile.open(p)
t.extractall(d, t.getmembers())  # !
## BTN405 commonpath
import os, zipfile
def unpack(path, dest):
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            target = os.path.realpath(os.path.join(dest, info.filename))
            if os.path.commonpath([dest, target]) != dest:
                raise ValueError(info.filename)
            with zf.open(info) as src, open(target, "wb") as dst:
                dst.write(src.read())
## BTN405 name-checked
import os, zipfile
for name in zipfile.ZipFile(p).namelist():
    if name.startswith("/") or ".." in name:
        continue
    open(os.path.join(dest, name), "wb").write(b"")
## BTN405 basename-and-read
import os, zipfile
for info in zipfile.ZipFile(p).infolist():
    open(os.path.join(dest, os.path.basename(info.filename)), "wb").write(b"")
    print(open(os.path.join(dest, info.filename)).read())
## BTN405 resolved
from pathlib import Path
for member in tar.getmembers():
    target = (root / member.name).resolve()
    if target.is_relative_to(root):
        target.write_bytes(tar.extractfile(member).read())
## BTN501 literal
import importlib
importlib.import_module("json")
## BTN501 constant
import importlib
KIND = "csv"
importlib.import_module("handlers." + KIND)
## BTN501 parameter
import importlib
def load(name):
    return importlib.import_module(f"plugins.{name}")
## BTN502 literal-template
from flask import request
from jinja2 import Template
Template("Hello {{ name }}").render(name=request.args["name"])
## BTN502 sandbox
from flask import request
from jinja2.sandbox import SandboxedEnvironment
env = SandboxedEnvironment()
env.from_string(request.form["t"]).render()
## BTN502 not-from-request
import jinja2, string
from flask import request
jinja2.Environment(autoescape=True).from_string(path.read_text())
string.Template(request.args["t"]).substitute(x=1)
## BTN503 literal
import asyncio
asyncio.create_subprocess_shell("ls -la /tmp")
## BTN503 quoted-or-number
import asyncio, shlex
asyncio.create_subprocess_shell(f"ping -c {int(n)} {shlex.quote(host)}")
## BTN503 exec-and-list
import asyncio, anyio
asyncio.create_subprocess_exec("ping", "-c", "1", host)
anyio.run_process(["ping", host])
## BTN503 constant-local
import asyncio
async def uptime():
    cmd = "uptime"
    return await asyncio.create_subprocess_shell(cmd)
## BTN504 constant
SCHEMA = "CREATE TABLE t (id INTEGER);"
conn.executescript(SCHEMA)
## BTN504 file
from pathlib import Path
conn.executescript(Path("schema.sql").read_text())
## BTN504 constants-and-number
SCHEMA = "CREATE TABLE t (id INTEGER);"
conn.executescript(f"{SCHEMA} PRAGMA user_version = {int(version)};")
## BTN504 select-is-bandits B608
def purge(conn, table):
    conn.executescript("DELETE FROM " + table + ";")  # !
## BTN601 sha256
import hashlib, hmac
hmac.new(key, msg, hashlib.sha256)
## BTN601 name-sha512
import hmac
hmac.digest(key, msg, "sha512")
## BTN601 parameter
import hmac
def sign(key, msg, algorithm):
    return hmac.new(key, msg, algorithm)
## BTN601 md5-call-is-bandits B324
import hashlib, hmac
mac = hmac.new(key, msg, lambda: hashlib.md5())  # !
""")


@pytest.mark.parametrize("case", FLAGGED, ids=case_ids(FLAGGED))
def test_flagged(case: Case) -> None:
    check_flagged(case)


@pytest.mark.parametrize("case", CLEAN, ids=case_ids(CLEAN))
def test_not_flagged(case: Case) -> None:
    check_clean(case)


def test_bandit_keeps_what_it_reports_and_misses_ours(tmp_path: Path) -> None:
    check_bandit(tmp_path, FLAGGED, CLEAN)


def test_every_rule_has_three_of_each() -> None:
    flagged = [*FLAGGED, *test_patterns.FLAGGED, *test_patterns_tls_deserialization.FLAGGED]
    clean = [*CLEAN, *test_patterns.CLEAN, *test_patterns_tls_deserialization.CLEAN]
    for rule in RULES:
        assert sum(c.rule == rule.id for c in flagged) >= 3, rule.id
        assert sum(c.rule == rule.id and c.bandit is None for c in clean) >= 3, rule.id
