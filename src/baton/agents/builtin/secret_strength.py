"""How strongly a value assigned to a secret-named key looks like a real credential, and the
keyword assignments baton finds itself where detect-secrets' keyword regexes do not look.

**Grading** (`grade`), without asking anyone whether the value is live:

* LOW — not a credential at all: empty, a template or variable reference (`${VAR}`, `$VAR`,
  `{{ var }}`, `%(x)s`, `{x}`, `<your-token>`, `#{x}`, `$(cmd)`), an expression
  (`os.environ[…]`, `getenv(…)`, `process.env.X`, `var.x`), an environment variable's name
  (`DB_PASSWORD`), masked or elided (`***`, `xxx…`, `...`), a URL without credentials, a file
  path, a keyword or short number (`true`, `null`, `3600`), a placeholder word (`example`,
  `dummy`, `test`, `fake`, `sample`, `placeholder`, `changeme`, `your`, …), a common default
  (`password`, `secret`, `admin123`), the key's own name, repeated characters (`aaaa`,
  `abcabc`) or a sequence (`12345678`, `abcdef`, `qwerty`) over half the value, a regular
  expression (`[a-z0-9]{64}`, `(?=…)`, `\\w+`);
* MEDIUM — a literal, but weak evidence: the key does not name a secret (`password_url`,
  `token_type`), the value has spaces, contains the word password/secret/token/credential,
  is shorter than `MIN_LENGTH` (8), has less than `MIN_BITS` (2.5) bits per character, or is
  one lower-case word shorter than `STRONG_LENGTH`;
* HIGH — it looks like a real secret, below the strong-evidence bar (also a URL holding a
  password);
* CRITICAL — strong evidence: at least `STRONG_LENGTH` (12) characters and a Shannon entropy
  over the value of at least `STRONG_BITS` (3.0) bits per character with a mix of character
  classes — digits and letters, or `STRONG_CLASSES` (3) of lower case, upper case, digits and
  others — or of `STRONG_BITS_ALONE` (4.0) bits per character whatever the mix. A generated
  token (hex, base64, a UUID, `Xk9#mP2%…`) passes; a passphrase of words (`correct-horse-…`)
  or a CamelCase phrase stays HIGH.

A key names a secret when one of its words (split at `_ - .` and camelCase) is password,
passwd, pwd, pass (as its last word), passphrase, secret, token, credential(s), or a key
word (`key`) right after api, access, secret, private, auth, client, signing, encryption,
master, service, account, db, … — and its last word is not a qualifier saying the value is
something else (`_url`, `_file`, `_name`, `_type`, `_length`, `_header`, `_env`, …) and no word
says it is public or a hash (`public_key`, `hashed_secret`).

**Baton's own keyword scan** (`assignments`) reads each line of a text file for a secret-named
key given a quoted literal — `key = "v"`, `key: "v"`, `key := "v"`, `key => 'v'`, typed
declarations (`val key: String = "v"`, `var key string = "v"`), `"key": "v"`,
`define('KEY', 'v')`, `<key>v</key>` — in any file, and in configuration-like files (`.env`,
`.ini`, `.cfg`, `.conf`, `.properties`, YAML, shell, Dockerfiles, files without an extension)
also an unquoted value to the end of the line: `KEY=v`, `export KEY=v`, `key: v`,
`ENV KEY v`. Lines longer than `MAX_LINE` are left to detect-secrets.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import PurePosixPath

from baton.findings.model import Confidence, Severity

MIN_LENGTH = 8
MIN_BITS = 2.5
STRONG_LENGTH = 12
STRONG_BITS = 3.0
STRONG_CLASSES = 3
STRONG_BITS_ALONE = 4.0
MAX_LINE = 10_000
SEQUENCE_SHARE = 0.5
"""A value whose characters lie at least this much in runs of 3+ (abc, 321, qwe) is a sequence."""


@dataclass(frozen=True)
class Grade:
    severity: Severity
    confidence: Confidence
    evidence: str
    """Why, in words that never quote the value."""


@dataclass(frozen=True)
class Assignment:
    line: int
    """1-based, with lines ended by `\\r\\n`, `\\r` or `\\n` (as detect-secrets counts)."""
    key: str
    value: str


_SECRET_WORDS = frozenset(
    {"password", "passwd", "pwd", "passphrase", "secret", "token", "credential", "credentials"}
    | {"apikey", "secretkey", "privatekey", "accesskey", "authtoken", "accesstoken"}
    | {"contrasena", "passwort"}
)
_LAST_ONLY = frozenset({"pass"})
_KEY_OWNERS = frozenset(
    {"api", "access", "secret", "private", "auth", "client", "signing", "sign", "encryption"}
    | {"encrypt", "master", "service", "account", "db", "database", "license", "app", "hmac"}
    | {"session", "jwt", "webhook", "consumer", "subscription", "storage", "shared", "priv"}
)
_QUALIFIERS = frozenset(
    {"name", "names", "url", "urls", "uri", "endpoint", "host", "hostname", "port", "path"}
    | {"file", "filename", "files", "dir", "directory", "folder", "field", "label", "header"}
    | {"type", "kind", "length", "len", "size", "min", "max", "count", "policy", "regex"}
    | {"pattern", "format", "prompt", "message", "msg", "hint", "placeholder", "env", "var"}
    | {"variable", "param", "parameter", "arn", "ref", "version", "ttl", "expiry", "expires"}
    | {"expiration", "timeout", "lifetime", "age", "algorithm", "algo", "alg", "mode"}
    | {"provider", "rotation", "reset", "validator", "validators", "required", "enabled"}
    | {"location", "source", "manager", "backend", "class", "module", "scheme", "method"}
    | {"email", "user", "username", "login", "address", "strength", "rules", "error", "text"}
    | {"title", "description", "input", "selector", "route", "template", "store"}
)
_NOT_SECRET_ANYWHERE = frozenset(
    {"public", "publishable", "pub", "hash", "hashed", "digest", "checksum", "fingerprint"}
    | {"sha", "sha1", "sha256", "md5", "salt"}
)
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def key_words(key: str) -> list[str]:
    """`dbPassword` → [db, password]; `AWS_SECRET_ACCESS_KEY` → [aws, secret, access, key]."""
    return [word.lower() for word in _WORDS.findall(key)]


def is_secret_name(key: str) -> bool:
    words = key_words(key)
    if not words or words[-1] in _QUALIFIERS or _NOT_SECRET_ANYWHERE & set(words):
        return False
    if _SECRET_WORDS & set(words) or words[-1] in _LAST_ONLY:
        return True
    return any(a in _KEY_OWNERS and b == "key" for a, b in pairwise(words))


def shannon_bits(value: str) -> float:
    """Shannon entropy of the value's characters, in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value).values()
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts)


