"""The fake GitHub's GraphQL endpoint (`POST /graphql`; `/api/graphql` beside a GitHub Enterprise
Server style `/api/v3`): a pull request's review threads, and `resolveReviewThread`, on the fake's
stored review comments (a thread is a top comment and its replies).

The part of GitHub's schema served (https://docs.github.com/en/graphql/reference):
`Query.repository(owner, name)` → `Repository { id nameWithOwner pullRequest(number) }`;
`PullRequest { id number reviewThreads(first, after) }`; `PullRequestReviewThread { id
isResolved isOutdated path line resolvedBy comments(first, after) }`;
`PullRequestReviewComment { id databaseId body path createdAt author }`; an actor's `login`
and `__typename`; connections' `nodes`, `totalCount` and `pageInfo { hasNextPage
hasPreviousPage startCursor endCursor }` (`first` required, at most 100; `after` an opaque
cursor); `Mutation.resolveReviewThread(input: {threadId, clientMutationId})` →
`{ thread clientMutationId }` (https://docs.github.com/en/graphql/reference/mutations
#resolvereviewthread). Every other field is an error, as on GitHub.

Answers, in GitHub's shapes (https://docs.github.com/en/graphql/guides/forming-calls-with-graphql):
* a document that cannot be parsed, an unknown field or argument, a missing argument or
  variable: 200 `{"errors": [{"message": ..., "locations": [...], ...}]}` without `data`;
* a repository, pull request or thread that is not there: 200, `null` in its place in `data`,
  and an error of type NOT_FOUND naming its `path`;
* a token that may not resolve threads (`write` or `resolve_threads` off): 200 `{"data":
  {"resolveReviewThread": null}, "errors": [{"type": "FORBIDDEN", "path":
  ["resolveReviewThread"], "message": "Resource not accessible by integration", ...}]}`, as
  observed (https://github.com/github/gh-aw/issues/35726);
* no token: 401 "This endpoint requires you to be authenticated."; an unknown one: 401 "Bad
  credentials" (in `github_http`).
Node ids: threads `PRRT_fake<top comment id>`, comments `PRRC_fake<id>` (their REST `node_id`).
GraphQL names an app by its slug: `github-actions`, where REST says `github-actions[bot]`.
Resolving a resolved thread changes nothing and answers as for an open one.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.github_graphql_parse import Enum, Field, Operation, ParseError, Variable, parse
from tests.fakes.github_state import NOT_INTEGRATION, GitHubState, Pull, ReviewComment, Token, User

DOCS = "https://docs.github.com/graphql"
NO_QUERY = "A query attribute must be specified and must be a string."
MAX_FIRST = 100


@dataclass
class Context:
    state: GitHubState
    token: Token
    variables: dict[str, Any]


@dataclass(frozen=True)
class Thread:
    pull: Pull
    comments: list[ReviewComment]

    @property
    def top(self) -> ReviewComment:
        return self.comments[0]


@dataclass(frozen=True)
class Page:
    items: list[Any]
    start: int
    total: int


@dataclass(frozen=True)
class Payload:
    thread: Thread
    client_mutation_id: str | None


class FieldError(Exception):
    def __init__(self, message: str, kind: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind


Resolve = Callable[[Any, dict[str, Any], Context], Any]


@dataclass(frozen=True)
class Spec:
    """A field: its type (None: a scalar; `[T]`: a list of T), its arguments, its resolver."""

    type: str | None
    resolve: Resolve
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()


def _cursor(index: int) -> str:
    return base64.b64encode(f"cursor:v2:{index}".encode()).decode()


def _page(items: list[Any], args: dict[str, Any], name: str) -> Page:
    first, after = args.get("first"), args.get("after")
    if not isinstance(first, int):
        raise FieldError(
            f"You must provide a `first` or `last` value to properly paginate the "
            f"`{name}` connection."
        )
    if not 0 <= first <= MAX_FIRST:
        raise FieldError(
            f"Requesting {first} records on the `{name}` connection exceeds the "
            f"`first` limit of {MAX_FIRST} records."
        )
    start = 0
    if after is not None:
        try:
            start = int(base64.b64decode(str(after)).decode().removeprefix("cursor:v2:")) + 1
        except ValueError:
            raise FieldError(f"`{after}` does not appear to be a valid cursor.") from None
    return Page(items[start : start + first], start, len(items))


def _repository(_: None, args: dict[str, Any], c: Context) -> Any:
    full_name = f"{args['owner']}/{args['name']}"
    repo = c.state.repos.get(full_name.lower())
    if repo is None:
        message = f"Could not resolve to a Repository with the name '{full_name}'."
        raise FieldError(message, "NOT_FOUND")
    return repo


def _pull(repo: Any, args: dict[str, Any], c: Context) -> Pull:
    pull = c.state.pulls.get((repo.full_name.lower(), args["number"]))
    if pull is None:
        message = f"Could not resolve to a PullRequest with the number of {args['number']}."
        raise FieldError(message, "NOT_FOUND")
    return pull


def _threads(pull: Pull, args: dict[str, Any], c: Context) -> Page:
    found = [Thread(pull, comments) for comments in pull.threads(c.token.user)]
    return _page(found, args, "reviewThreads")


def _resolve_thread(_: None, args: dict[str, Any], c: Context) -> Payload:
    given = args["input"] if isinstance(args.get("input"), dict) else {}
    thread_id = given.get("threadId")
    if not isinstance(thread_id, str):
        raise FieldError(
            "Argument 'threadId' on InputObject 'ResolveReviewThreadInput' is "
            "required. Expected type ID!"
        )
    for pull in c.state.pulls.values():
        for comments in pull.threads(c.token.user):
            if f"PRRT_fake{comments[0].id}" == thread_id:
                if not (c.token.write and c.token.resolve_threads):
                    raise FieldError(NOT_INTEGRATION, "FORBIDDEN")
                pull.resolved.setdefault(comments[0].id, c.token.user)
                return Payload(Thread(pull, comments), given.get("clientMutationId"))
    raise FieldError(
        f"Could not resolve to a node with the global id of '{thread_id}'.", "NOT_FOUND"
    )


def _login(user: User) -> str:
    return user.login.removesuffix("[bot]") if user.type == "Bot" else user.login


def _connection(node: str) -> dict[str, Spec]:
    return {
        "nodes": Spec(f"[{node}]", lambda p, a, c: p.items),
        "totalCount": Spec(None, lambda p, a, c: p.total),
        "pageInfo": Spec("PageInfo", lambda p, a, c: p),
    }


SCHEMA: dict[str, dict[str, Spec]] = {
    "Query": {"repository": Spec("Repository", _repository, ("owner", "name"))},
    "Mutation": {
        "resolveReviewThread": Spec("ResolveReviewThreadPayload", _resolve_thread, ("input",))
    },
    "Repository": {
        "id": Spec(None, lambda r, a, c: f"R_fake{r.id}"),
        "nameWithOwner": Spec(None, lambda r, a, c: r.full_name),
        "pullRequest": Spec("PullRequest", _pull, ("number",)),
    },
    "PullRequest": {
        "id": Spec(None, lambda p, a, c: f"PR_fake{p.id}"),
        "number": Spec(None, lambda p, a, c: p.number),
        "reviewThreads": Spec(
            "PullRequestReviewThreadConnection", _threads, (), ("first", "after")
        ),
    },
    "PullRequestReviewThreadConnection": _connection("PullRequestReviewThread"),
    "PullRequestReviewCommentConnection": _connection("PullRequestReviewComment"),
    "PageInfo": {
        "hasNextPage": Spec(None, lambda p, a, c: p.start + len(p.items) < p.total),
        "hasPreviousPage": Spec(None, lambda p, a, c: p.start > 0),
        "startCursor": Spec(None, lambda p, a, c: _cursor(p.start) if p.items else None),
        "endCursor": Spec(
            None, lambda p, a, c: _cursor(p.start + len(p.items) - 1) if p.items else None
        ),
    },
    "PullRequestReviewThread": {
        "id": Spec(None, lambda t, a, c: f"PRRT_fake{t.top.id}"),
        "isResolved": Spec(None, lambda t, a, c: t.top.id in t.pull.resolved),
        "isOutdated": Spec(None, lambda t, a, c: False),
        "path": Spec(None, lambda t, a, c: t.top.path),
        "line": Spec(None, lambda t, a, c: t.top.line),
        "resolvedBy": Spec("Actor", lambda t, a, c: t.pull.resolved.get(t.top.id)),
        "comments": Spec(
            "PullRequestReviewCommentConnection",
            lambda t, a, c: _page(t.comments, a, "comments"),
            (),
            ("first", "after"),
        ),
    },
    "PullRequestReviewComment": {
        "id": Spec(None, lambda m, a, c: f"PRRC_fake{m.id}"),
        "databaseId": Spec(None, lambda m, a, c: m.id),
        "body": Spec(None, lambda m, a, c: m.body),
        "path": Spec(None, lambda m, a, c: m.path),
        "createdAt": Spec(None, lambda m, a, c: m.created_at),
        "author": Spec("Actor", lambda m, a, c: m.user),
    },
    "Actor": {"login": Spec(None, lambda u, a, c: _login(u))},
    "ResolveReviewThreadPayload": {
        "thread": Spec("PullRequestReviewThread", lambda p, a, c: p.thread),
        "clientMutationId": Spec(None, lambda p, a, c: p.client_mutation_id),
    },
}


def answer(state: GitHubState, token: Token, body: Any) -> tuple[int, dict[str, Any]]:
    """The status and JSON body GitHub gives a GraphQL request `body` (already JSON)."""
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return 200, {"errors": [{"message": NO_QUERY}]}
    variables = body.get("variables") or {}
    try:
        operation = parse(body["query"])
    except ParseError as err:
        where = [{"line": err.line, "column": err.column}]
        return 200, {"errors": [{"message": str(err), "locations": where}]}
    root = "Query" if operation.kind == "query" else "Mutation"
    problems = _variable_problems(operation, variables if isinstance(variables, dict) else {})
    problems += _validate(root, operation.selections, operation, [operation.kind])
    if problems:
        return 200, {"errors": problems}
    errors: list[dict[str, Any]] = []
    context = Context(state, token, variables)
    data = _select(root, None, operation.selections, context, [], errors)
    return 200, {"data": data, **({"errors": errors} if errors else {})}


def _variable_problems(operation: Operation, variables: dict[str, Any]) -> list[dict[str, Any]]:
    problems = []
    for name, written in operation.variables.items():
        value = variables.get(name)
        if (value is None and written.endswith("!")) or not _fits(value, written.rstrip("!")):
            message = f"Variable ${name} of type {written} was provided invalid value"
            problems.append({"message": message, "locations": [{"line": 1, "column": 1}]})
    return problems


def _fits(value: Any, base: str) -> bool:
    """Whether a variable's value (None: not given) fits its type (Int, String, ID)."""
    if value is None:
        return True
    if base == "Int":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str) if base in ("String", "ID") else True


