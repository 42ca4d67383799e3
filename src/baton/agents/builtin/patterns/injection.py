"""Injection bandit does not see: a module or a template chosen by a web request (CWE-470,
CWE-1336), a shell command run by asyncio (CWE-78), a formatted SQL script (CWE-89).

bandit's injection rules know `eval`/`exec` (B307/B102), the `subprocess` and `os` shell
functions (B602-B605), SQL-looking strings built by formatting for `execute` (B608) and
Jinja2 environments without autoescaping (B701). They know nothing of `importlib`, of a
template compiled from request data, of `asyncio.create_subprocess_shell` or of sqlite3's
`executescript`, which runs every statement of its script.

* A module import or a template is reported only when its name or text comes from a web
  request (`request.args`, `request.form`, `request.GET` …, directly or through a local
  variable): loading a plugin by a configured name is how plugin systems work.
* A shell command is reported whenever it is not a constant, as bandit rates `os.system`:
  a formatted command is reported unless every value in it is quoted (`shlex.quote`) or a
  number. A name bound in the function only to constants or to quoted text is no finding.
* A SQL script is reported when it is built by formatting with a value that is not a
  constant; a script bandit's B608 recognises as SQL (`SELECT … FROM`, `INSERT INTO …`) is
  left to B608.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from baton.agents.builtin.patterns.flow import (
    Pieces,
    bound_values,
    is_builtin,
    is_local,
    pieces,
    request_source,
    unsafe_values,
)
from baton.agents.builtin.patterns.model import Found, Rule
from baton.agents.builtin.patterns.visitor import Context, positional, source

RULES = (
    Rule(
        "BTN501",
        "import-from-request",
        "Module imported by a name taken from a web request",
        "HIGH",
        "8.1",
        (470, 94),
        "Map the request's value to a module through a fixed allow-list "
        "({'csv': csv_plugin, …}); never import a name the client sends.",
    ),
    Rule(
        "BTN502",
        "template-from-request",
        "Template compiled from text taken from a web request (server-side template injection)",
        "HIGH",
        "8.6",
        (1336, 94),
        "Render a fixed template and pass the request's text as a variable; if users must "
        "write templates, compile them in jinja2.sandbox.SandboxedEnvironment.",
    ),
    Rule(
        "BTN503",
        "asyncio-shell-command",
        "Shell command built at run time and run by asyncio",
        "HIGH",
        "8.1",
        (78,),
        "Use asyncio.create_subprocess_exec with a list of arguments; if a shell is needed, "
        "quote every value with shlex.quote.",
    ),
    Rule(
        "BTN504",
        "sql-script-formatted",
        "SQL script built by string formatting and run with executescript",
        "HIGH",
        "8.1",
        (89,),
        "Run one statement with execute() and bind values as parameters; check an "
        "identifier against a fixed list before quoting it into DDL.",
    ),
)

IMPORTERS: dict[str, str] = {
    "importlib.import_module": "name",
    "importlib.__import__": "name",
    "pkgutil.resolve_name": "name",
    "pydoc.locate": "path",
    "werkzeug.utils.import_string": "import_name",
    "django.utils.module_loading.import_string": "dotted_path",
}
"""Functions that import a module named by their first argument."""
TEMPLATES: dict[str, str] = {
    "jinja2.Template": "source",
    "jinja2.environment.Template": "source",
    "flask.render_template_string": "source",
    "flask.templating.render_template_string": "source",
    "django.template.Template": "template_string",
    "django.template.base.Template": "template_string",
    "tornado.template.Template": "template_string",
}
"""Constructors and functions that compile their first argument as a template."""
SANDBOXES = frozenset({"jinja2-sandbox"})
SHELLS: dict[str, tuple[int, str]] = {
    "asyncio.create_subprocess_shell": (0, "cmd"),
    "asyncio.subprocess.create_subprocess_shell": (0, "cmd"),
}
STRING_SHELLS = frozenset({"anyio.run_process", "anyio.open_process"})
"""anyio hands a str command (a list is run without a shell) to the shell."""
BANDIT_SQL = re.compile(
    r"(select\s.*from\s|delete\s+from\s|insert\s+into\s.*values[\s(]|update\s.*set\s)",
    re.IGNORECASE | re.DOTALL,
)
"""bandit's B608 test of the text of a formatted string."""