def char_classes(value: str) -> int:
    """How many of lower case, upper case, digits and other characters the value holds."""
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


_TEMPLATE = re.compile(
    r"\$\{[^}]*\}|^\$[A-Za-z_]\w*$|\$\([^)]*\)|\{\{.*?\}\}|\{%.*?%\}|%\(\w+\)[sdifr]|^%[sd]$"
    r"|\{[A-Za-z_][\w.]*\}|^\{\d*\}$|<[^<>\s][^<>]*>|#\{[^}]*\}|^@\w+@$|^__\w+__$|\[\[.*?\]\]"
    r"|^%\w+%$"
)
_EXPRESSION = re.compile(
    r"^[A-Za-z_][\w.]*\s*[(\[]|\b(?:os\.environ|getenv|process\.env|System\.getenv|ENV\["
    r"|GetEnvironmentVariable)|^(?:var|local|data|module|vars|secrets|settings|self|this)"
    r"\.[\w.]+$"
)
_REGEX = re.compile(r"\\[wdsbWDSB]|\(\?[:=!<P]|\[[^\]]*\][+*?{]|\{\d+(?:,\d*)?\}")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_MASKED = re.compile(r"^[*xX•.#?_\-]+$|xxx|\*\*\*|\.\.\.|…", re.IGNORECASE)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://\S*$")
_URL_PASSWORD = re.compile(r"://[^/\s:@]*:[^/\s@]+@")
_PATH = re.compile(
    r"^(?:\.{1,2}/|~/|[A-Za-z]:[\\/])\S*$|^/[^\s+=]*(?:/[^\s+=]*|\.[A-Za-z0-9]{1,8})$"
    r"|^[\w.\-]+(?:/[\w.\-]+)+\.[A-Za-z0-9]{1,8}$"
)
_KEYWORDS = frozenset(
    {"true", "false", "yes", "no", "on", "off", "null", "none", "nil", "undefined", "n/a"}
    | {"tbd", "required", "optional", "string", "str", "bool", "int"}
)
_PLACEHOLDERS = (
    *("example", "dummy", "test", "fake", "sample", "placeholder", "changeme", "change_me"),
    *("change-me", "changeit", "replace", "your", "mock", "lorem", "redacted", "notreal"),
    *("not_real", "not-real", "todo", "fixme", "foobar"),
)
_COMMON = frozenset(
    {"password", "passwd", "pass", "pwd", "secret", "token", "key", "apikey", "admin"}
    | {"administrator", "root", "toor", "guest", "user", "username", "default", "letmein"}
    | {"qwerty", "welcome", "changeme", "login", "master", "hello", "empty", "abc", "foo"}
    | {"bar", "baz", "demo", "dev", "local", "postgres", "mysql", "redis", "sa", "p", "pw"}
)
_SELF_NAMING = ("password", "passwd", "secret", "token", "credential", "apikey", "api_key")
_FORWARD = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_ROWS = (*_FORWARD, *(row[::-1] for row in _FORWARD))


