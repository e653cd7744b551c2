"""Webhook signing and its verification."""

from __future__ import annotations

import hashlib
import hmac

from pao.actions.signing import (
    encode_webhook_body,
    sign_webhook,
    verify_webhook_signature,
)

BODY = b'{"a":1}'


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(b"key", b"1700000000." + BODY, hashlib.sha256).hexdigest()

    assert sign_webhook("key", "1700000000", BODY) == "sha256=" + expected


def test_signature_verifies_within_tolerance() -> None:
    signature = sign_webhook("key", "1700000000", BODY)

    assert verify_webhook_signature(
        "key", "1700000000", BODY, signature, now=1_700_000_100
    )


def test_stale_timestamp_fails_verification() -> None:
    signature = sign_webhook("key", "1700000000", BODY)

    assert not verify_webhook_signature(
        "key", "1700000000", BODY, signature, now=1_700_000_301
    )


def test_tampered_body_or_timestamp_fails_verification() -> None:
    signature = sign_webhook("key", "1700000000", BODY)

    assert not verify_webhook_signature(
        "key", "1700000000", b'{"a":2}', signature, tolerance=None
    )
    assert not verify_webhook_signature(
        "key", "1700000001", BODY, signature, tolerance=None
    )


def test_malformed_inputs_fail_verification() -> None:
    assert not verify_webhook_signature("key", "soon", BODY, "sha256=00")
    assert not verify_webhook_signature("key", "1", BODY, "", tolerance=None)


def test_body_encoding_is_compact_sorted_utf8() -> None:
    body = encode_webhook_body({"b": [1, 2], "a": "ü"})

    assert body == '{"a":"ü","b":[1,2]}'.encode()
