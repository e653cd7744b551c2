"""Errors raised by action executors.

The engine decides what to do from the class alone; the cause stays in the
message and in the chained exception::

    ActionError
    ├── TransientActionError    the same call may succeed later
    │   ├── ActionTimeout       the target did not answer in time
    │   └── CircuitOpen         the host failed repeatedly and was not called
    ├── PermanentActionError    the same call will fail again
    │   ├── InvalidActionConfig the config does not fit the action type
    │   └── ActionAuthError     the target rejected the credentials
    └── ActionCancelled         the run was cancelled before it finished

Every message is masked before it leaves the package: executors pass each
error through :meth:`ActionError.apply_mask` with the run's masker.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = [
    "ActionAuthError",
    "ActionCancelled",
    "ActionError",
    "ActionTimeout",
    "CircuitOpen",
    "InvalidActionConfig",
    "PermanentActionError",
    "TransientActionError",
]


class ActionError(Exception):
    """An action could not be carried out."""

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        status: int | None = None,
        body_excerpt: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url
        self.status = status
        self.body_excerpt = body_excerpt
        # How many calls were made before giving up; the retry loop sets it.
        self.attempts = 1

    def apply_mask(self, masker: Callable[[str], str]) -> None:
        """Replace secret values in every text this error carries."""
        self.message = masker(self.message)
        self.args = (self.message,)
        if self.url is not None:
            self.url = masker(self.url)
        if self.body_excerpt is not None:
            self.body_excerpt = masker(self.body_excerpt)

    def __str__(self) -> str:
        if self.body_excerpt:
            return f"{self.message}; response body: {self.body_excerpt}"
        return self.message

    def __repr__(self) -> str:
        fields = [repr(self.message)]
        if self.status is not None:
            fields.append(f"status={self.status}")
        fields.append(f"attempts={self.attempts}")
        return f"{type(self).__name__}({', '.join(fields)})"


class TransientActionError(ActionError):
    """A failure that a later attempt of the same call may not meet."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        method: str | None = None,
        url: str | None = None,
        status: int | None = None,
        body_excerpt: str | None = None,
    ) -> None:
        super().__init__(
            message,
            method=method,
            url=url,
            status=status,
            body_excerpt=body_excerpt,
        )
        self.retry_after = retry_after

    def __repr__(self) -> str:
        base = super().__repr__()
        if self.retry_after is None:
            return base
        return f"{base[:-1]}, retry_after={self.retry_after:g})"


class ActionTimeout(TransientActionError):
    """The target did not answer within the action's timeout."""


class CircuitOpen(TransientActionError):
    """The target host failed too often lately, so it was not called."""


class PermanentActionError(ActionError):
    """A failure that repeating the same call cannot fix."""


class InvalidActionConfig(PermanentActionError):
    """The action's config does not have the shape its type requires."""


class ActionAuthError(PermanentActionError):
    """The target refused the credentials the action sent."""


class ActionCancelled(ActionError):
    """The run was cancelled before the action finished."""
