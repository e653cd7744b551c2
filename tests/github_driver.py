"""Drive GitHub-side behaviour in tests: signed deliveries, app JWTs, examples.

``WebhookSender`` posts a delivery the way GitHub does (event, delivery id,
hook id, ``X-Hub-Signature-256``) to any receiver, e.g. pao's webhook
endpoint. Payloads come from GitHub's own examples in the shared fixtures,
adapted where the examples have gaps: ``merged_pull_request`` turns the
``closed`` example into a merge, ``pull_request_comment`` gives an
``issue_comment`` example the ``issue.pull_request`` links of a comment
on a pull request.

    sender = WebhookSender(url, secret="s3cret")
    payload = pull_request_comment(load_example(fixtures, "issue_comment",
                                                "created"), body="/retry")
    sender.send("issue_comment", payload)
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = [
    "WebhookSender",
    "app_jwt",
    "app_private_key",
    "key_paths",
    "load_example",
    "merged_pull_request",
    "pull_request_comment",
    "sign",
]

WEBHOOK_EXAMPLES = Path("github-webhooks")


@cache
def app_private_key() -> bytes:
    """One RSA key for the whole test session (generating one is slow)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def app_jwt(
    app_id: int | str,
    key: bytes | None = None,
    *,
    issued_at: float | None = None,
    lifetime: float = 540,
) -> str:
    """A GitHub App JWT as GitHub documents it (iat back-dated a minute)."""
    now = time.time() if issued_at is None else issued_at
    claims = {"iat": int(now - 60), "exp": int(now + lifetime), "iss": str(app_id)}
    return jwt.encode(claims, key or app_private_key(), algorithm="RS256")


def load_example(fixtures_dir: Path, event: str, name: str) -> dict[str, Any]:
    """``github-webhooks/<event>/<name>.payload.json`` from the fixtures."""
    path = fixtures_dir / WEBHOOK_EXAMPLES / event / f"{name}.payload.json"
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def merged_pull_request(
    closed: dict[str, Any], *, merge_commit_sha: str, merged_by: dict[str, Any]
) -> dict[str, Any]:
    """The ``closed`` example as GitHub sends it for a merged pull request."""
    payload = copy.deepcopy(closed)
    pull = payload["pull_request"]
    pull |= {
        "merged": True,
        "merged_at": pull["closed_at"],
        "merge_commit_sha": merge_commit_sha,
        "merged_by": merged_by,
    }
    return payload


def pull_request_comment(
    created: dict[str, Any], *, body: str | None = None
) -> dict[str, Any]:
    """An ``issue_comment`` example turned into a comment on a pull request."""
    payload = copy.deepcopy(created)
    issue = payload["issue"]
    api = issue["repository_url"]
    html = issue["html_url"].replace("/issues/", "/pull/")
    issue["pull_request"] = {
        "url": f"{api}/pulls/{issue['number']}",
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "merged_at": None,
    }
    if body is not None:
        payload["comment"]["body"] = body
    return payload


def key_paths(value: Any, prefix: str = "", depth: int = 2) -> set[str]:
    """The dotted key paths of *value* down to *depth* levels of objects."""
    if not isinstance(value, dict) or depth == 0:
        return set()
    paths = set()
    for key, child in value.items():
        path = f"{prefix}{key}"
        paths.add(path)
        paths |= key_paths(child, f"{path}.", depth - 1)
    return paths


def sign(secret: str, body: bytes) -> str:
    """``X-Hub-Signature-256`` for *body*."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WebhookSender:
    """Posts deliveries to *url* with GitHub's headers and signature."""

    def __init__(self, url: str, *, secret: str, hook_id: int = 1) -> None:
        self.url = url
        self.secret = secret
        self.hook_id = hook_id
        self.sent: list[tuple[str, str, bytes]] = []

    def headers(self, event: str, delivery_id: str, body: bytes) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/test-driver",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery_id,
            "X-GitHub-Hook-ID": str(self.hook_id),
            "X-Hub-Signature-256": sign(self.secret, body),
        }

    def send(
        self,
        event: str,
        payload: dict[str, Any],
        *,
        delivery_id: str | None = None,
    ) -> httpx.Response:
        """Deliver *payload* as *event*; returns the receiver's answer."""
        body = json.dumps(payload).encode()
        delivery_id = delivery_id or str(uuid.uuid4())
        self.sent.append((event, delivery_id, body))
        headers = self.headers(event, delivery_id, body)
        return httpx.post(self.url, content=body, headers=headers, timeout=10)

    def redeliver(self, index: int = -1) -> httpx.Response:
        """Send an earlier delivery again: same id, same body."""
        event, delivery_id, body = self.sent[index]
        headers = self.headers(event, delivery_id, body)
        return httpx.post(self.url, content=body, headers=headers, timeout=10)
