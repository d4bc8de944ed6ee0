"""Conversations and messages in the API (docs/contracts.md §5)."""

from __future__ import annotations

import pytest

from messaging import services
from tests.messaging.conftest import client_for

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_create_list_and_page_messages(alice, bob):
    api = client_for(alice)
    created = post(api, "/api/v1/conversations", {"participants": [bob.ref], "title": ""})
    assert created.status_code == 201
    conversation_id = created.json()["id"]
    assert created.json()["participants"]
    again = post(api, "/api/v1/conversations", {"participants": [bob.ref]})
    assert again.status_code == 200 and again.json()["id"] == conversation_id
    url = f"/api/v1/conversations/{conversation_id}/messages"
    for number in range(5):
        response = post(api, url, {"body": f"bericht {number}", "client_id": f"c{number}"})
        assert response.status_code == 201 and response.json()["seq"] == number + 1
    repeat = post(api, url, {"body": "anders", "client_id": "c0"})
    assert repeat.status_code == 200 and repeat.json()["body"] == "bericht 0"
    page = client_for(bob).get(url, {"after_seq": 2, "limit": 2}).json()
    assert page["count"] == 3 and page["last_seq"] == 5
    assert [m["seq"] for m in page["items"]] == [3, 4]
    listing = client_for(bob).get("/api/v1/conversations").json()
    assert listing["count"] == 1 and listing["items"][0]["unread"] == 5


def test_errors_are_json_and_never_500(alice, bob, carol):
    conversation = services.conversation_start(creator=alice, participants=[bob])
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    outsider = client_for(carol)
    assert outsider.get(url).status_code == 404
    assert post(outsider, url, {"body": "x"}).status_code == 404
    api = client_for(alice)
    assert post(api, url, {"body": "x" * 10_001}).status_code == 422
    assert post(api, url, {"body": "  "}).status_code == 422
    assert post(api, url, {"body": 5}).status_code == 422
    assert post(api, url, {"body": "a\x00b"}).status_code == 422
    assert api.get(url, {"after_seq": -1}).status_code == 422
    assert api.get("/api/v1/conversations/99999999999999999999/messages").status_code in (404, 422)
    assert post(api, "/api/v1/conversations", {"participants": ["nobody-here"]}).status_code == 422
    assert post(api, "/api/v1/conversations", {"participants": []}).status_code == 422
    from django.test import Client

    assert Client().get("/api/v1/conversations").status_code == 401
    for response in [outsider.get(url), post(api, url, {"body": 5})]:
        assert "detail" in response.json()


def test_a_hidden_person_and_an_unknown_ref_get_the_same_answer(alice, make_person):
    hidden = make_person(visibility="hidden")
    api = client_for(alice)
    answers = [
        post(api, "/api/v1/conversations", {"participants": [ref]})
        for ref in (hidden.ref, "p-nobody-has-this")
    ]
    assert [a.status_code for a in answers] == [422, 422]
    details = [
        a.json()["detail"].replace(ref, "REF")
        for a, ref in zip(answers, (hidden.ref, "p-nobody-has-this"), strict=True)
    ]
    assert details[0] == details[1]
    assert not services.selectors.conversations_for(alice).exists()


def test_someone_elses_conversation_and_a_missing_one_get_the_same_404(alice, bob, carol):
    conversation = services.conversation_start(creator=alice, participants=[bob])
    outsider = client_for(carol)
    missing = conversation.pk + 1000
    for method, suffix, data in [("get", "", None), ("post", "", {"body": "x", "client_id": "x"})]:
        answers = []
        for conversation_id in (conversation.pk, missing):
            url = f"/api/v1/conversations/{conversation_id}/messages{suffix}"
            if method == "get":
                answers.append(outsider.get(url))
            else:
                answers.append(post(outsider, url, data))
        assert [a.status_code for a in answers] == [404, 404]
        assert answers[0].json() == answers[1].json()
