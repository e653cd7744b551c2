"""Verifying and parsing deliveries, without any server."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import urlencode

import pytest

from pao.api.webhooks_sansio import (
    PayloadInvalid,
    SignatureInvalid,
    SignatureMissing,
    WebhookNotConfigured,
    parse_github,
    parse_jira,
    parse_terraform,
    sign_github,
    sign_terraform,
)

SECRET = "It's a Secret to Everybody"
PUSH = json.dumps({"ref": "refs/heads/main", "after": "abc"}).encode()


def github_headers(body: bytes, **extra: str) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "x-hub-signature-256": sign_github(body, SECRET),
        **extra,
    }


class TestGitHub:
    def test_signature_matches_githubs_documented_example(self) -> None:
        """The digest GitHub's documentation gives for "Hello, World!"."""
        signature = sign_github(b"Hello, World!", SECRET)

        assert signature == (
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        )

    def test_signed_delivery_is_parsed(self) -> None:
        """Event, delivery id and payload come out of a verified delivery."""
        delivery = parse_github(github_headers(PUSH), PUSH, secret=SECRET)

        assert delivery.source == "github"
        assert delivery.event == "push"
        assert delivery.delivery_id == "72d3162e-cc78-11e3-81ab-4c9367dc0958"
        assert delivery.payload == {"ref": "refs/heads/main", "after": "abc"}
        assert delivery.body_sha256 == hashlib.sha256(PUSH).hexdigest()
        assert not delivery.is_ping

    def test_ping_is_marked(self) -> None:
        """``ping`` is an endpoint check."""
        headers = github_headers(b"{}", **{"x-github-event": "ping"})

        assert parse_github(headers, b"{}", secret=SECRET).is_ping

    def test_form_encoded_delivery_is_parsed(self) -> None:
        """The ``payload=`` form GitHub sends when so configured."""
        body = urlencode({"payload": PUSH.decode()}).encode()
        headers = github_headers(
            body, **{"content-type": "application/x-www-form-urlencoded"}
        )

        delivery = parse_github(headers, body, secret=SECRET)

        assert delivery.payload["after"] == "abc"

    def test_altered_body_fails(self) -> None:
        """One changed byte breaks the signature."""
        headers = github_headers(PUSH)

        with pytest.raises(SignatureInvalid):
            parse_github(headers, PUSH.replace(b"abc", b"abd"), secret=SECRET)

    def test_other_secret_fails(self) -> None:
        with pytest.raises(SignatureInvalid):
            parse_github(github_headers(PUSH), PUSH, secret="another")

    def test_sha1_signature_alone_is_not_enough(self) -> None:
        """The legacy ``X-Hub-Signature`` (SHA-1) is not accepted."""
        headers = github_headers(PUSH)
        del headers["x-hub-signature-256"]
        digest = hmac.new(SECRET.encode(), PUSH, hashlib.sha1).hexdigest()
        headers["x-hub-signature"] = f"sha1={digest}"

        with pytest.raises(SignatureMissing):
            parse_github(headers, PUSH, secret=SECRET)

    @pytest.mark.parametrize("secret", [None, ""])
    def test_no_secret_refuses_even_signed_deliveries(self, secret: str | None) -> None:
        """Without a secret nothing is accepted, signed or not."""
        with pytest.raises(WebhookNotConfigured, match="unsigned deliveries"):
            parse_github(github_headers(PUSH), PUSH, secret=secret)

    @pytest.mark.parametrize("header", ["x-github-event", "x-github-delivery"])
    def test_missing_header_after_valid_signature_is_invalid(self, header: str) -> None:
        headers = github_headers(PUSH)
        del headers[header]

        with pytest.raises(PayloadInvalid, match=header):
            parse_github(headers, PUSH, secret=SECRET)

    @pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff\xfe"])
    def test_body_that_is_not_a_json_object_is_invalid(self, body: bytes) -> None:
        with pytest.raises(PayloadInvalid):
            parse_github(github_headers(body), body, secret=SECRET)


