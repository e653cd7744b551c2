"""pao's Jira: the configured instances and the calls shared by ticket
actions, escalations and the comments the controller posts.

Creating an issue is made idempotent with a label: the label derived from
a key is put on the issue, and every attempt first searches for an issue
carrying it. A create whose answer was lost is then found, not repeated.
Jira's search index may lag a create by a moment; the backoff between
attempts gives it that moment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog

from pao.actions.attempts import run_attempts, service_context
from pao.actions.context import ActionContext
from pao.actions.errors import PermanentActionError
from pao.actions.http import HttpSender, default_sender
from pao.actions.jira.client import JiraClient, jql_string
from pao.actions.oauth2 import OAuth2Tokens
from pao.actions.vendor_config import JiraConfig, MissingCredential

__all__ = ["FoundIssue", "JiraService", "idempotency_label"]

logger = structlog.get_logger(__name__)

# Builds the create body's fields for a client (ADF or text by flavour).
FieldsBuilder = Callable[[JiraClient], Mapping[str, Any]]


def idempotency_label(key: str, prefix: str = "pao") -> str:
    """A Jira label standing for *key*: ``pao-`` and 16 hex digits.

    Labels may not hold spaces and are limited in length, so the key is
    hashed rather than used as it is.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"{prefix}-{digest}"


@dataclass(frozen=True, slots=True)
class FoundIssue:
    """An issue pao created or found again, and where to see it."""

    instance: str
    key: str
    id: str
    url: str

    @classmethod
    def of(cls, client: JiraClient, issue: Mapping[str, Any]) -> FoundIssue:
        key = str(issue["key"])
        return cls(
            instance=client.instance.name,
            key=key,
            id=str(issue.get("id", "")),
            url=client.instance.browse_url(key),
        )

    def ref(self) -> dict[str, str]:
        return {"instance": self.instance, "key": self.key, "url": self.url}


class JiraService:
    """The Jira instances of the configuration, one client each."""

    def __init__(
        self,
        config: JiraConfig,
        *,
        sender: HttpSender | None = None,
        tokens: OAuth2Tokens | None = None,
    ) -> None:
        self.config = config
        self._sender = sender
        self._tokens = tokens or OAuth2Tokens(sender=self._http)
        self._clients: dict[str, JiraClient] = {}

    def client(self, instance: str | None = None) -> JiraClient:
        """The client of *instance* (the first configured one for None)."""
        try:
            chosen = self.config.instance(instance)
        except MissingCredential as exc:
            raise PermanentActionError(str(exc)) from None
        client = self._clients.get(chosen.name)
        if client is None:
            client = JiraClient(chosen, sender=self._sender, tokens=self._tokens)
            self._clients[chosen.name] = client
        return client

    def find_labelled(
        self, client: JiraClient, *, project: str, label: str, ctx: ActionContext
    ) -> FoundIssue | None:
        """The oldest issue of *project* labelled *label*, if any."""
        jql = (
            f"project = {jql_string(project)} AND labels = {jql_string(label)}"
            " ORDER BY created ASC"
        )
        issues = client.search(jql, ctx=ctx, limit=1)
        return FoundIssue.of(client, issues[0]) if issues else None

    def ensure_issue(
        self,
        client: JiraClient,
        *,
        project: str,
        label: str,
        fields: FieldsBuilder,
        ctx: ActionContext,
    ) -> tuple[FoundIssue, bool, int]:
        """The issue labelled *label*, created from *fields* unless one
        exists; with whether it was created now and the attempts made."""

        def attempt(one: ActionContext) -> tuple[FoundIssue, bool]:
            found = self.find_labelled(client, project=project, label=label, ctx=one)
            if found is not None:
                return found, False
            created = client.create_issue(fields(client), ctx=one)
            return FoundIssue.of(client, created), True

        (issue, created), attempts = run_attempts(ctx, attempt)
        log = ctx.logger.bind(jira_instance=issue.instance, issue=issue.key)
        log.info("jira issue created" if created else "jira issue found again")
        return issue, created, attempts

    def add_comment(
        self,
        instance: str | None,
        key: str,
        text: str,
        *,
        ctx: ActionContext | None = None,
    ) -> str:
        """Comment *text* on issue *key* of *instance*; the comment's id.

        The controller calls this on a request's state changes. A comment
        is not idempotent: an attempt whose answer was lost may leave the
        comment twice, which is better than leaving it out.
        """
        ctx = ctx or service_context("jira-comment", key=key)
        client = self.client(instance)
        comment_id, _ = run_attempts(
            ctx, lambda one: client.add_comment(key, text, ctx=one)
        )
        return comment_id

    def _http(self) -> HttpSender:
        return self._sender or default_sender()
