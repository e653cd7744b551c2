"""Fixtures: a fake GitHub served on 127.0.0.1, and clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.types import Receive, Scope, Send

from forge.github.fake_github import FakeGitHub
from openapi_check import load_openapi
from pao.forge.github import GitHub, GitHubRepo, TokenCredentials, Transport
from pao.standins.runner import serve_app

TOKEN = "ghp_" + "s3cr3t" * 4


class _Dispatch:
    """One server for the session, answering with the current test's fake."""

    def __init__(self) -> None:
        self.current: FakeGitHub | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.current is not None
        await self.current.app(scope, receive, send)


@pytest.fixture(scope="session")
def _served() -> Iterator[tuple[_Dispatch, str]]:
    dispatch = _Dispatch()
    with serve_app(dispatch, name="fake-github") as server:
        yield dispatch, server.url


@pytest.fixture
def openapi(fixtures_dir: Path) -> dict[str, Any]:
    return load_openapi(fixtures_dir)


@pytest.fixture
def fake(
    _served: tuple[_Dispatch, str], openapi: dict[str, Any]
) -> Iterator[FakeGitHub]:
    dispatch, url = _served
    fake = FakeGitHub(openapi)
    fake.served_by(url)
    dispatch.current = fake
    yield fake
    dispatch.current = None
    assert fake.problems == [], "calls or answers that do not fit GitHub's schemas"


class Sleeps(list[float]):
    """A ``sleep`` that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_transport(fake: FakeGitHub, sleeps: Sleeps, **options: Any) -> Transport:
    options.setdefault("credentials", TokenCredentials(TOKEN))
    return Transport(api_url=fake.url, write_interval=0.0, sleep=sleeps, **options)


@pytest.fixture
def transport(fake: FakeGitHub, sleeps: Sleeps) -> Transport:
    return make_transport(fake, sleeps)


@pytest.fixture
def github(transport: Transport) -> GitHub:
    return GitHub(transport, admins=("acme/platform-admins",))


@pytest.fixture
def repo(github: GitHub) -> GitHubRepo:
    return github.repo("acme/platform-requests")


@pytest.fixture(scope="session")
def app_key() -> tuple[str, str]:
    """A private key (PEM) for a test GitHub App, and its public key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode()
    )
    return private, public
