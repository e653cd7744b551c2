"""HTTP plumbing shared by the action executors."""

from __future__ import annotations

from pao.actions.http.circuits import Circuits
from pao.actions.http.replies import (
    MAX_BODY_BYTES,
    HttpReply,
    StatusCheck,
    expect_statuses,
    is_success,
)
from pao.actions.http.retry_after import parse_retry_after
from pao.actions.http.retrying import BackoffWait, retrying_for
from pao.actions.http.sender import (
    IDEMPOTENCY_HEADER,
    HttpSender,
    OutgoingRequest,
    close_default_sender,
    default_sender,
    new_client,
)

__all__ = [
    "IDEMPOTENCY_HEADER",
    "MAX_BODY_BYTES",
    "BackoffWait",
    "Circuits",
    "HttpReply",
    "HttpSender",
    "OutgoingRequest",
    "StatusCheck",
    "close_default_sender",
    "default_sender",
    "expect_statuses",
    "is_success",
    "new_client",
    "parse_retry_after",
    "retrying_for",
]