def _validate(
    type_name: str, fields: list[Field], operation: Operation, path: list[str]
) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []

    def problem(message: str, f: Field, **extensions: Any) -> None:
        entry: dict[str, Any] = {"path": [*path, f.key], "message": message}
        entry["locations"] = [{"line": f.line, "column": f.column}]
        if extensions:
            entry["extensions"] = extensions
        problems.append(entry)

    for f in fields:
        if f.name == "__typename":
            continue
        spec = SCHEMA[type_name].get(f.name)
        if spec is None:
            message = f"Field '{f.name}' doesn't exist on type '{type_name}'"
            problem(message, f, code="undefinedField", typeName=type_name, fieldName=f.name)
            continue
        for arg in f.args:
            if arg not in spec.required + spec.optional:
                problem(f"Field '{f.name}' doesn't accept argument '{arg}'", f)
        missing = [arg for arg in spec.required if arg not in f.args]
        if missing:
            problem(f"Field '{f.name}' is missing required arguments: {', '.join(missing)}", f)
        for variable in _variables_in(f.args):
            if variable not in operation.variables:
                problem(
                    f"Variable ${variable} is used by anonymous {operation.kind} but not declared",
                    f,
                )
        inner = spec.type.strip("[]") if spec.type else None
        if inner is None and f.selections:
            problem(f"Selections can't be made on scalars (field '{f.name}')", f)
        elif inner is not None and not f.selections:
            problem(
                f"Field must have selections (field '{f.name}' returns {inner} but has no "
                "selections)",
                f,
            )
        elif inner is not None:
            problems += _validate(inner, f.selections, operation, [*path, f.key])
    return problems