class TestJira:
    BODY = json.dumps({"webhookEvent": "jira:issue_updated", "issue": {}}).encode()

    def test_signed_delivery_uses_the_atlassian_identifier(self) -> None:
        """Jira Cloud: ``X-Hub-Signature`` and the webhook identifier."""
        headers = {
            "x-hub-signature": sign_github(self.BODY, SECRET),
            "x-atlassian-webhook-identifier": "wh-123",
        }

        delivery = parse_jira(headers, self.BODY, secret=SECRET)

        assert delivery.event == "jira:issue_updated"
        assert delivery.delivery_id == "wh-123"

    def test_secret_in_url_is_accepted(self) -> None:
        """Jira Data Center cannot sign; the URL carries the secret."""
        delivery = parse_jira({}, self.BODY, secret=SECRET, url_secret=SECRET)

        assert delivery.delivery_id == (
            "sha256:" + hashlib.sha256(self.BODY).hexdigest()
        )

    def test_wrong_url_secret_fails(self) -> None:
        with pytest.raises(SignatureInvalid):
            parse_jira({}, self.BODY, secret=SECRET, url_secret="guess")

    def test_signature_is_checked_even_with_a_url_secret(self) -> None:
        """A right URL secret does not excuse a wrong signature."""
        headers = {"x-hub-signature": "sha256=00"}

        with pytest.raises(SignatureInvalid):
            parse_jira(headers, self.BODY, secret=SECRET, url_secret=SECRET)

    def test_neither_signature_nor_secret_fails(self) -> None:
        with pytest.raises(SignatureMissing):
            parse_jira({}, self.BODY, secret=SECRET)

    def test_no_secret_configured_refuses(self) -> None:
        with pytest.raises(WebhookNotConfigured):
            parse_jira({}, self.BODY, secret=None, url_secret="anything")

    def test_payload_without_event_is_invalid(self) -> None:
        body = b'{"issue": {}}'

        with pytest.raises(PayloadInvalid, match="webhookEvent"):
            parse_jira({}, body, secret=SECRET, url_secret=SECRET)


class TestTerraform:
    TOKEN = "notification-token"
    BODY = json.dumps(
        {
            "payload_version": 1,
            "run_id": "run-abc",
            "notifications": [{"trigger": "run:completed", "run_status": "applied"}],
        }
    ).encode()

    def test_signature_is_hex_hmac_sha512(self) -> None:
        expected = hmac.new(self.TOKEN.encode(), self.BODY, hashlib.sha512)

        assert sign_terraform(self.BODY, self.TOKEN) == expected.hexdigest()

    def test_signed_notification_is_parsed(self) -> None:
        headers = {
            "x-tfe-notification-signature": sign_terraform(self.BODY, self.TOKEN)
        }

        delivery = parse_terraform(headers, self.BODY, token=self.TOKEN)

        assert delivery.event == "run:completed"
        assert delivery.delivery_id.startswith("sha256:")
        assert not delivery.is_ping

    def test_verification_is_a_ping(self) -> None:
        body = json.dumps({"notifications": [{"trigger": "verification"}]}).encode()
        headers = {"x-tfe-notification-signature": sign_terraform(body, self.TOKEN)}

        assert parse_terraform(headers, body, token=self.TOKEN).is_ping

    def test_sha256_signature_is_not_accepted(self) -> None:
        """Only the HMAC-SHA512 Terraform sends verifies."""
        digest = hmac.new(self.TOKEN.encode(), self.BODY, hashlib.sha256)
        headers = {"x-tfe-notification-signature": digest.hexdigest()}

        with pytest.raises(SignatureInvalid):
            parse_terraform(headers, self.BODY, token=self.TOKEN)

    def test_missing_signature_fails(self) -> None:
        with pytest.raises(SignatureMissing):
            parse_terraform({}, self.BODY, token=self.TOKEN)

    def test_notification_without_trigger_is_invalid(self) -> None:
        body = b'{"notifications": []}'
        headers = {"x-tfe-notification-signature": sign_terraform(body, self.TOKEN)}

        with pytest.raises(PayloadInvalid):
            parse_terraform(headers, body, token=self.TOKEN)
