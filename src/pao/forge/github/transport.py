"""Every HTTP call pao makes to GitHub's REST API goes through here.

PyGithub's ``Requester`` does the HTTP work: authentication headers (a
token, or an app's JWT), GitHub Enterprise base URLs, redirects and the
``202 Accepted`` dance. pao does not use PyGithub's object layer: it gives
no conditional requests for lists, and its retry class resends POSTs after
a 5xx (a second comment, a second check run). Instead :class:`Transport`
adds, in one place:

- rate limits: on a limit response, wait as GitHub asks when that is at
  most ``max_rate_wait`` seconds, else raise :class:`GitHubRateLimited`
  with the wait so the controller can reschedule;
- conditional GETs: ``If-None-Match`` from an :class:`ETagCache`, the
  cached body replayed on ``304`` (which costs no quota);
- transient faults: GETs are tried again after a 502/503/504 or a broken
  connection; writes never are, since their outcome is then unknown;
- a renewed installation token after a ``401``;
- errors converted to :mod:`pao.forge.github.errors`.

PyGithub's connection object keeps per-request state, so each thread gets
its own requester.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import structlog
from github import Github
from github.Auth import Auth
from github.Requester import Requester

from pao.forge.github.errors import (
    GitHubError,
    GitHubUnavailable,
    error_for_status,
)
from pao.forge.github.etag import CachedResponse, ETagCache
from pao.forge.github.ratelimit import Quota, quota_from_headers, wait_for

__all__ = ["API_VERSION", "Credentials", "Response", "Transport", "next_link"]

logger = structlog.get_logger(__name__)

# PyGithub's requester logs every response body at debug level, and the
# answer to an installation-token request holds the token. pao logs its
# own calls (without bodies) instead.
logging.getLogger("github.Requester").setLevel(logging.INFO)

API_VERSION = "2022-11-28"
USER_AGENT = "pao"
PAGE_SIZE = 100
_ACCEPT = "application/vnd.github+json"
_TRANSIENT = frozenset({502, 503, 504})
_GET_ATTEMPTS = 3


class Credentials(Protocol):
    """How the transport authenticates, and renews after a 401."""

    @property
    def auth(self) -> Auth: ...

    def renew(self) -> bool:
        """Forget a cached token; ``True`` when asking again may succeed."""
        ...


@dataclass(frozen=True, slots=True)
class Response:
    """A successful answer: status, lower-case headers and decoded JSON."""

    status: int
    headers: Mapping[str, str]
    data: Any
    cached: bool = False


def next_link(link: str | None) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, if any."""
    for part in (link or "").split(","):
        url, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", ""):
            return url.strip().strip("<>")
    return None


