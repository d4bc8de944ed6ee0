"""Bad input to the new operations: a clear 4xx with `detail` in the documented shape,
never a 500, and nothing written (docs/api.md, Errors)."""

from __future__ import annotations

import pytest

from tests.api.conftest import send, token_client
from tests.api.test_openapi import _everything

LONG = "x" * 20_001

CASES = [
    # (method, path, body, status)
    ("PATCH", "/api/v1/me/profile", {"name": 42}, 422),
    ("PATCH", "/api/v1/me/profile", {"roles": "mentor"}, 422),
    ("PATCH", "/api/v1/me/profile", {"bio": LONG}, 422),
    ("PATCH", "/api/v1/me/profile", {"name": "x" * 201}, 422),
    ("PATCH", "/api/v1/me/profile", {"hours_per_week": 10**12}, 422),
    ("PATCH", "/api/v1/me/profile", {"hours_per_week": -1}, 422),
    ("PATCH", "/api/v1/me/profile", {"municipality": "Atlantis"}, 422),
    ("PATCH", "/api/v1/me/profile", {"name": "Nul\x00teken"}, 422),
    ("PATCH", "/api/v1/me/profile", "[1, 2", 400),
    ("PATCH", "/api/v1/me/profile", [], 422),
    ("PATCH", "/api/v1/initiatives/koken", [{"title": "T"}], 422),
    ("PATCH", "/api/v1/needs/need-koks", "[]", 422),
    ("POST", "/api/v1/initiatives", {"title": "Zonder organisatie"}, 422),
    ("POST", "/api/v1/initiatives", {"organisation": "bestaat-niet", "title": "T"}, 422),
    ("POST", "/api/v1/initiatives", {"organisation": "../../etc", "title": "T"}, 422),
    ("POST", "/api/v1/initiatives", {"organisation": "de-brug", "title": ""}, 422),
    ("POST", "/api/v1/initiatives", {"organisation": "de-brug", "title": "T", "ref": "A B"}, 422),
    (
        "POST",
        "/api/v1/initiatives",
        {"organisation": "de-brug", "title": "T", "started": "gisteren"},
        422,
    ),
    (
        "POST",
        "/api/v1/initiatives",
        {"organisation": "de-brug", "title": "T", "partners": ["nope"]},
        422,
    ),
    ("POST", "/api/v1/initiatives", {"organisation": "de-brug", "title": "T", "funders": [1]}, 422),
    ("PATCH", "/api/v1/initiatives/koken", {"leader": "p-bestaat-niet"}, 422),
    ("PATCH", "/api/v1/initiatives/koken", {"summary": LONG}, 422),
    ("PATCH", "/api/v1/initiatives/koken", {"started": "2025-02-30"}, 422),
    ("PATCH", "/api/v1/initiatives/koken", {"themes": None, "title": None}, 422),
    ("PATCH", "/api/v1/initiatives/bestaat-niet", {"title": "T"}, 404),
    ("PATCH", "/api/v1/initiatives/%00", {"title": "T"}, 404),
    ("PATCH", "/api/v1/needs/need-koks", {"kind": ["mentor"]}, 422),
    ("PATCH", "/api/v1/needs/need-koks", {"radius_km": "ver"}, 422),
    ("PATCH", "/api/v1/needs/need-koks", {"radius_km": 10**15}, 422),
    ("PATCH", "/api/v1/needs/need-koks", {"deadline": "morgen"}, 422),
    ("PATCH", "/api/v1/needs/need-koks", {"languages": ["klingon"]}, 422),
    ("PATCH", "/api/v1/needs/bestaat-niet", {"title": "T"}, 404),
    ("POST", "/api/v1/needs/bestaat-niet/close", None, 404),
    ("POST", "/api/v1/needs/NEED/close", None, 404),
    ("GET", "/api/v1/needs?limit=0", None, 422),
    ("GET", "/api/v1/needs?q=%00&theme=%00&municipality=%00&kind=%00", None, 200),
    ("GET", "/api/v1/initiatives?organisation=%00&organisation=A%20B", None, 200),
    ("GET", "/api/v1/initiatives?organisation=de-brug%00", None, 200),
    ("GET", "/api/v1/funds?q=%00&theme=%00", None, 200),
    ("GET", "/api/v1/needs?offset=-1", None, 422),
    ("GET", "/api/v1/requests?limit=1000", None, 422),
    ("GET", "/api/v1/funds?limit=abc", None, 422),
    ("GET", "/api/v1/funds/%20", None, 404),
    ("POST", "/api/v1/conversations/999999/read", None, 404),
    ("POST", "/api/v1/conversations/99999999999999999999/read", None, 404),
    ("POST", "/api/v1/conversations/abc/read", None, 422),
    ("POST", "/api/v1/conversations/{conversation}/read", {"seq": -1}, 422),
    ("POST", "/api/v1/conversations/{conversation}/read", {"seq": "laatste"}, 422),
]


@pytest.mark.parametrize(("method", "path", "body", "status"), CASES, ids=lambda v: str(v)[:40])
def test_bad_input_gets_a_clear_4xx_and_writes_nothing(world, method, path, body, status):
    client = token_client(world["member"])
    path = path.replace("{conversation}", str(world["conversation"].pk))
    before = _everything()
    response = send(client, method, path, body)
    assert response.status_code == status, response.content[:400]
    assert response["Content-Type"].startswith("application/json")
    if status == 200:  # a filter value that cannot exist is dropped or matches nothing
        assert set(response.json()) == {"count", "items"}
    else:
        assert response.json()["detail"]
    assert _everything() == before
