"""The subset of JQL the Jira stand-in understands.

Clauses joined by ``AND``, each ``field = value``, ``field != value``,
``field in (v1, v2)`` or ``field not in (...)``, over ``project``,
``labels``, ``status``, ``statusCategory``, ``resolution``, ``issuetype``
and ``key``; an optional trailing ``ORDER BY field [ASC|DESC]``. Anything
else is rejected the way Jira rejects a query it cannot parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from pao.standins.jira_model import JiraIssue

__all__ = ["JqlError", "JqlQuery", "parse_jql"]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<symbol>!=|=|\(|\)|,)
      | (?P<word>[^\s=!(),"']+)
    )""",
    re.VERBOSE,
)

_Getter = Callable[[JiraIssue], list[str]]

_FIELDS: dict[str, _Getter] = {
    "project": lambda issue: [issue.project.key, issue.project.id],
    "labels": lambda issue: list(issue.labels),
    "status": lambda issue: [issue.status.name],
    "statuscategory": lambda issue: [
        issue.status.category_key,
        issue.status.category_name,
    ],
    "resolution": lambda issue: [issue.resolution or "Unresolved"],
    "issuetype": lambda issue: [issue.issue_type],
    "type": lambda issue: [issue.issue_type],
    "key": lambda issue: [issue.key],
    "issuekey": lambda issue: [issue.key],
}
_ORDER_FIELDS = {"created", "updated", "key"}


class JqlError(ValueError):
    """The query is outside the supported subset or malformed."""


@dataclass(frozen=True)
class _Clause:
    field: str
    negated: bool
    values: tuple[str, ...]

    def holds(self, issue: JiraIssue) -> bool:
        actual = {value.lower() for value in _FIELDS[self.field](issue)}
        found = any(value.lower() in actual for value in self.values)
        return found != self.negated


@dataclass(frozen=True)
class JqlQuery:
    """A parsed query: clauses that must all hold, and an ordering."""

    clauses: tuple[_Clause, ...]
    order_by: str = "created"
    descending: bool = True

    def matches(self, issue: JiraIssue) -> bool:
        return all(clause.holds(issue) for clause in self.clauses)

    def sort(self, issues: list[JiraIssue]) -> list[JiraIssue]:
        def order(issue: JiraIssue) -> tuple[str, int]:
            if self.order_by == "key":
                return issue.project.key, int(issue.key.rsplit("-", 1)[1])
            return getattr(issue, self.order_by), int(issue.id)

        return sorted(issues, key=order, reverse=self.descending)

    def values_of(self, field: str) -> set[str]:
        return {v for c in self.clauses if c.field == field for v in c.values}


class _Token(NamedTuple):
    kind: str  # "string", "symbol" or "word"
    text: str


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            message = f"Error in the JQL Query: unexpected character at {position}."
            raise JqlError(message)
        kind = match.lastgroup or "word"
        value = match.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        tokens.append(_Token(kind, value))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> _Token | None:
        if self.position < len(self.tokens):
            return self.tokens[self.position]
        return None

    def next(self, expected: str = "a value") -> _Token:
        token = self.peek()
        if token is None:
            message = f"Error in the JQL Query: Expecting {expected} but got the end."
            raise JqlError(message)
        self.position += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "word" and token.text.lower() == word:
            self.position += 1
            return True
        return False

    def value(self) -> str:
        token = self.next()
        if token.kind == "symbol":
            message = (
                f"Error in the JQL Query: Expecting a value but got '{token.text}'."
            )
            raise JqlError(message)
        return token.text

    def clause(self) -> _Clause:
        field = self.next("a field").text
        if field.lower() not in _FIELDS:
            message = (
                f"Field '{field}' does not exist or you do not have "
                "permission to view it."
            )
            raise JqlError(message)
        negated = self.keyword("not")
        if self.keyword("in"):
            return _Clause(field.lower(), negated, self.value_list())
        operator = self.next("an operator").text
        if negated or operator not in {"=", "!="}:
            message = (
                f"Error in the JQL Query: the operator '{operator}' is not supported."
            )
            raise JqlError(message)
        return _Clause(field.lower(), operator == "!=", (self.value(),))

    def value_list(self) -> tuple[str, ...]:
        if self.next("'('").text != "(":
            raise JqlError("Error in the JQL Query: Expecting '(' after 'in'.")
        values = [self.value()]
        while (separator := self.next("')'").text) == ",":
            values.append(self.value())
        if separator != ")":
            raise JqlError("Error in the JQL Query: Expecting ')' to close the list.")
        return tuple(values)

    def order(self) -> tuple[str, bool]:
        if not self.keyword("by"):
            raise JqlError("Error in the JQL Query: Expecting 'by' after 'order'.")
        field = self.next("a field").text.lower()
        if field not in _ORDER_FIELDS:
            message = f"Error in the JQL Query: cannot order by '{field}'."
            raise JqlError(message)
        descending = not self.keyword("asc")
        self.keyword("desc")
        return field, descending


def parse_jql(text: str) -> JqlQuery:
    """Parse *text*; raise ``JqlError`` with Jira's wording when unsupported."""
    parser = _Parser(_tokens(text))
    clauses: list[_Clause] = []
    order_by, descending = "created", True
    while parser.peek() is not None:
        if parser.keyword("order"):
            order_by, descending = parser.order()
            break
        if clauses and not parser.keyword("and"):
            token = parser.next()
            message = f"Error in the JQL Query: Expecting 'AND' but got '{token.text}'."
            raise JqlError(message)
        clauses.append(parser.clause())
    extra = parser.peek()
    if extra is not None:
        message = f"Error in the JQL Query: unexpected '{extra.text}' after ORDER BY."
        raise JqlError(message)
    return JqlQuery(tuple(clauses), order_by, descending)
