"""Calls to a vendor API, with its error bodies turned into plain words.

The shared sender says "POST ... answered 400"; a person fixing a catalog
item needs "Jira rejected the issue: summary: You must specify a summary".
:class:`VendorApi` sends through the sender and rewrites permanent errors
with the vendor's own explanation, read by a per-vendor ``explain``
function from the error body.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from pao.actions.attempts import rephrase
from pao.actions.context import ActionContext
from pao.actions.errors import (
    ActionAuthError,
    ActionError,
    PermanentActionError,
    TransientActionError,
)
from pao.actions.http import (
    HttpReply,
    HttpSender,
    OutgoingRequest,
    default_sender,
    is_success,
    parse_retry_after,
)
from pao.actions.http.replies import judge_reply

__all__ = ["Explain", "VendorApi", "json_object", "parse_excerpt"]

# Reads a vendor's error body (parsed JSON, or text) into a short phrase.
Explain = Callable[[Any], str | None]


@dataclass(frozen=True)
class VendorApi:
    """One vendor's API: its name for messages and how to read its errors.

    ``auth_hint`` tells the reader of a 401/403 which configuration holds
    the credentials.
    """

    vendor: str
    explain: Explain
    auth_hint: str
    sender: HttpSender | None = None
    rate_limits_with_403: bool = False

    def send(
        self,
        request: OutgoingRequest,
        *,
        ctx: ActionContext,
        what: str,
        secrets: Iterable[str] = (),
    ) -> HttpReply:
        """Send *request*; *what* names the call in errors ("create the
        issue"). *secrets* (the credentials used) are masked."""
        ctx = ctx.with_secrets(secrets)
        try:
            return self._send(request, ctx=ctx, what=what)
        except ActionError as exc:
            exc.apply_mask(ctx.masker)
            raise

    def call_json(
        self,
        method: str,
        url: str,
        *,
        token: str,
        headers: Mapping[str, str],
        media_type: str,
        ctx: ActionContext,
        what: str,
        params: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> dict[str, Any]:
        """Send *body* as JSON of *media_type* with a bearer *token*; the
        answer's JSON object ({} for 204 No Content)."""
        sent = dict(headers) | {"Authorization": f"Bearer {token}"}
        content = None
        if body is not None:
            sent["Content-Type"] = media_type
            content = json.dumps(body, ensure_ascii=False).encode()
        request = OutgoingRequest(
            method=method,
            url=url,
            headers=sent,
            params=dict(params or {}),
            content=content,
        )
        reply = self.send(request, ctx=ctx, what=what, secrets=[token])
        if reply.status == 204:
            return {}
        return json_object(reply, self.vendor)

    def _send(
        self, request: OutgoingRequest, *, ctx: ActionContext, what: str
    ) -> HttpReply:
        sender = self.sender or default_sender()
        try:
            if not self.rate_limits_with_403:
                return sender.send(request, ctx=ctx)
            reply = sender.send(request, ctx=ctx, expected=_success_or_403)
            _raise_if_rate_limited(reply)
            judge_reply(reply, is_success)
            return reply
        except ActionAuthError as exc:
            raise self._auth_error(exc, what) from None
        except TransientActionError:
            raise
        except PermanentActionError as exc:
            if exc.status is None:
                raise
            raise self._rejection(exc, what) from None

    def _rejection(self, exc: PermanentActionError, what: str) -> PermanentActionError:
        detail = self.explain(parse_excerpt(exc.body_excerpt))
        reason = f": {detail}" if detail else ""
        message = f"{self.vendor} could not {what} ({_status_text(exc.status)}){reason}"
        error = rephrase(exc, message)
        error.body_excerpt = None if detail else exc.body_excerpt
        return error

    def _auth_error(self, exc: ActionAuthError, what: str) -> ActionAuthError:
        detail = self.explain(parse_excerpt(exc.body_excerpt))
        status = _status_text(exc.status or 401)
        refused = (
            "refused access" if exc.status == 403 else "rejected pao's credentials"
        )
        message = f"{self.vendor} {refused} when trying to {what} ({status})"
        if detail:
            message += f": {detail}"
        error = rephrase(exc, f"{message}; {self.auth_hint}")
        error.body_excerpt = None
        return error


def _success_or_403(status: int) -> bool:
    return is_success(status) or status == 403


def _raise_if_rate_limited(reply: HttpReply) -> None:
    # GitHub answers 403 both for missing permissions and for its rate
    # limits; only the headers tell them apart.
    if reply.status != 403:
        return
    delay = parse_retry_after(reply.headers.get("retry-after"))
    exhausted = reply.headers.get("x-ratelimit-remaining") == "0"
    if delay is None and exhausted:
        delay = _until_reset(reply.headers.get("x-ratelimit-reset"))
    if delay is None and not exhausted:
        return
    message = f"{reply.method} {reply.url} answered 403: rate limited"
    raise TransientActionError(
        message,
        retry_after=delay,
        method=reply.method,
        url=reply.url,
        status=403,
        body_excerpt=reply.excerpt(),
    )


def _until_reset(reset: str | None) -> float | None:
    try:
        return max(0.0, float(reset or "") - time.time())
    except ValueError:
        return None


def parse_excerpt(excerpt: str | None) -> Any:
    """An error body excerpt as JSON when it parses, else the text."""
    if not excerpt:
        return None
    try:
        return json.loads(excerpt)
    except ValueError:
        return excerpt


def json_object(reply: HttpReply, vendor: str) -> dict[str, Any]:
    """The reply's body as a JSON object; anything else is a glitch worth
    another attempt (a proxy's error page, a cut-off answer)."""
    if isinstance(reply.body, Mapping):
        return dict(reply.body)
    message = (
        f"{vendor} answered {reply.method} {reply.url} with a body that is not"
        " a JSON object"
    )
    raise TransientActionError(
        message,
        method=reply.method,
        url=reply.url,
        status=reply.status,
        body_excerpt=reply.excerpt(),
    )


def _status_text(status: int | None) -> str:
    if status is None:
        return "no status"
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)