def not_a_secret(value: str, key: str | None = None) -> str | None:
    """Why `value` is no credential (a placeholder, a reference, not a literal); None if it
    could be one."""
    text = value.strip()
    lower = text.lower()
    letters = re.sub(r"[^a-z]", "", lower)
    checks: tuple[tuple[bool, str], ...] = (
        (not text, "an empty value"),
        (bool(_TEMPLATE.search(text)), "a template or variable reference"),
        (bool(_EXPRESSION.search(text)), "an expression, not a literal"),
        (bool(_ENV_NAME.match(text)), "the name of an environment variable"),
        (bool(_REGEX.search(text)), "a regular expression"),
        (bool(_MASKED.search(text)), "a masked or elided value"),
        (bool(_URL.match(text)) and not _URL_PASSWORD.search(text), "a URL"),
        (bool(_PATH.match(text)), "a file path"),
        (lower in _KEYWORDS or (text.isdigit() and len(text) < MIN_LENGTH), "a keyword or number"),
        (any(word in lower for word in _PLACEHOLDERS), "a placeholder"),
        (letters in _COMMON and len(letters) >= len(text) / 2, "a common default"),
        (key is not None and _names_key(text, key), "the key's own name"),
        (_repeated(lower), "repeated characters"),
        (_sequence_share(lower) >= SEQUENCE_SHARE, "a character sequence"),
    )
    return next((why for hit, why in checks if hit), None)


