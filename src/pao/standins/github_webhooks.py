"""Signs and sends the GitHub stand-in's webhooks, and misbehaves on request.

Every delivery carries GitHub's headers (``X-GitHub-Event``,
``X-GitHub-Delivery``, ``X-GitHub-Hook-ID``, ``X-GitHub-Hook-Installation-
Target-*``, ``User-Agent: GitHub-Hookshot/…``) and, given a secret,
``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`` (plus the
legacy SHA-1 ``X-Hub-Signature``). Deliveries go out from the stand-in's
worker thread, never from a request handler.

Test controls: ``drop_next`` loses deliveries, ``hold``/``release``
delivers them late and in any order, ``redeliver`` sends one again with the
same delivery id, as GitHub's "Redeliver" button does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pao.standins.base import Delivery, Standin, StandinNotServing

__all__ = ["HookDelivery", "WebhookDriver", "github_signature"]

HookState = Literal["sent", "held", "dropped", "unsent"]
_USER_AGENT = "GitHub-Hookshot/standin"


def github_signature(secret: str, body: bytes, digest: str = "sha256") -> str:
    """GitHub's ``X-Hub-Signature-256`` (or, with sha1, ``X-Hub-Signature``)."""
    mac = hmac.new(secret.encode(), body, getattr(hashlib, digest)).hexdigest()
    return f"{digest}={mac}"


@dataclass
class HookDelivery:
    """One webhook the stand-in built, and what became of it."""

    guid: str
    event: str
    action: str | None
    body: bytes
    headers: dict[str, str]
    state: HookState
    redelivery: bool = False
    transport: Delivery | None = field(default=None, repr=False)

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    @property
    def status_code(self) -> int | None:
        """The receiver's status, once it answered."""
        return self.transport.status_code if self.transport else None

    def wait(self, timeout: float = 5.0) -> bool:
        """Wait until the receiver answered; False if it was never sent."""
        return self.transport is not None and self.transport.done.wait(timeout)


@dataclass
class _DropRule:
    event: str | None
    action: str | None
    count: int

    def matches(self, event: str, action: str | None) -> bool:
        return self.event in (None, event) and self.action in (None, action)


class WebhookDriver:
    """Builds, signs and sends deliveries to ``url`` through a stand-in."""

    def __init__(
        self,
        standin: Standin,
        *,
        url: str | None = None,
        secret: str | None = None,
        hook_id: int = 1,
    ) -> None:
        self.standin = standin
        self.url = url
        self.secret = secret
        self.hook_id = hook_id
        self._lock = threading.Lock()
        self._log: list[HookDelivery] = []
        self._drops: list[_DropRule] = []
        self._holding = False

    # -- sending -----------------------------------------------------------------

    def emit(self, event: str, payload: dict[str, Any]) -> HookDelivery:
        """Deliver *payload* as *event*, unless held or dropped."""
        body = json.dumps(payload).encode()
        guid = str(uuid.uuid4())
        delivery = HookDelivery(
            guid=guid,
            event=event,
            action=payload.get("action"),
            body=body,
            headers=self._headers(event, guid, body, payload),
            state="unsent",
        )
        with self._lock:
            self._log.append(delivery)
            if self._take_drop(event, delivery.action):
                delivery.state = "dropped"
                return delivery
            if self._holding:
                delivery.state = "held"
                return delivery
        self._send(delivery)
        return delivery

    def _headers(
        self, event: str, guid: str, body: bytes, payload: dict[str, Any]
    ) -> dict[str, str]:
        repository = payload.get("repository") or {}
        headers = {
            "Accept": "*/*",
            "Content-Type": "application/json",
            "User-Agent": _USER_AGENT,
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": guid,
            "X-GitHub-Hook-ID": str(self.hook_id),
            "X-GitHub-Hook-Installation-Target-Type": "repository",
            "X-GitHub-Hook-Installation-Target-ID": str(repository.get("id", "")),
        }
        if self.secret is not None:
            headers["X-Hub-Signature"] = github_signature(self.secret, body, "sha1")
            headers["X-Hub-Signature-256"] = github_signature(self.secret, body)
        return headers

    def _send(self, delivery: HookDelivery) -> None:
        if self.url is None:
            return
        try:
            delivery.transport = self.standin.deliver(
                self.url, delivery.body, delivery.headers
            )
        except StandinNotServing:
            # Built while the stand-in was down (e.g. during set-up): kept
            # as "unsent", for a test to inspect or redeliver later.
            return
        delivery.state = "sent"

    def _take_drop(self, event: str, action: str | None) -> bool:
        for rule in self._drops:
            if rule.matches(event, action):
                rule.count -= 1
                if rule.count <= 0:
                    self._drops.remove(rule)
                return True
        return False

    # -- test controls -----------------------------------------------------------

    def drop_next(
        self, *, event: str | None = None, action: str | None = None, count: int = 1
    ) -> None:
        """Lose the next *count* deliveries of *event* (and *action*)."""
        with self._lock:
            self._drops.append(_DropRule(event, action, count))

    def hold(self) -> None:
        """Keep new deliveries back until ``release``."""
        with self._lock:
            self._holding = True

    def release(
        self, order: Literal["arrival", "reverse"] | Sequence[str] = "arrival"
    ) -> list[HookDelivery]:
        """Send the held deliveries in arrival order, reversed, or in the
        order of the delivery ids given (ids not named stay held)."""
        with self._lock:
            held = [d for d in self._log if d.state == "held"]
            if order == "reverse":
                chosen = held[::-1]
            elif order == "arrival":
                chosen = held
            else:
                by_id = {d.guid: d for d in held}
                chosen = [by_id[guid] for guid in order]
            self._holding = len(chosen) < len(held)
        for delivery in chosen:
            self._send(delivery)
        return chosen

    def redeliver(self, guid: str) -> HookDelivery:
        """Send delivery *guid* again, same id and body (a duplicate)."""
        with self._lock:
            original = next(d for d in self._log if d.guid == guid)
            again = HookDelivery(
                guid=original.guid,
                event=original.event,
                action=original.action,
                body=original.body,
                headers=dict(original.headers),
                state="unsent",
                redelivery=True,
            )
            self._log.append(again)
        self._send(again)
        return again

    def deliveries(
        self, event: str | None = None, action: str | None = None
    ) -> list[HookDelivery]:
        """Every delivery built so far (optionally of one event/action)."""
        with self._lock:
            return [
                d
                for d in self._log
                if event in (None, d.event) and action in (None, d.action)
            ]

    def wait_sent(self, timeout: float = 5.0) -> bool:
        """Wait until every sent delivery was answered (or failed)."""
        deadline = time.monotonic() + timeout
        for delivery in self.deliveries():
            if delivery.transport is None:
                continue
            if not delivery.transport.done.wait(max(0.0, deadline - time.monotonic())):
                return False
        return True

    def clear(self) -> None:
        with self._lock:
            self._log.clear()
            self._drops.clear()
            self._holding = False
