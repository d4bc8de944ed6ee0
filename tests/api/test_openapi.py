"""The schema as a contract: every operation has examples and declares its scope, a
read-only token writes nothing anywhere, and the answers of the existing operations keep
their keys (docs/contracts.md §5: only add)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core import serializers

from accounts.services import api_token_scope_required
from tests.api.conftest import send, token_client
from tests.api.schema_walk import operations, response_keys, schema

SNAPSHOT = Path(__file__).with_name("response_keys_v1.json")
OPERATIONS = list(operations())
WRITES = [(method, path, op) for method, path, op in OPERATIONS if method != "GET"]


def _success(operation) -> str:
    return min(status for status in map(str, operation["responses"]) if status.startswith("2"))


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda v: str(v)[:60])
def test_every_operation_has_examples(method, path, operation):
    for status, response in operation["responses"].items():
        content = response.get("content", {}).get("application/json")
        if status.startswith("2") and content:
            assert "example" in content, f"{method} {path}: no response example for {status}"
    if "requestBody" in operation:
        body = operation["requestBody"]["content"]["application/json"]
        assert "example" in body, f"{method} {path}: no request example"
    query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
    if query:
        assert operation.get("x-example-request", "").startswith("?"), (
            f"{method} {path}: no example query"
        )


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda v: str(v)[:60])
def test_every_response_example_has_the_keys_of_its_schema(method, path, operation):
    document = schema()
    success = _success(operation)
    content = operation["responses"][success]["content"]["application/json"]
    ref = content["schema"]
    example = content["example"]
    while "$ref" in ref:
        ref = document["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]
    if ref.get("type") == "array":
        assert isinstance(example, list)
        ref, example = ref["items"], example[0]
        while "$ref" in ref:
            ref = document["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]
    assert set(example) == set(ref["properties"]), f"{method} {path}"


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda v: str(v)[:60])
def test_every_operation_declares_its_scope(method, path, operation):
    scope = api_token_scope_required(method)
    assert operation["x-scope"] == scope
    assert f"`{scope}`" in operation["description"]
    for requirement in operation.get("security", []):
        if "BearerTokenAuth" in requirement:
            assert requirement["BearerTokenAuth"] == [scope]


def _everything() -> str:
    """Every row the API could write, serialised (tokens and sessions aside: reading a
    token notes when it was last used)."""
    rows = []
    for model in apps.get_models():
        if model._meta.app_label in {"network", "matching", "messaging", "stories"} or (
            model._meta.label == "accounts.User"
        ):
            rows.append(serializers.serialize("json", model.objects.order_by("pk")))
    return "".join(rows)


def _concrete(path: str, world) -> str:
    values = {
        "ref": {
            "needs": world["need"].ref,
            "initiatives": world["initiative"].ref,
            "organisations": world["organisation"].ref,
            "funds": world["fund"].ref,
        },
        "proposal_id": world["proposal"].pk,
        "conversation_id": world["conversation"].pk,
        "story_id": world["story"].pk,
    }

    def fill(match):
        name = match.group(1)
        if name == "ref":
            return values["ref"][path.split("/")[3]]
        return str(values[name])

    return re.sub(r"\{(\w+)\}", fill, path)


@pytest.mark.parametrize(("method", "path", "operation"), WRITES, ids=lambda v: str(v)[:60])
def test_a_read_only_token_gets_403_and_writes_nothing_on_every_write(
    method, path, operation, world
):
    # The admin may do all of these with a write token, so a 403 is the scope's doing.
    client = token_client(world["admin"], scopes=("read",))
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    before = _everything()
    response = send(client, method, _concrete(path, world), body.get("example"))
    assert response.status_code == 403, (method, path, response.content[:300])
    assert "read" in response.json()["detail"]
    assert _everything() == before


def test_the_existing_operations_answer_the_same_keys():
    """Keys may be added to new operations; the ones in the snapshot stay exactly."""
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    now = response_keys()
    for operation, per_status in snapshot.items():
        assert operation in now, f"{operation} is gone"
        for status, keys in per_status.items():
            assert now[operation].get(status) == keys, f"{operation} {status} changed"
