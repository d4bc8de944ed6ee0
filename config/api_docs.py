"""Examples in the OpenAPI schema (docs/api.md): every operation carries one.

`examples(...)` makes an operation's `openapi_extra`: an example body for the request (when
the operation takes one), an example query for a GET with parameters, and an example answer.
tests/api/test_openapi.py fails when an operation lacks them."""

from __future__ import annotations

from typing import Any


def examples(
    *,
    response: Any,
    status: int = 200,
    request: Any = None,
    query: str | None = None,
    also: tuple[int, ...] = (),
) -> dict[str, Any]:
    """`also`: other success statuses that answer the same shape (a repeat answered 200)."""
    extra: dict[str, Any] = {
        "responses": {
            code: {"content": {"application/json": {"example": response}}}
            for code in (status, *also)
        }
    }
    if request is not None:
        extra["requestBody"] = {"content": {"application/json": {"example": request}}}
    if query is not None:
        extra["x-example-request"] = query
    return extra
