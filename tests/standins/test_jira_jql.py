"""The JQL subset the Jira stand-in parses."""

from __future__ import annotations

import pytest

from pao.standins.jira_jql import JqlError, parse_jql
from pao.standins.jira_model import JiraState


def _issues() -> JiraState:
    state = JiraState()
    dba = state.add_project("DBA")
    net = state.add_project("NET")
    state.new_issue(dba, issue_type="Task", summary="a", labels=["pao", "x"])
    state.new_issue(net, issue_type="Bug", summary="b", labels=["pao"])
    return state


@pytest.mark.parametrize(
    ("jql", "keys"),
    [
        ('labels = "pao"', ["NET-1", "DBA-1"]),
        ('project = DBA AND labels = "pao"', ["DBA-1"]),
        ("project in (NET, 'DBA') order by key asc", ["DBA-1", "NET-1"]),
        ("labels = pao AND project != DBA", ["NET-1"]),
        ("labels not in (x) AND status = 'To Do'", ["NET-1"]),
        ("issuetype = Bug", ["NET-1"]),
        ("resolution = Unresolved AND labels = x", ["DBA-1"]),
    ],
)
def test_queries_select_and_order_issues(jql: str, keys: list[str]) -> None:
    state = _issues()
    query = parse_jql(jql)

    found = query.sort([i for i in state.issues.values() if query.matches(i)])

    assert [issue.key for issue in found] == keys


@pytest.mark.parametrize(
    "jql",
    [
        "labels ~ pao",
        "labels = a b",
        "labels in (a",
        "foo = 1",
        "labels = pao order key",
    ],
)
def test_unsupported_queries_raise(jql: str) -> None:
    with pytest.raises(JqlError):
        parse_jql(jql)


def test_quoted_keywords_are_values() -> None:
    query = parse_jql('labels = "and"')

    assert query.values_of("labels") == {"and"}
