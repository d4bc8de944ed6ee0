"""Walking /api/v1/openapi.json: its operations, and the keys each one answers with."""

from __future__ import annotations

import json
from typing import Any

from config.api import api

METHODS = ("get", "post", "put", "patch", "delete")


def schema() -> dict[str, Any]:
    """The schema as a client reads it (JSON: status codes are strings)."""
    return json.loads(json.dumps(api.get_openapi_schema()))


def operations(document: dict[str, Any] | None = None):
    """(METHOD, path, operation) for every operation of the schema."""
    document = document or schema()
    for path, item in sorted(document["paths"].items()):
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = document["components"]["schemas"][name]
    return node


def _keys(document: dict[str, Any], node: dict[str, Any]) -> Any:
    node = _resolve(document, node)
    if node.get("type") == "array":
        return {"[]": _keys(document, node.get("items", {}))}
    if "properties" in node:
        return {
            name: _keys(document, child) if _nested(document, child) else None
            for name, child in sorted(node["properties"].items())
        }
    return None


def _nested(document: dict[str, Any], node: dict[str, Any]) -> bool:
    node = _resolve(document, node)
    if node.get("type") == "array":
        return _nested(document, node.get("items", {}))
    return "properties" in node


def response_keys(document: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """{"GET /api/v1/…": {"200": {key: nested keys or None}}} for every operation."""
    document = document or schema()
    answer = {}
    for method, path, operation in operations(document):
        per_status = {}
        for status, response in sorted(operation.get("responses", {}).items()):
            content = response.get("content", {}).get("application/json")
            if content:
                per_status[status] = _keys(document, content["schema"])
        answer[f"{method} {path}"] = per_status
    return answer
