"""The Jira REST calls pao makes, for Cloud (v3) and Data Center (v2).

One :class:`JiraClient` per configured instance. It signs each call as
the instance's auth says, speaks the flavour's dialect (ADF documents and
``/search/jql`` on Cloud; plain text and ``/search`` on Data Center) and
turns Jira's error bodies (``errorMessages`` plus ``errors`` per field)
into readable messages. Every method sends once per call; the executors
wrap them in attempt loops.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from pao.actions.auth import OAuth2Auth, basic_credentials
from pao.actions.context import ActionContext
from pao.actions.errors import ActionAuthError, PermanentActionError
from pao.actions.http import HttpSender, OutgoingRequest
from pao.actions.jira.adf import text_to_adf
from pao.actions.oauth2 import OAuth2Tokens
from pao.actions.vendor_config import (
    JiraAuthConfig,
    JiraInstanceConfig,
    MissingCredential,
)
from pao.actions.vendor_http import VendorApi, json_object

__all__ = ["JiraClient", "explain_jira_error", "jql_string"]

# The fields pao reads back from an issue: enough to judge its outcome.
ISSUE_FIELDS = ("summary", "status", "resolution", "labels")


def explain_jira_error(body: Any) -> str | None:
    """Jira's ``{"errorMessages": [...], "errors": {field: message}}`` as
    ``message; field: message``."""
    if not isinstance(body, Mapping):
        return body.strip() or None if isinstance(body, str) else None
    parts = [str(m) for m in body.get("errorMessages") or [] if m]
    errors = body.get("errors") or {}
    if isinstance(errors, Mapping):
        parts += [f"{field}: {message}" for field, message in errors.items()]
    return "; ".join(parts) or None


def jql_string(value: str) -> str:
    """*value* as a quoted JQL string literal."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


class JiraClient:
    """Calls one Jira instance."""

    def __init__(
        self,
        instance: JiraInstanceConfig,
        *,
        sender: HttpSender | None,
        tokens: OAuth2Tokens,
    ) -> None:
        self.instance = instance
        self._tokens = tokens
        hint = f"check jira.instances.{instance.name}.auth in pao's configuration"
        self._api = VendorApi(
            vendor=f"Jira ({instance.name})",
            explain=explain_jira_error,
            auth_hint=hint,
            sender=sender,
        )

    @property
    def is_cloud(self) -> bool:
        return self.instance.flavor == "cloud"

    def document(self, value: str) -> Any:
        """*value* as a rich-text field value: ADF on Cloud, text on DC."""
        return text_to_adf(value) if self.is_cloud else value

    def search(
        self, jql: str, *, ctx: ActionContext, limit: int = 10
    ) -> list[dict[str, Any]]:
        """The issues *jql* finds (at most *limit*), with pao's fields."""
        path = "/search/jql" if self.is_cloud else "/search"
        params = {"jql": jql, "fields": ",".join(ISSUE_FIELDS)}
        params["maxResults"] = str(limit)
        body = self._call("GET", path, ctx=ctx, what="search issues", params=params)
        issues = body.get("issues")
        return [i for i in issues if isinstance(i, dict)] if issues else []

    def create_issue(
        self, fields: Mapping[str, Any], *, ctx: ActionContext
    ) -> dict[str, Any]:
        """Create an issue; Jira's answer (``id``, ``key``, ``self``)."""
        body = self._call(
            "POST", "/issue", ctx=ctx, what="create the issue", json={"fields": fields}
        )
        if not isinstance(body.get("key"), str):
            message = f"Jira ({self.instance.name}) created an issue without a key"
            raise PermanentActionError(message)
        return body

    def get_issue(self, key: str, *, ctx: ActionContext) -> dict[str, Any]:
        params = {"fields": ",".join(ISSUE_FIELDS)}
        path = f"/issue/{quote(key, safe='')}"
        return self._call("GET", path, ctx=ctx, what=f"read {key}", params=params)

    def add_comment(self, key: str, text: str, *, ctx: ActionContext) -> str:
        """Comment *text* on issue *key*; the new comment's id."""
        path = f"/issue/{quote(key, safe='')}/comment"
        payload = {"body": self.document(text)}
        body = self._call("POST", path, ctx=ctx, what=f"comment on {key}", json=payload)
        return str(body.get("id", ""))

    def _call(
        self,
        method: str,
        path: str,
        *,
        ctx: ActionContext,
        what: str,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> dict[str, Any]:
        request = self._request(method, path, params, json)
        auth = self.instance.auth
        if auth.type != "oauth2":
            headers, secrets = self._static_auth(auth)
            reply = self._api.send(
                _with(request, headers), ctx=ctx, what=what, secrets=secrets
            )
            return json_object(reply, "Jira")
        return self._call_oauth2(request, auth, ctx=ctx, what=what)

    def _call_oauth2(
        self,
        request: OutgoingRequest,
        auth: JiraAuthConfig,
        *,
        ctx: ActionContext,
        what: str,
    ) -> dict[str, Any]:
        grant = self._grant(auth)
        ctx = ctx.with_secrets([_read(auth.client_secret, "clientSecret")])
        issued = self._tokens.token(grant, ctx)
        bearer = {"Authorization": f"Bearer {issued.value}"}
        try:
            reply = self._api.send(
                _with(request, bearer), ctx=ctx, what=what, secrets=[issued.value]
            )
        except ActionAuthError as exc:
            # A cached token Jira no longer takes: fetch a new one, once.
            if not issued.cached or exc.status != 401:
                raise
            self._tokens.invalidate(grant, issued.value)
            fresh = self._tokens.token(grant, ctx).value
            bearer = {"Authorization": f"Bearer {fresh}"}
            reply = self._api.send(
                _with(request, bearer), ctx=ctx, what=what, secrets=[fresh]
            )
        return json_object(reply, "Jira")

    def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        body: Any,
    ) -> OutgoingRequest:
        headers = {"Accept": "application/json"}
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body, ensure_ascii=False).encode()
        return OutgoingRequest(
            method=method,
            url=self.instance.api_root + path,
            headers=headers,
            params=dict(params or {}),
            content=content,
        )

    def _static_auth(self, auth: JiraAuthConfig) -> tuple[dict[str, str], list[str]]:
        token = _read(auth.token, "token")
        if auth.type == "bearer":
            return {"Authorization": f"Bearer {token}"}, [token]
        if not auth.username:
            message = (
                f"jira.instances.{self.instance.name}.auth.username is required"
                " for api_token auth"
            )
            raise PermanentActionError(message)
        basic = basic_credentials(auth.username, token)
        return {"Authorization": basic}, [token, basic.removeprefix("Basic ")]

    def _grant(self, auth: JiraAuthConfig) -> OAuth2Auth:
        if not (auth.token_url and auth.client_id):
            message = (
                f"jira.instances.{self.instance.name}.auth needs tokenUrl and"
                " clientId for oauth2"
            )
            raise PermanentActionError(message)
        return OAuth2Auth.model_validate(
            {
                "type": "oauth2",
                "tokenUrl": auth.token_url,
                "clientId": auth.client_id,
                "clientSecret": _read(auth.client_secret, "clientSecret"),
            }
        )


def _with(request: OutgoingRequest, headers: Mapping[str, str]) -> OutgoingRequest:
    return replace(request, headers={**request.headers, **headers})


def _read(credential: Any, name: str) -> str:
    if credential is None:
        raise PermanentActionError(f"the Jira {name} is not configured")
    try:
        value: str = credential()
    except MissingCredential as exc:
        raise PermanentActionError(f"cannot read the Jira {name}: {exc}") from None
    return value