def _decode(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _label(method: str, url: str) -> str:
    """``METHOD /path`` for messages and logs: no host, no query."""
    return f"{method} {urlsplit(url).path}"


class Transport:
    """A GitHub REST endpoint with pao's retry, quota and cache rules."""

    def __init__(
        self,
        *,
        api_url: str,
        credentials: Credentials,
        timeout: float = 30.0,
        user_agent: str = USER_AGENT,
        write_interval: float = 1.0,
        max_rate_wait: float = 60.0,
        rate_retries: int = 2,
        etags: ETagCache | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.credentials = credentials
        self.max_rate_wait = max_rate_wait
        self.rate_retries = rate_retries
        self.etags = etags if etags is not None else ETagCache()
        self.quota: Quota | None = None
        self._sleep = sleep
        self._clock = clock
        self._settings: dict[str, Any] = {
            "base_url": self.api_url,
            "timeout": math.ceil(timeout),
            "user_agent": user_agent,
            "per_page": PAGE_SIZE,
            # Retries are ours (see the module docstring), never urllib3's.
            "retry": None,
            "seconds_between_requests": None,
            # GitHub asks integrators to space out writes by about a second
            # to stay clear of the secondary rate limit.
            "seconds_between_writes": write_interval or None,
            "api_version": API_VERSION,
            "lazy": True,
        }
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"Transport({self.api_url!r})"

    # -- public calls ------------------------------------------------------

    def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        conditional: bool = False,
    ) -> Response:
        return self.request("GET", path, params=params, conditional=conditional)

    def paginate(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        conditional: bool = False,
        key: str | None = None,
    ) -> Iterator[Any]:
        """Every item of a list endpoint, following ``Link: rel="next"``.

        *key* names the list inside an object response (``check_runs``).
        """
        url: str | None = path
        query: Mapping[str, Any] | None = {**(params or {}), "per_page": PAGE_SIZE}
        while url is not None:
            response = self.get(url, params=query, conditional=conditional)
            items = response.data.get(key, []) if key else response.data
            yield from items or ()
            url, query = next_link(response.headers.get("link")), None

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        conditional: bool = False,
    ) -> Response:
        """Send one call; *path* is relative to the API URL or absolute."""
        key = self._cache_key(path, params) if conditional else None
        budget = _Budget()
        while True:
            cached = self.etags.get(key) if key else None
            status, headers, text = self._send(
                method, path, params=params, body=body, etag=cached
            )
            if status == 304 and cached is not None and key is not None:
                return self._replay(cached, headers)
            if 200 <= status < 300:
                self._remember(key, headers, text)
                return Response(status, headers, _decode(text))
            failure = _Failure(method, path, status, headers, _decode(text))
            self._sleep(self._retry_delay(failure, budget))

    # -- steps -------------------------------------------------------------

    def _requester(self) -> Requester:
        requester: Requester | None = getattr(self._local, "requester", None)
        if requester is None:
            client = Github(auth=self.credentials.auth, **self._settings)
            requester = client.requester
            self._local.requester = requester
        return requester

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None,
        body: Any,
        etag: CachedResponse | None,
    ) -> tuple[int, dict[str, str], str]:
        headers = {"Accept": _ACCEPT}
        if etag is not None:
            headers["If-None-Match"] = etag.etag
        for attempt in range(1, _GET_ATTEMPTS + 1):
            try:
                status, raw, text = self._requester().requestJson(
                    method, path, dict(params) if params else None, headers, body
                )
            # requests' errors are OSErrors: refused, reset, timed out.
            except OSError as exc:
                if method != "GET" or attempt == _GET_ATTEMPTS:
                    raise _unreachable(method, path, exc) from exc
                self._sleep(_backoff(attempt))
                continue
            lowered = {str(k).lower(): str(v) for k, v in raw.items()}
            self._note(method, path, status, lowered)
            return status, lowered, text
        raise AssertionError("unreachable")  # pragma: no cover

    def _note(
        self, method: str, path: str, status: int, headers: dict[str, str]
    ) -> None:
        quota = quota_from_headers(headers)
        if quota is not None:
            self.quota = quota
        logger.debug(
            "github call",
            call=_label(method, path),
            status=status,
            remaining=quota.remaining if quota else None,
        )

    def _retry_delay(self, failure: _Failure, budget: _Budget) -> float:
        """How long to wait before sending *failure*'s call again; raises
        when it must not be sent again."""
        wait = wait_for(
            failure.status, failure.headers, failure.body, now=self._clock()
        )
        if wait is not None:
            if wait > self.max_rate_wait or budget.rate_waits >= self.rate_retries:
                raise failure.error(retry_after=wait)
            logger.warning("github rate limited", call=failure.label, wait=wait)
            budget.rate_waits += 1
            return wait
        if failure.status == 401 and not budget.renewed and self.credentials.renew():
            budget.renewed = True
            return 0.0
        transient = failure.method == "GET" and failure.status in _TRANSIENT
        if transient and budget.attempts < _GET_ATTEMPTS:
            budget.attempts += 1
            return _backoff(budget.attempts - 1)
        raise failure.error()

    def _cache_key(self, path: str, params: Mapping[str, Any] | None) -> str:
        query = urlencode(sorted((params or {}).items()))
        return f"{path}?{query}" if query else path

    def _remember(self, key: str | None, headers: Mapping[str, str], text: str) -> None:
        if key is None:
            return
        etag = headers.get("etag")
        if etag:
            self.etags.put(key, CachedResponse(etag, text, headers.get("link")))
            self.etags.record(hit=False)
        else:
            self.etags.discard(key)

    def _replay(self, cached: CachedResponse, headers: Mapping[str, str]) -> Response:
        self.etags.record(hit=True)
        replayed = dict(headers)
        if cached.link is not None:
            replayed["link"] = cached.link
        return Response(200, replayed, _decode(cached.body), cached=True)


@dataclass(slots=True)
class _Budget:
    """What one call has used of its retries so far."""

    attempts: int = 1
    rate_waits: int = 0
    renewed: bool = False


@dataclass(frozen=True, slots=True)
class _Failure:
    """A non-2xx answer, kept to decide on a retry and to build the error."""

    method: str
    path: str
    status: int
    headers: Mapping[str, str]
    body: Any

    @property
    def label(self) -> str:
        return _label(self.method, self.path)

    def error(self, *, retry_after: float | None = None) -> GitHubError:
        return error_for_status(
            self.status,
            self.body,
            action=self.label,
            request_id=self.headers.get("x-github-request-id"),
            retry_after=retry_after,
        )


def _backoff(attempt: int) -> float:
    return 0.5 * 2.0 ** (attempt - 1)


def _unreachable(method: str, path: str, exc: Exception) -> GitHubError:
    # requests' messages carry the URL, never the Authorization header.
    message = f"GitHub {_label(method, path)}: {type(exc).__name__}: {exc}"
    return GitHubUnavailable(message)
