"""Run the slash commands of a pull-request comment.

Called for each new ``issue_comment`` on the requests repo. A comment
counts when it was just created, on a pull request pao manages (it holds
requests pao recorded, or touches ``requests/``), by a person: never a
bot, and never pao itself. pao reacts with 👀 on receipt, checks that the
commenter may act (the pull request's author, a member of an owner team
of its requests, or a configured admin), then runs each command on the
pull request's requests through :mod:`pao.reconcilers.commands` (which
holds a per-request lock, so two quick ``/retry`` run once) and replies
with what happened — or why nothing did. Closed and merged pull requests
take commands too: that is where failed requests are retried.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog

from pao.reconcilers import commands
from pao.reconcilers.commands import CommandOutcome, Escalator
from pao.reconcilers.pull_context import PullContext
from pao.reconcilers.pull_records import records_of_pull
from pao.reconcilers.pull_requests import PullRequestReconciler, changed_request_files
from pao.reconcilers.slash_commands import HELP, SlashCommand, parse_commands
from pao.store import RequestRecord

__all__ = ["CommandRunner", "CommentEvent", "is_bot"]

logger = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class CommentEvent:
    """The parts of an ``issue_comment`` delivery the runner reads."""

    action: str
    number: int
    is_pull: bool
    comment_id: int
    body: str
    commenter: str
    commenter_type: str
    pull_author: str

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> CommentEvent:
        issue = payload.get("issue") or {}
        comment = payload.get("comment") or {}
        user = comment.get("user") or {}
        return cls(
            action=str(payload.get("action") or ""),
            number=int(issue.get("number") or 0),
            is_pull=bool(issue.get("pull_request")),
            comment_id=int(comment.get("id") or 0),
            body=str(comment.get("body") or ""),
            commenter=str(user.get("login") or ""),
            commenter_type=str(user.get("type") or ""),
            pull_author=str((issue.get("user") or {}).get("login") or ""),
        )


def is_bot(login: str, user_type: str, *, own_login: str) -> bool:
    """Whether a comment's author is a bot (or pao itself)."""
    return (
        user_type == "Bot"
        or login.lower().endswith("[bot]")
        or login.lower() == own_login.lower()
    )


class CommandRunner:
    """Answers the commands in one pull request's comments."""

    def __init__(
        self,
        ctx: PullContext,
        *,
        reconciler: PullRequestReconciler,
        escalator: Callable[[], Escalator | None] = lambda: None,
    ) -> None:
        self.ctx = ctx
        self.reconciler = reconciler
        self.escalator = escalator

    def handle(self, event: CommentEvent) -> list[str]:
        """Run the commands of *event*; returns the replies posted."""
        if event.action != "created" or not event.is_pull:
            return []
        found = parse_commands(event.body)
        own = self.ctx.github.login()
        if not found or is_bot(event.commenter, event.commenter_type, own_login=own):
            return []
        records = list(records_of_pull(self.ctx.store, event.number))
        if not records and not self._touches_requests(event.number):
            return []
        self.ctx.repo.add_reaction(event.comment_id, "eyes")
        refusal = self._refusal(event, records)
        if refusal is not None:
            self.ctx.repo.create_comment(event.number, refusal)
            return [refusal]
        replies = [self._run(event, command, records) for command in found]
        body = "\n\n".join(replies)
        self.ctx.repo.create_comment(event.number, body)
        return replies

    def _touches_requests(self, number: int) -> bool:
        return bool(changed_request_files(self.ctx.repo.list_pull_files(number)))

    def _refusal(self, event: CommentEvent, records: list[RequestRecord]) -> str | None:
        user = event.commenter
        if user.lower() == event.pull_author.lower():
            return None
        teams = sorted({r.owner_team for r in records if r.owner_team})
        if any(self.ctx.github.is_team_member(team, user) for team in teams):
            return None
        if self.ctx.github.is_admin(user):
            return None
        allowed = [f"the pull request's author (@{event.pull_author})"]
        allowed += [f"members of @{team}" for team in teams]
        admins = self.ctx.github.admins
        if admins:
            allowed.append("pao admins (" + ", ".join(f"@{a}" for a in admins) + ")")
        return (
            f"@{user} you may not run pao commands on this pull request. Allowed: "
            + _listing(allowed)
            + "."
        )

    def _run(
        self, event: CommentEvent, command: SlashCommand, records: list[RequestRecord]
    ) -> str:
        log = logger.bind(pull=event.number, command=command.name, by=event.commenter)
        log.info("pull_request_command")
        if command.name == "help":
            return HELP
        if command.name == "plan":
            plan = self.reconciler.sync(event.number)
            return "`/plan`: " + ("plan refreshed." if plan else "nothing to plan.")
        if command.name == "status":
            return _status_reply(records)
        if not records:
            return f"`/{command.name}`: this pull request has no recorded requests."
        lines = [f"`/{command.name}`:"]
        for record in sorted(records, key=lambda r: r.path):
            try:
                message = self._decide(event, command, record).message
            except Exception as exc:
                # The request stays as it was; the person can try again.
                log.exception("pull_request_command_failed", request_id=record.id)
                message = f"could not {command.name}: {type(exc).__name__}: {exc}"
            lines.append(f"- `{record.item_id}/{record.name}`: {message}")
        return "\n".join(lines)

    def _decide(
        self, event: CommentEvent, command: SlashCommand, record: RequestRecord
    ) -> CommandOutcome:
        actor = f"github:{event.commenter}"
        store = self.ctx.store
        if command.name == "retry":
            item = self.ctx.item(record.item_id)
            if item is None:
                message = f"catalog item {record.item_id} is not in the catalog"
                return CommandOutcome(False, message, record)
            outcome = commands.retry(
                store, record, item, actor=actor, action_id=command.first_word
            )
            if outcome.ok:
                self.ctx.wake()
            return outcome
        reason = command.argument or None
        if command.name == "abort":
            return commands.abort(store, record, actor=actor, reason=reason)
        return commands.escalate(
            store, record, actor=actor, reason=reason, escalator=self.escalator()
        )


def _status_reply(records: list[RequestRecord]) -> str:
    if not records:
        return "`/status`: this pull request has no recorded requests."
    lines = ["`/status`:"]
    for record in sorted(records, key=lambda r: r.path):
        phase = record.status.value.replace("_", " ")
        line = f"- `{record.item_id}/{record.name}`: {phase}"
        key = (record.escalation or {}).get("key")
        if key:
            line += f" ({key})"
        lines.append(line)
    return "\n".join(lines)


def _listing(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " or " + parts[-1]