def check(node: ast.AST, ctx: Context) -> Iterator[Found]:
    if not isinstance(node, ast.Call):
        return
    func = node.func
    name = ctx.qualify(func) or ""
    if name in IMPORTERS:
        yield from _import(node, ctx, name, IMPORTERS[name])
    elif is_builtin(ctx, func, "__import__"):
        yield from _import(node, ctx, "__import__", "name")
    elif name in TEMPLATES:
        yield from _template(node, ctx, name, positional(node, 0, TEMPLATES[name]))
    elif name in SHELLS:
        index, keyword_name = SHELLS[name]
        yield from _shell(node, ctx, name, positional(node, index, keyword_name))
    elif name in STRING_SHELLS:
        command = positional(node, 0, "command")
        if isinstance(command, ast.expr) and pieces(ctx, command) is not None:
            yield from _shell(node, ctx, name, command)
    elif isinstance(func, ast.Attribute):
        owner = source(func.value, 30)
        if func.attr == "from_string" and ctx.kind_of(func.value) not in SANDBOXES:
            text = positional(node, 0, "source")
            yield from _template(node, ctx, f"{owner}.from_string", text)
        elif func.attr == "subprocess_shell":
            command = positional(node, 1, "cmd")
            yield from _shell(node, ctx, f"{owner}.subprocess_shell", command)
        elif func.attr == "executescript":
            yield from _script(node, ctx, func, positional(node, 0, "sql_script"))


def _import(call: ast.Call, ctx: Context, name: str, keyword_name: str) -> Iterator[Found]:
    module = positional(call, 0, keyword_name)
    if not isinstance(module, ast.expr) or ctx.literal(module) is not None:
        return
    origin = request_source(ctx, module)
    if origin is not None:
        message = (
            f"{name}() imports a module named by the request ({origin}): the client picks "
            "which code runs."
        )
        yield Found("BTN501", call, message)


def _template(call: ast.Call, ctx: Context, name: str, text: object) -> Iterator[Found]:
    if not isinstance(text, ast.expr) or ctx.literal(text) is not None:
        return
    origin = request_source(ctx, text)
    if origin is not None:
        message = (
            f"{name}() compiles a template from the request ({origin}): template syntax "
            "reaches Python objects and runs code on the server."
        )
        yield Found("BTN502", call, message)


def _shell(call: ast.Call, ctx: Context, name: str, command: object) -> Iterator[Found]:
    if not isinstance(command, ast.expr) or _shell_safe(ctx, command, 0):
        return
    message = (
        f"{name}() runs a command built at run time ({source(command, 40)}) through the "
        "shell: a value with ';', '|' or '$(…)' in it runs commands of its own."
    )
    yield Found("BTN503", call, message)


def _shell_safe(ctx: Context, command: ast.expr, depth: int) -> bool:
    """A constant, a string built only of constants, numbers and quoted values, or a local
    name bound only to such."""
    if ctx.literal(command) is not None:
        return True
    built = pieces(ctx, command)
    if built is not None:
        return not unsafe_values(ctx, built)
    if isinstance(command, ast.Call):
        return not unsafe_values(ctx, Pieces("", [command]))
    if isinstance(command, ast.Name) and is_local(ctx, command.id) and depth < 3:
        values = bound_values(ctx, command.id)
        return bool(values) and all(
            value is not None and _shell_safe(ctx, value, depth + 1) for value in values
        )
    return False


def _script(call: ast.Call, ctx: Context, func: ast.Attribute, script: object) -> Iterator[Found]:
    if not isinstance(script, ast.expr):
        return
    built, expression = pieces(ctx, script), script
    if built is None and isinstance(script, ast.Name) and is_local(ctx, script.id):
        for value in bound_values(ctx, script.id):
            found = pieces(ctx, value) if value is not None else None
            if value is not None and found is not None and unsafe_values(ctx, found):
                built, expression = found, value
                break
    if built is None or not unsafe_values(ctx, built) or _bandit_sql(expression):
        return
    shown = source(unsafe_values(ctx, built)[0], 30)
    message = (
        f"{source(func.value, 30)}.executescript() runs a script with {shown} formatted into "
        "it: every statement in the value runs, ';' included."
    )
    yield Found("BTN504", call, message)


def _bandit_sql(expression: ast.expr) -> bool:
    """Whether B608 reports the string: the text written in it (not constants it names)
    looks like SQL."""
    written = (
        node.value
        for node in ast.walk(expression)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    )
    return BANDIT_SQL.search("".join(written)) is not None
