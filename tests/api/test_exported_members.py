"""The public surface of pao.api, pinned."""

from __future__ import annotations

import pao.api


def test_exported_members() -> None:
    assert sorted(pao.api.__all__) == sorted(
        [
            "PAGE_PARAMETERS",
            "Access",
            "ApiConfig",
            "ApiError",
            "ApiModule",
            "ApiServices",
            "BadRequest",
            "Body",
            "Delivery",
            "NotFound",
            "Operation",
            "PageRequest",
            "Parameter",
            "PayloadTooLarge",
            "Principal",
            "ProxyTrust",
            "Reply",
            "ServiceUnavailable",
            "TokenGrant",
            "Unauthorized",
            "UnsupportedMediaType",
            "ValidationFailed",
            "VersionInfo",
            "body_bytes",
            "body_json",
            "body_model",
            "can_see_request",
            "create_app",
            "page_response",
            "principal_of",
            "read_page",
            "require_visible_request",
            "services_of",
            "trim_page",
        ]
    )
    for name in pao.api.__all__:
        assert getattr(pao.api, name) is not None