def grade(value: str, key: str | None) -> Grade:
    """How strongly `value`, assigned to `key`, looks like a real credential. `key` None: a
    keyword match whose key is not known (detect-secrets found it by a secret word)."""
    who = f"`{key}`" if key and value not in key else "the key"
    reason = not_a_secret(value, key)
    if reason is not None:
        return Grade(Severity.LOW, Confidence.LOW, f"The value looks like {reason}.")
    if key is not None and not is_secret_name(key):
        return Grade(Severity.MEDIUM, Confidence.LOW, f"{who} does not name a secret.")
    if _URL.match(value):
        return Grade(Severity.HIGH, Confidence.MEDIUM, "The value is a URL holding a password.")
    size, bits, classes = len(value), shannon_bits(value), char_classes(value)
    kinds = "character class" if classes == 1 else "character classes"
    stats = f"{size} characters, {bits:.1f} bits/char, {classes} {kinds}"
    words = [word for word in _SELF_NAMING if word in value.lower()]
    weak = (
        "it has spaces" if re.search(r"\s", value) else None,
        f"it contains the word {words[0]!r}" if words else None,
        f"it is shorter than {MIN_LENGTH} characters" if size < MIN_LENGTH else None,
        f"it has less than {MIN_BITS} bits/char" if bits < MIN_BITS else None,
        "it is one lower-case word"
        if value.isalpha() and value.islower() and size < STRONG_LENGTH
        else None,
    )
    why = next((w for w in weak if w), None)
    if why is not None:
        return Grade(Severity.MEDIUM, Confidence.LOW, f"{who} names a secret, but {why}.")
    mixed = classes >= STRONG_CLASSES or (classes >= 2 and any(c.isdigit() for c in value))
    if size >= STRONG_LENGTH and ((bits >= STRONG_BITS and mixed) or bits >= STRONG_BITS_ALONE):
        return Grade(
            Severity.CRITICAL,
            Confidence.HIGH,
            f"{who} names a secret and the value ({stats}) is strong evidence of a real one.",
        )
    return Grade(
        Severity.HIGH,
        Confidence.MEDIUM,
        f"{who} names a secret and the value ({stats}) looks real, below the strong-evidence "
        f"bar ({STRONG_LENGTH}+ characters, {STRONG_BITS}+ bits/char with digits and letters "
        f"or {STRONG_CLASSES}+ character classes, or {STRONG_BITS_ALONE}+ bits/char).",
    )


def _names_key(value: str, key: str) -> bool:
    """Whether the value is the key's name, or the end of it (`db_password`, `privateKey`)."""
    bare = re.sub(r"[^a-z0-9]", "", value.lower())
    return len(bare) >= 4 and bare in re.sub(r"[^a-z0-9]", "", key.lower())


def _repeated(text: str) -> bool:
    """Two distinct characters at most, or one unit repeated (`abcabc`)."""
    return len(text) >= 3 and (len(set(text)) <= 2 or text in (text + text)[1:-1])


def _sequence_share(text: str) -> float:
    """The share of `text` in runs of 3+ characters that follow an alphabet, digits or a
    keyboard row (either way)."""
    if not text:
        return 0.0
    covered = [False] * len(text)
    for start in range(len(text)):
        end = start + 3
        while end <= len(text) and any(text[start:end] in row for row in _ROWS):
            covered[start:end] = [True] * (end - start)
            end += 1
    return sum(covered) / len(text)