def _variables_in(value: Any) -> list[str]:
    if isinstance(value, Variable):
        return [value.name]
    if isinstance(value, dict):
        return [name for item in value.values() for name in _variables_in(item)]
    if isinstance(value, list):
        return [name for item in value for name in _variables_in(item)]
    return []


def _value(value: Any, variables: dict[str, Any]) -> Any:
    if isinstance(value, Variable):
        return variables.get(value.name)
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, dict):
        return {key: _value(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [_value(item, variables) for item in value]
    return value


def _select(
    type_name: str,
    obj: Any,
    fields: list[Field],
    context: Context,
    path: list[str | int],
    errors: list[dict[str, Any]],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        if f.name == "__typename":
            out[f.key] = obj.type if isinstance(obj, User) else type_name
            continue
        spec = SCHEMA[type_name][f.name]
        args = {key: _value(item, context.variables) for key, item in f.args.items()}
        try:
            value = spec.resolve(obj, args, context)
        except FieldError as err:
            entry: dict[str, Any] = {"type": err.kind} if err.kind else {}
            entry |= {"path": [*path, f.key], "locations": [{"line": f.line, "column": f.column}]}
            errors.append(entry | {"message": str(err)})
            out[f.key] = None
            continue
        inner = spec.type.strip("[]") if spec.type else None
        if inner is None or value is None:
            out[f.key] = value
        elif isinstance(value, list):
            out[f.key] = [
                _select(inner, item, f.selections, context, [*path, f.key, index], errors)
                for index, item in enumerate(value)
            ]
        else:
            out[f.key] = _select(inner, value, f.selections, context, [*path, f.key], errors)
    return out
