"""Reading a GraphQL document for the fake GitHub's `/graphql` endpoint: one operation (a query or
a mutation, named or not, with variable definitions) made of fields with aliases, arguments and
selections (https://spec.graphql.org/October2021/#sec-Language).

Argument values may be variables, strings, numbers, booleans, null, enum names, lists and input
objects. Fragments, directives, block strings and documents with several operations are not
read: they are a `ParseError`, which the endpoint answers as GitHub answers a document it cannot
parse (`{"errors": [{"message": "Parse error on ... at [line, column]", "locations": [...]}]}`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_TOKENS = re.compile(
    r"""(?P<skip>[\s,\ufeff]+|\#[^\n\r]*)
      | (?P<punct>\.\.\.|[!$():=@\[\]{|}])
      | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<string>"(?:[^"\\\n\r]|\\.)*")""",
    re.VERBOSE,
)


class ParseError(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line, self.column = line, column


@dataclass(frozen=True)
class Variable:
    name: str


@dataclass(frozen=True)
class Enum:
    name: str


@dataclass
class Field:
    name: str
    alias: str | None
    args: dict[str, Any]
    selections: list[Field]
    line: int
    column: int

    @property
    def key(self) -> str:
        return self.alias or self.name


@dataclass
class Operation:
    kind: str  # "query" or "mutation"
    variables: dict[str, str]  # name -> type as written ("Int!", "[ID!]")
    selections: list[Field] = field(default_factory=list)


@dataclass
class _Token:
    kind: str
    text: str
    line: int
    column: int


def parse(text: str) -> Operation:
    tokens = _tokenize(text)
    parser = _Parser(tokens)
    operation = parser.operation()
    if parser.peek().kind != "end":
        raise parser.unexpected()
    return operation


def _tokenize(text: str) -> list[_Token]:
    tokens, position, line, start = [], 0, 1, 0
    while position < len(text):
        match = _TOKENS.match(text, position)
        column = position - start + 1
        if match is None:
            raise ParseError(
                f"Parse error on {text[position]!r} at [{line}, {column}]", line, column
            )
        kind = match.lastgroup or "skip"
        if kind != "skip":
            tokens.append(_Token(kind, match.group(), line, column))
        for newline in re.finditer(r"\r\n|\n|\r", match.group()):
            line, start = line + 1, position + newline.end()
        position = match.end()
    tokens.append(_Token("end", "end of file", line, position - start + 1))
    return tokens


_NAMES = {
    "{": "LCURLY",
    "}": "RCURLY",
    "(": "LPAREN",
    ")": "RPAREN",
    "[": "LBRACKET",
    "]": "RBRACKET",
    ":": "COLON",
    "$": "VAR_SIGN",
    "!": "BANG",
    "=": "EQUALS",
    "@": "DIR_SIGN",
    "|": "PIPE",
    "...": "ELLIPSIS",
    "name": "IDENTIFIER",
    "number": "INT",
    "string": "STRING",
}


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens, self.at = tokens, 0

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self, text: str | None = None, kind: str | None = None) -> _Token:
        token = self.peek()
        if (text is not None and token.text != text) or (kind is not None and token.kind != kind):
            raise self.unexpected()
        self.at += 1
        return token

    def unexpected(self) -> ParseError:
        """graphql-ruby's words: `Parse error on "}" (RCURLY) at [3, 5]`."""
        token = self.peek()
        if token.kind == "end":
            return ParseError("Unexpected end of document", token.line, token.column)
        name = _NAMES.get(token.text) or _NAMES[token.kind]
        where = f"[{token.line}, {token.column}]"
        message = f'Parse error on "{token.text}" ({name}) at {where}'
        return ParseError(message, token.line, token.column)

    def operation(self) -> Operation:
        kind = "query"
        if self.peek().kind == "name" and self.peek().text in ("query", "mutation"):
            kind = self.take().text
            if self.peek().kind == "name":
                self.take()
        variables: dict[str, str] = {}
        if self.peek().text == "(":
            self.take("(")
            while self.peek().text != ")":
                self.take("$")
                name = self.take(kind="name").text
                self.take(":")
                variables[name] = self.type_ref()
                if self.peek().text == "=":
                    raise self.unexpected()  # default values: not read by this fake
            self.take(")")
        return Operation(kind, variables, self.selections())

    def type_ref(self) -> str:
        if self.peek().text == "[":
            self.take("[")
            inner = self.type_ref()
            self.take("]")
            written = f"[{inner}]"
        else:
            written = self.take(kind="name").text
        if self.peek().text == "!":
            self.take("!")
            written += "!"
        return written

    def selections(self) -> list[Field]:
        self.take("{")
        fields = []
        while self.peek().text != "}":
            fields.append(self.field())
        self.take("}")
        return fields

    def field(self) -> Field:
        first = self.take(kind="name")
        alias, name = None, first.text
        if self.peek().text == ":":
            self.take(":")
            alias, name = name, self.take(kind="name").text
        args: dict[str, Any] = {}
        if self.peek().text == "(":
            self.take("(")
            while self.peek().text != ")":
                key = self.take(kind="name").text
                self.take(":")
                args[key] = self.value()
            self.take(")")
        selections = self.selections() if self.peek().text == "{" else []
        return Field(name, alias, args, selections, first.line, first.column)

    def value(self) -> Any:
        token = self.peek()
        if token.text == "$":
            self.take("$")
            return Variable(self.take(kind="name").text)
        if token.kind == "string":
            self.take()
            return json.loads(token.text)
        if token.kind == "number":
            self.take()
            return float(token.text) if re.search(r"[.eE]", token.text) else int(token.text)
        if token.kind == "name":
            self.take()
            return {"true": True, "false": False, "null": None}.get(token.text, Enum(token.text))
        if token.text == "[":
            self.take("[")
            items = []
            while self.peek().text != "]":
                items.append(self.value())
            self.take("]")
            return items
        if token.text == "{":
            self.take("{")
            fields: dict[str, Any] = {}
            while self.peek().text != "}":
                key = self.take(kind="name").text
                self.take(":")
                fields[key] = self.value()
            self.take("}")
            return fields
        raise self.unexpected()
