"""Sending an action's HTTP call: retries, circuit breaking, error mapping.

Every executor sends through an :class:`HttpSender`. Per attempt it checks
the run is still live, builds the request afresh (so a signature can carry
a fresh timestamp), passes it through the target host's circuit breaker,
reads a bounded answer and maps what happened to the action errors. The
retry loop around it comes from :mod:`pao.actions.http.retrying`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import httpx

from pao import __version__
from pao.actions.context import ActionContext
from pao.actions.errors import (
    ActionError,
    ActionTimeout,
    PermanentActionError,
    TransientActionError,
)
from pao.actions.http.circuits import Circuits
from pao.actions.http.replies import (
    HttpReply,
    StatusCheck,
    is_success,
    judge_reply,
    read_reply,
)
from pao.actions.http.retrying import retrying_for
from pao.actions.masking import mask_url

__all__ = [
    "IDEMPOTENCY_HEADER",
    "HttpSender",
    "OutgoingRequest",
    "close_default_sender",
    "default_sender",
    "new_client",
]

# The header carrying the run's idempotency key, as proposed by the IETF
# httpapi working group and accepted by Stripe-style APIs.
IDEMPOTENCY_HEADER = "Idempotency-Key"

QueryParams = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingRequest:
    """The parts of one HTTP call, before the client turns them into one."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    params: QueryParams = field(default_factory=dict)
    content: bytes | None = None


RequestSource = OutgoingRequest | Callable[[], OutgoingRequest]


def new_client() -> httpx.Client:
    """A client fit for action calls: pooled, no proxies from the environment.

    ``trust_env=False`` keeps environment proxies (and .netrc credentials)
    out of calls that carry secrets. Redirects are not followed: a
    redirected POST is a config mistake better reported than guessed at.
    """
    return httpx.Client(
        trust_env=False,
        follow_redirects=False,
        headers={"User-Agent": f"pao/{__version__}"},
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
    )


class HttpSender:
    """Sends action calls with retries and per-host circuit breakers."""

    def __init__(self, *, client: httpx.Client, circuits: Circuits) -> None:
        self.client = client
        self.circuits = circuits

    def send(
        self,
        source: RequestSource,
        *,
        ctx: ActionContext,
        expected: StatusCheck = is_success,
    ) -> HttpReply:
        """Send until an expected answer, a permanent error or the retry
        policy's end; the reply or error says how many attempts it took."""
        build = source if callable(source) else (lambda: source)
        retrying = retrying_for(ctx)
        attempts = 0
        try:
            for attempt in retrying:
                with attempt:
                    attempts = attempt.retry_state.attempt_number
                    reply = self._attempt(
                        build, attempt=attempts, ctx=ctx, expected=expected
                    )
        except ActionError as exc:
            exc.attempts = max(attempts, 1)
            exc.apply_mask(ctx.masker)
            raise
        return replace(reply, attempts=attempts)

    def _attempt(
        self,
        build: Callable[[], OutgoingRequest],
        *,
        attempt: int,
        ctx: ActionContext,
        expected: StatusCheck,
    ) -> HttpReply:
        ctx.check_live()
        request = self._build(build(), timeout=_call_timeout(ctx, attempt), ctx=ctx)
        masked_url = mask_url(str(request.url), ctx.masker)
        origin = _origin(request.url)
        return self.circuits.call(
            origin,
            lambda: self._exchange(request, masked_url, ctx=ctx, expected=expected),
        )

    def _build(
        self,
        outgoing: OutgoingRequest,
        *,
        timeout: float,
        ctx: ActionContext,
    ) -> httpx.Request:
        try:
            url = httpx.URL(outgoing.url)
            if outgoing.params:
                # Passing params to httpx replaces the URL's own query; a
                # URL from the config may carry one, so merge instead.
                url = url.copy_merge_params(_plain_params(outgoing.params))
            return self.client.build_request(
                outgoing.method,
                url,
                headers=dict(outgoing.headers),
                content=outgoing.content,
                timeout=httpx.Timeout(timeout),
            )
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
            shown = mask_url(outgoing.url, ctx.masker)
            message = f"cannot send {outgoing.method} to {shown}: {exc}"
            raise PermanentActionError(message, method=outgoing.method) from None

    def _exchange(
        self,
        request: httpx.Request,
        masked_url: str,
        *,
        ctx: ActionContext,
        expected: StatusCheck,
    ) -> HttpReply:
        started = time.monotonic()
        reply = self._fetch(request, masked_url, ctx)
        ctx.logger.info(
            "action call answered",
            method=reply.method,
            url=masked_url,
            status=reply.status,
            elapsed_ms=round((time.monotonic() - started) * 1000),
        )
        judge_reply(reply, expected)
        return reply

    def _fetch(
        self,
        request: httpx.Request,
        masked_url: str,
        ctx: ActionContext,
    ) -> HttpReply:
        method = request.method
        try:
            response = self.client.send(request, stream=True)
            try:
                return read_reply(response, masked_url=masked_url, masker=ctx.masker)
            finally:
                response.close()
        except httpx.TimeoutException as exc:
            message = f"{method} {masked_url} did not answer in time ({_name(exc)})"
            raise ActionTimeout(message, method=method, url=masked_url) from exc
        except httpx.UnsupportedProtocol as exc:
            message = f"{method} {masked_url} cannot be sent: {exc}"
            raise PermanentActionError(message, method=method, url=masked_url) from exc
        except httpx.TransportError as exc:
            message = f"{method} {masked_url} failed: {_name(exc)}"
            raise TransientActionError(message, method=method, url=masked_url) from exc


def _call_timeout(ctx: ActionContext, attempt: int) -> float:
    # Share the time left among the attempts left, so that a target that
    # hangs on one call still leaves time for the retries.
    attempts_left = max(ctx.retry.max_attempts - attempt + 1, 1)
    return max(ctx.remaining() / attempts_left, 0.001)


def _origin(url: httpx.URL) -> str:
    port = url.port or {"http": 80, "https": 443}.get(url.scheme, 0)
    return f"{url.scheme}://{url.host}:{port}"


def _plain_params(params: QueryParams) -> dict[str, str | list[str]]:
    return {k: v if isinstance(v, str) else list(v) for k, v in params.items()}


def _name(exc: Exception) -> str:
    detail = str(exc)
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


_default: HttpSender | None = None
_default_lock = threading.Lock()


def default_sender() -> HttpSender:
    """The process-wide sender: one pooled client, one set of circuits."""
    global _default  # noqa: PLW0603 - a lazily built process singleton
    with _default_lock:
        if _default is None:
            _default = HttpSender(client=new_client(), circuits=Circuits())
        return _default


def close_default_sender() -> None:
    """Close the process-wide client (at shutdown); a later call makes anew."""
    global _default  # noqa: PLW0603 - a lazily built process singleton
    with _default_lock:
        if _default is not None:
            _default.client.close()
            _default = None
