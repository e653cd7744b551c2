"""How action errors read."""

from __future__ import annotations

from pao.actions import (
    ActionAuthError,
    ActionCancelled,
    ActionError,
    ActionTimeout,
    CircuitOpen,
    InvalidActionConfig,
    PermanentActionError,
    SecretMasker,
    TransientActionError,
)


class TestActionError:
    def test_str_joins_message_and_body_excerpt(self) -> None:
        """The body excerpt follows the message."""
        error = PermanentActionError(
            "POST https://x/v1 answered 400 Bad Request", body_excerpt='{"e":1}'
        )

        assert (
            str(error)
            == 'POST https://x/v1 answered 400 Bad Request; response body: {"e":1}'
        )

    def test_str_without_excerpt_is_the_message(self) -> None:
        """No body, no suffix."""
        assert str(ActionError("boom")) == "boom"

    def test_repr_names_class_status_attempts_and_delay(self) -> None:
        """repr shows what the engine decides on."""
        error = TransientActionError("busy", status=503, retry_after=2.5)
        error.attempts = 3

        assert (
            repr(error)
            == "TransientActionError('busy', status=503, attempts=3, retry_after=2.5)"
        )

    def test_apply_mask_covers_every_text(self) -> None:
        """Message, URL and excerpt are all masked, and args follow."""
        error = ActionAuthError(
            "GET https://x/?k=tok answered 401",
            url="https://x/?k=tok",
            body_excerpt="bad tok",
        )

        error.apply_mask(SecretMasker(["tok"]))

        assert "tok" not in str(error)
        assert error.url == "https://x/?k=***"
        assert error.args == ("GET https://x/?k=*** answered 401",)


def test_hierarchy_separates_retry_semantics() -> None:
    assert issubclass(ActionTimeout, TransientActionError)
    assert issubclass(CircuitOpen, TransientActionError)
    assert issubclass(InvalidActionConfig, PermanentActionError)
    assert issubclass(ActionAuthError, PermanentActionError)
    assert not issubclass(ActionCancelled, TransientActionError | PermanentActionError)
    assert issubclass(ActionCancelled, ActionError)
