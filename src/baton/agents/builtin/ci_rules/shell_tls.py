"""The shell rule BTN702: TLS certificate verification turned off by a command or setting.

curl's `-k` is found inside option clusters (`-fsSLk`) up to the first option that takes a
value; pip's plain-HTTP indexes and trusted hosts are not flagged for localhost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from baton.agents.builtin.ci_rules.lexer import Script, Segment
from baton.agents.builtin.ci_rules.model import Hit, Rule, with_next
from baton.findings.model import Confidence, Severity

TLS_OFF = Rule(
    "BTN702",
    "tls-verification-off",
    "TLS certificate verification turned off",
    Severity.HIGH,
    295,
    "Keep certificate checks on; for a private CA, point the tool at its certificate "
    "(`--cacert`, `--ca-certificate`, `PIP_CERT`, `git -c http.sslCAInfo=…`, `cafile`), and "
    "use https:// package indexes.",
    Confidence.HIGH,
)

CURL_VALUE_OPTIONS = frozenset("AbcCdDeEFHKmoPQrtTuUwxXyYz")
LOCAL = re.compile(r"^(?:https?://)?(?:localhost|127\.[\d.]+|\[::1\]|0\.0\.0\.0)(?:[:/]|$)")
INDEX_OPTIONS = frozenset({"-i", "--index-url", "--extra-index-url", "-f", "--find-links"})
PIP = re.compile(r"^pip[0-9.]*$")
GIT_VERIFY = re.compile(r"^http\.(?:\S+\.)?sslverify(?:=(?P<value>\S*))?$", re.I)
FALSE = frozenset({"false", "0", "no", "off"})
TLS_SETTINGS = re.compile(
    r"\b(?:GIT_SSL_NO_VERIFY=[\"']?(?:1|true|yes)\b|NODE_TLS_REJECT_UNAUTHORIZED=[\"']?0\b"
    r"|PYTHONHTTPSVERIFY=[\"']?0\b|PIP_TRUSTED_HOST=[\"']?(?!localhost|127\.)\w"
    r"|(?:PIP|UV)_(?:EXTRA_)?INDEX_URL=[\"']?http://(?!localhost|127\.)"
    r"|npm_config_strict_ssl=[\"']?false\b|check_certificate\s*=\s*off\b"
    r"|Acquire::https::(?:\S+::)?Verify-(?:Peer|Host)[\"']?\s*[= ]\s*[\"']?false)",
    re.I,
)


def tls(script: Script) -> Iterator[Hit]:
    for pipeline in script.pipelines():
        for segment in pipeline.segments:
            why = _tls_off(segment)
            if why is not None:
                yield Hit(TLS_OFF, segment.start, segment.end, why)
    for line in script.lines:
        for match in TLS_SETTINGS.finditer(script.text(line.start, line.end)):
            message = f"`{match.group(0)}` turns off certificate checks."
            yield Hit(TLS_OFF, line.start + match.start(), line.end, message)


def _tls_off(segment: Segment) -> str | None:
    """Why this command talks TLS without checking certificates, if it does."""
    program = segment.program()
    args = [word.text for word in segment.arguments()]
    if program == "curl" and any(_curl_insecure(arg) for arg in args):
        return "curl -k/--insecure accepts any certificate: a download anyone on the path can swap."
    if program == "wget" and "--no-check-certificate" in args:
        return "wget --no-check-certificate accepts any certificate."
    words = [word.text for word in segment.words]
    if any(PIP.match(word) for word in words):
        return _pip_insecure(words)
    if program == "git":
        for arg, nxt in with_next(args):
            match = GIT_VERIFY.match(arg)
            value = (match.group("value") or nxt) if match else ""
            if value.lower() in FALSE:
                return "git with http.sslVerify off accepts any certificate."
    if program in ("npm", "yarn", "pnpm"):
        joined = " ".join(args).lower()
        if re.search(r"strict-ssl(?:=|\s+)false\b", joined):
            return f"{program} with strict-ssl false accepts any certificate."
    return None


def _curl_insecure(arg: str) -> bool:
    if arg == "--insecure":
        return True
    if not arg.startswith("-") or arg.startswith("--"):
        return False
    for letter in arg[1:]:
        if letter == "k":
            return True
        if letter in CURL_VALUE_OPTIONS:
            return False
    return False


def _pip_insecure(words: list[str]) -> str | None:
    for word, nxt in with_next(words):
        option, _, value = word.partition("=")
        value = value or nxt
        if option == "--trusted-host" and not LOCAL.match(value):
            return f"pip --trusted-host {value} skips certificate checks for that host."
        if option in INDEX_OPTIONS and value.startswith("http://") and not LOCAL.match(value):
            return f"pip {option} {value}: packages fetched over plain HTTP."
    return None
