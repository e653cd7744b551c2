"""``/openapi.json`` and ``/docs``: the API describing itself.

The docs page is rendered on the server from the same OpenAPI document,
with no script and nothing fetched from elsewhere, so it works offline
and shows exactly what the document says.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from pao.api.operations import ApiModule, Operation, Reply

__all__ = ["MODULE", "render_docs"]

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;
padding:0 1rem;color:#1f2328}
h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2.5rem}
section.op{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;
margin:1rem 0}
.method{display:inline-block;min-width:4.5rem;font-weight:600;
font-family:ui-monospace,monospace}
code,pre{font-family:ui-monospace,monospace;font-size:13px}
pre{background:#f6f8fa;padding:.75rem;overflow:auto;border-radius:6px}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;
padding:.25rem .5rem;text-align:left;vertical-align:top}
.public{color:#1a7f37;font-size:13px}
"""


async def _openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)


async def _docs(request: Request) -> Response:
    return HTMLResponse(request.app.state.docs_html)


def render_docs(document: dict[str, Any]) -> str:
    """A self-contained HTML page listing every operation of *document*."""
    info = document["info"]
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{escape(info['title'])}</title><style>{_STYLE}</style></head>",
        f"<body><h1>{escape(info['title'])} <small>{escape(info['version'])}"
        "</small></h1>",
        f"<p>{_prose(info.get('description', ''))}</p>",
        '<p>Machine-readable: <a href="openapi.json"><code>openapi.json</code></a></p>',
    ]
    for tag in document.get("tags", []):
        operations = list(_operations_tagged(document, tag["name"]))
        if not operations:
            continue
        parts.append(f"<h2>{escape(tag['name'])}</h2>")
        parts.append(f"<p>{_prose(tag.get('description', ''))}</p>")
        parts.extend(_render_operation(*op) for op in operations)
    parts.append("<h2>Schemas</h2>")
    for name, schema in document["components"]["schemas"].items():
        body = escape(json.dumps(schema, indent=2, sort_keys=True))
        parts.append(f'<h3 id="schema-{escape(name)}">{escape(name)}</h3>')
        parts.append(f"<pre>{body}</pre>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _operations_tagged(
    document: dict[str, Any], tag: str
) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, item in document["paths"].items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is not None and tag in operation.get("tags", []):
                found.append((method, path, operation))
    return found


def _render_operation(method: str, path: str, operation: dict[str, Any]) -> str:
    public = operation.get("security") == []
    parts = [
        f'<section class="op" id="{escape(operation["operationId"])}">',
        f'<h3><span class="method">{method.upper()}</span> <code>{escape(path)}'
        "</code></h3>",
        f"<p><strong>{escape(operation['summary'])}</strong>"
        + (' <span class="public">no authentication</span>' if public else "")
        + "</p>",
    ]
    if operation.get("description"):
        parts.append(f"<p>{_prose(operation['description'])}</p>")
    if operation.get("parameters"):
        parts.append(_render_parameters(operation["parameters"]))
    if "requestBody" in operation:
        parts.append(_render_body(operation["requestBody"]))
    parts.append(_render_responses(operation["responses"]))
    parts.append("</section>")
    return "\n".join(parts)


def _render_parameters(parameters: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}"
        f"</td><td>{_schema_text(p['schema'])}</td>"
        f"<td>{'yes' if p.get('required') else 'no'}</td>"
        f"<td>{escape(p.get('description', ''))}</td></tr>"
        for p in parameters
    )
    head = "<tr><th>Parameter</th><th>In</th><th>Schema</th><th>Required</th>"
    return f"<table>{head}<th>Description</th></tr>{rows}</table>"


def _render_body(body: dict[str, Any]) -> str:
    kinds = ", ".join(
        f"<code>{escape(media)}</code> {_schema_text(content['schema'])}"
        for media, content in body["content"].items()
    )
    return f"<p>Body: {escape(body.get('description', ''))} — {kinds}</p>"


def _render_responses(responses: dict[str, Any]) -> str:
    rows = []
    for status, response in responses.items():
        schemas = ", ".join(
            f"<code>{escape(media)}</code> {_schema_text(content['schema'])}"
            for media, content in response.get("content", {}).items()
        )
        rows.append(
            f"<tr><td>{escape(status)}</td>"
            f"<td>{escape(response['description'])}</td><td>{schemas}</td></tr>"
        )
    head = "<tr><th>Status</th><th>Meaning</th><th>Body</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _prose(text: str) -> str:
    # Descriptions use Markdown's `code` spans; nothing else is rendered.
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


def _schema_text(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        return f'<a href="#schema-{escape(name)}">{escape(name)}</a>'
    return f"<code>{escape(json.dumps(schema, sort_keys=True))}</code>"


MODULE = ApiModule(
    name="docs",
    description="The API's own description.",
    operations=(
        Operation(
            method="GET",
            path="/openapi.json",
            endpoint=_openapi,
            operation_id="getOpenApi",
            summary="This document, OpenAPI 3.1",
            tags=("docs",),
            responses={200: Reply("The OpenAPI document.", schema={"type": "object"})},
        ),
        Operation(
            method="GET",
            path="/docs",
            endpoint=_docs,
            operation_id="getDocs",
            summary="Human-readable documentation of every operation",
            tags=("docs",),
            responses={
                200: Reply(
                    "An HTML page.",
                    schema={"type": "string"},
                    content_type="text/html",
                )
            },
        ),
    ),
)
