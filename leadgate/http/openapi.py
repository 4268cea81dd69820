"""The OpenAPI 3.1 description of every route the running app serves, built from its router.

The document is made from the routes themselves, so it cannot forget one: a route described in
`openapi_operations` gets its parameters, body and answers from there; any other route still
appears with its handler's docstring and the answers every edge shares.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from aiohttp import web

from leadgate.http import openapi_operations as operations
from leadgate.http import openapi_parts as parts

PATH = "/api/openapi.json"
_SKIPPED_METHODS = {"HEAD", "*"}
_PARAMETER = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")


def served_operations(app: web.Application) -> set[tuple[str, str]]:
    """Every (method, path template) the app answers, HEAD and catch-alls left out."""
    found: set[tuple[str, str]] = set()
    for route in app.router.routes():
        if route.method in _SKIPPED_METHODS or route.resource is None:
            continue
        found.add((route.method.lower(), _template(route.resource.canonical)))
    return found


def openapi_document(app: web.Application) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `app`."""
    paths: dict[str, dict[str, Any]] = {}
    for route in app.router.routes():
        if route.method in _SKIPPED_METHODS or route.resource is None:
            continue
        path = _template(route.resource.canonical)
        method = route.method.lower()
        paths.setdefault(path, {})[method] = _operation(method, path, route.handler)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Leadgate",
            "version": parts.API_VERSION,
            "description": "Omnichannel lead intake: forms, webhooks, the leads API, health.",
        },
        "paths": dict(sorted(paths.items())),
        "components": parts.COMPONENTS,
    }


def _template(canonical: str) -> str:
    """`/api/leads/{lead_id:[0-9]+}` → `/api/leads/{lead_id}`."""
    return _PARAMETER.sub(lambda m: "{" + m.group(1) + "}", canonical)


def _operation(method: str, path: str, handler: Any) -> dict[str, Any]:
    described = operations.described(method, path)
    operation: dict[str, Any] = {
        "operationId": _operation_id(method, path),
        "summary": described.get("summary") or _docstring(handler) or f"{method.upper()} {path}",
        "tags": [parts.tag_of(path)],
    }
    parameters = [
        {"name": name, "in": "path", "required": True,
         "schema": parts.path_parameter_schema(name)}
        for name in _PARAMETER.findall(path)
    ] + described.get("parameters", [])
    if parameters:
        operation["parameters"] = parameters
    if "requestBody" in described:
        operation["requestBody"] = described["requestBody"]
    operation["responses"] = described.get("responses") or parts.default_responses(path)
    if path.startswith("/api/") and path != PATH:
        operation["security"] = [{"bearer": []}]
    return operation


def _operation_id(method: str, path: str) -> str:
    words = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")
    return f"{method}_{words or 'root'}"


def _docstring(handler: Any) -> str:
    doc = inspect.getdoc(handler) or ""
    return doc.split("\n", 1)[0].strip()


async def serve_openapi(request: web.Request) -> web.Response:
    """This document: an OpenAPI 3.1 description of every route (no token needed)."""
    return web.json_response(openapi_document(request.app))