_VALUE = r"(?P<vq>[\"'`])(?P<value>(?:\\.|(?!(?P=vq))[^\\\n]){1,1000}?)(?P=vq)"
_QUOTED = re.compile(
    r"(?<![\w$@.\-])(?P<kq>[\"'`]?)(?P<key>[A-Za-z_$@:][\w.\-]{0,100})(?P=kq)"
    r"(?:\[\d*\]|\])?\??"
    r"(?:\s*:\s*[&*]?[A-Za-z_][\w.:<>\[\]?*&]*(?=\s*=)|\s+(?:string|\[\]byte)(?=\s*=))?"
    r"\s*(?::=|=>|===?|!==?|=|:)\s*(?:[rRbBuUfF]{1,2}|@)?" + _VALUE
)
_CALL = re.compile(r"(?<=\w)\(\s*(?P<kq>[\"'])(?P<key>[\w.\-]{1,100})(?P=kq)\s*,\s*" + _VALUE)
_XML = re.compile(
    r"<(?P<key>[A-Za-z_][\w.\-:]{0,100})(?:\s[^<>]*)?>(?P<value>[^<>\s]{1,1000})</(?P=key)\s*>"
)
_UNQUOTED = re.compile(
    r"^\s*(?:-\s+)?(?:(?:export|set|setenv|ENV|ARG|readonly|declare(?:\s+-\w+)*)\s+)?"
    r"(?P<key>[A-Za-z_][\w.\-]{0,100})\s*[=:]\s*"
    r"(?P<value>[^\s\"'`!&*|>\[{][^\s]{0,999}?)[;,]?(?:\s+[#;].*)?\s*$"
)
_SPACED = re.compile(
    r"^\s*(?:ENV|ARG|setenv)\s+(?P<key>[A-Za-z_]\w*)\s+(?P<value>[^\s\"'=]\S*)\s*$"
)
_CONNECTION = re.compile(
    r"(?:^|[;\"'`\s])(?:server|data source|host|address|initial catalog|database(?:name)?"
    r"|uid|user(?: ?id)?|username)\s*=",
    re.IGNORECASE,
)
_SETTING = re.compile(
    r"(?P<before>^|[;\"'`])\s*(?P<key>[A-Za-z][A-Za-z0-9 _]{0,40}?)\s*=\s*"
    r"(?:'(?P<q>[^'\n]*)'|\{(?P<b>[^}\n]*)\}|(?P<v>[^;\"'`\n]*?))\s*(?=(?P<after>;|[\"'`]|$))"
)
_HINT = re.compile(r"pass|pwd|secret|token|key|cred|contrase", re.IGNORECASE)
_ALLOW = re.compile(r"pragma:\s*(?:allow|white)list[ -]secret", re.IGNORECASE)
_ALLOW_NEXT = re.compile(r"pragma:\s*(?:allow|white)list[ -]nextline[ -]secret", re.IGNORECASE)
CONFIG_SUFFIXES = frozenset(
    {"", ".env", ".ini", ".cfg", ".conf", ".config", ".cnf", ".properties", ".yaml", ".yml"}
    | {".sh", ".bash", ".zsh", ".ksh", ".envrc", ".npmrc", ".pypirc", ".service", ".dockerfile"}
)
"""Files whose values need no quotes: the unquoted forms are read in these (and in Dockerfiles,
Containerfiles and `.env.*` files)."""


def unquoted_values(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    if name.startswith((".env", "dockerfile", "containerfile")) or name.endswith(".env"):
        return True
    return PurePosixPath(name).suffix in CONFIG_SUFFIXES


def pairs(path: str, line: str) -> list[tuple[str, str]]:
    """Every key given a literal on `line`, with its value, whatever the key's name."""
    found = [(m["key"], m["value"]) for p in (_QUOTED, _CALL, _XML) for m in p.finditer(line)]
    if unquoted_values(path):
        found += [(m["key"], m["value"]) for p in (_UNQUOTED, _SPACED) if (m := p.match(line))]
    found += connection_pairs(line)
    return list(dict.fromkeys((key.strip("$@:"), value) for key, value in found))


def connection_pairs(line: str) -> list[tuple[str, str]]:
    """The `Key=value` settings of a connection string on `line` (`Server=…;User Id=…;
    Password=…;`, ODBC's `PWD={…}`, JDBC's `;password=…`), when it names a server or a
    database; empty otherwise. A value ends at `;` or a quote; an empty one is left out."""
    if ";" not in line or not _CONNECTION.search(line):
        return []
    return [
        (m["key"].strip(), next(v for v in m.group("q", "b", "v") if v is not None))
        for m in _SETTING.finditer(line)
        if (m["q"] or m["b"] or m["v"]) and (m["before"] == ";" or m["after"] == ";")
    ]


def assignments(path: str, lines: list[str], *, honor: bool) -> list[Assignment]:
    """The literals given to secret-named keys in a file's `lines`; with `honor`, lines that
    `pragma: allowlist secret` (or the line before's `nextline` form) covers are skipped."""
    found: list[Assignment] = []
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE or not _HINT.search(line):
            continue
        if honor and allowed(lines, number):
            continue
        found += [Assignment(number, k, v) for k, v in pairs(path, line) if is_secret_name(k)]
    return found


def allowed(lines: list[str], number: int) -> bool:
    """Whether `pragma: allowlist secret` covers the line (its own, or the one before's
    `nextline` form)."""
    before = lines[number - 2] if number > 1 else ""
    return bool(_ALLOW.search(lines[number - 1]) or _ALLOW_NEXT.search(before))
