"""Secrets never show in errors or recorded responses."""

from __future__ import annotations

from typing import Any

import pytest

from actions.scripted import Reply, ScriptedTarget
from pao.actions import (
    ActionContext,
    ActionError,
    RestApiExecutor,
    SecretMasker,
    mask_data,
    mask_headers,
    mask_url,
)
from pao.actions.http import HttpSender

TOKEN = "s3cr3t-token-value"


class TestSecretMasker:
    def test_masks_plain_values(self) -> None:
        """Every occurrence of every secret becomes ***."""
        masker = SecretMasker(["abc123", "xyz"])

        assert masker("abc123 and xyz, abc123") == "*** and ***, ***"

    def test_masks_percent_and_json_encoded_forms(self) -> None:
        """A secret survives neither URL nor JSON encoding."""
        masker = SecretMasker(['p@ss w/"q"'])

        assert masker("?pw=p%40ss%20w%2F%22q%22") == "?pw=***"
        assert masker("?pw=p%40ss+w%2F%22q%22") == "?pw=***"
        assert masker('{"pw": "p@ss w/\\"q\\""}') == '{"pw": "***"}'

    def test_longest_secret_wins(self) -> None:
        """A secret containing another is masked whole."""
        masker = SecretMasker(["abc", "abcdef"])

        assert masker("abcdef") == "***"

    def test_without_secrets_text_is_unchanged(self) -> None:
        """An empty masker (and empty secrets) change nothing."""
        assert SecretMasker(["", ""])("nothing here") == "nothing here"

    def test_with_secrets_adds_to_the_known_ones(self) -> None:
        """Derived maskers keep the original secrets."""
        masker = SecretMasker(["one"]).with_secrets(["two"])

        assert masker("one two") == "*** ***"

    def test_repr_shows_no_secret(self) -> None:
        """The repr counts secrets without showing them."""
        assert repr(SecretMasker(["abc"])) == "SecretMasker(<1 secrets>)"


def test_mask_url_hides_password_and_credential_query_values() -> None:
    masked = mask_url(
        "https://bot:pw@api.example/v1?api_key=k1&region=eu&access_token=t",
        SecretMasker([]),
    )

    assert (
        masked
        == "https://bot:***@api.example/v1?api_key=***&region=eu&access_token=***"
    )


def test_mask_headers_hides_credential_headers_and_lowercases_names() -> None:
    headers = [
        ("Set-Cookie", "session=abc"),
        ("X-Auth-Token", "t"),
        ("Content-Type", "application/json"),
        ("X-Echo", TOKEN),
    ]

    masked = mask_headers(headers, SecretMasker([TOKEN]))

    assert masked == {
        "set-cookie": "***",
        "x-auth-token": "***",
        "content-type": "application/json",
        "x-echo": "***",
    }


def test_mask_data_masks_nested_strings_and_keys() -> None:
    data: Any = {"a": [TOKEN, {"k": f"Bearer {TOKEN}"}], TOKEN: 1, "n": 5}

    masked = mask_data(data, SecretMasker([TOKEN]))

    assert masked == {"a": ["***", {"k": "Bearer ***"}], "***": 1, "n": 5}


@pytest.fixture
def executor(sender: HttpSender) -> RestApiExecutor:
    return RestApiExecutor(sender=sender)


def leaky_config(target: ScriptedTarget) -> dict[str, Any]:
    return {
        "method": "POST",
        "url": f"{target.url}/leak?token={TOKEN}",
        "headers": {"X-Secret": TOKEN},
        "body": {"password": TOKEN},
        "auth": {"type": "bearer", "token": TOKEN},
    }


@pytest.mark.parametrize("status", [400, 401, 500])
def test_secret_in_headers_url_and_echoed_body_never_reaches_the_error(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext, status: int
) -> None:
    echo = {"received": {"x-secret": TOKEN, "auth": f"Bearer {TOKEN}"}}
    target.script("/leak", *[Reply(status, json=echo)] * 3)

    with pytest.raises(ActionError) as caught:
        executor.execute(leaky_config(target), ctx)

    error = caught.value
    assert TOKEN not in str(error)
    assert TOKEN not in repr(error)
    assert TOKEN not in (error.url or "")
    assert "Bearer ***" in str(error)
    assert "token=***" in str(error)


def test_secret_unknown_to_the_engine_is_masked_when_it_is_a_credential(
    target: ScriptedTarget,
    executor: RestApiExecutor,
    make_ctx: Any,
) -> None:
    ctx = make_ctx(masker=SecretMasker([]))
    config = {
        "url": target.url + "/leak",
        "auth": {"type": "api-key", "header": "X-Key", "value": "literal-key-42"},
    }
    target.script("/leak", Reply(403, text="key literal-key-42 is revoked"))

    with pytest.raises(ActionError) as caught:
        executor.execute(config, ctx)

    assert "literal-key-42" not in str(caught.value)


def test_recorded_response_is_masked(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script(
        "/leak",
        Reply(200, json={"token": TOKEN}, headers={"X-Echo": f"t={TOKEN}"}),
    )

    result = executor.execute(leaky_config(target), ctx)

    assert result.response is not None
    assert result.response["body"] == {"token": "***"}
    assert result.response["headers"]["x-echo"] == "t=***"
    assert TOKEN not in str(result.to_dict())
