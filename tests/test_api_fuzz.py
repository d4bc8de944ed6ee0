"""No input, however malformed, gets a 500 from the API (docs/contracts.md §5).

Schemathesis generates requests from /api/v1/openapi.json for every operation and sends
them, signed in with a Bearer token, to the WSGI application; the check is
`not_a_server_error`. pytest's addopts turn schemathesis' pytest plugin off (it slows every
run down), so this module drives Hypothesis itself through schemathesis' Python API:
deterministic (derandomised) and small enough for every `make test`.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils.translation import gettext
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from accounts.services import api_token_create
from config.api import api
from matching.models import Proposal
from messaging import services as messaging_services
from network.models import Membership, Person
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, member_user
from tests.matching.factories import NeedFactory

EXAMPLES_PER_OPERATION = 15

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
OPERATIONS = {
    f"{operation.method.upper()} {operation.path}": operation
    for operation in (result.ok() for result in SCHEMA.get_all_operations())
}


@pytest.fixture
def world(db):
    """A signed-in caller with a profile, an organisation, a need with a proposal and a
    conversation, so that generated requests can also reach real records."""
    organisation = OrganisationFactory()
    user = member_user(organisation, role=Membership.Role.ADMIN)
    other = PersonFactory(user=UserFactory())
    need = NeedFactory(organisation=organisation)
    Proposal.objects.create(need=need, person=other, rank=1, score=0.5, reasons=[])
    messaging_services.conversation_start(
        creator=Person.objects.get(user=user), participants=[other]
    )
    _token, secret = api_token_create(user=user, name="fuzz")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def application():
    """The WSGI application as Django's test client runs it: without closing the test's
    database connection at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_generated_request_gets_a_server_error(label, mode, world, application):
    """Valid requests (positive) and requests that break the schema (negative)."""
    operation = OPERATIONS[label]

    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case) -> None:
        response = case.call(app=application, headers=world)
        case.validate_response(response, checks=[not_a_server_error])

    try:
        check()
    except Unsatisfiable:
        # Nothing in this operation can be made invalid (no parameters, or only free text).
        assert mode == GenerationMode.NEGATIVE


# Malformed bodies with the session cookie and a valid CSRF token ---------------------------

CSRF = "c" * 32
MALFORMED_CONTENT_TYPES = [
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=\x00garbage",
    "multipart/form-data; boundary=abc",
    "application/x-www-form-urlencoded",
]
API_WRITES = [
    "/api/v1/conversations",
    "/api/v1/conversations/1/messages",
    "/api/v1/organisations",
    "/api/v1/needs",
    "/api/v1/proposals/1/accept",
    "/api/v1/proposals/1/decline",
]


@pytest.mark.parametrize("content_type", MALFORMED_CONTENT_TYPES)
@pytest.mark.parametrize("path", API_WRITES)
def test_api_writes_answer_4xx_json_to_a_form_or_malformed_multipart_body(user, path, content_type):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = CSRF
    response = client.generic(
        "POST", path, b"--abc\r\nnot json", content_type=content_type, HTTP_X_CSRFTOKEN=CSRF
    )
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()


@pytest.mark.parametrize("content_type", MALFORMED_CONTENT_TYPES[:3])
@pytest.mark.parametrize("path", ["/accounts/login/", "/organisations/new/", "/i18n/setlang/"])
def test_page_forms_answer_400_to_a_malformed_multipart_body(user, path, content_type):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = CSRF
    response = client.generic(
        "POST", path, b"--abc\r\nabc", content_type=content_type, HTTP_X_CSRFTOKEN=CSRF
    )
    assert response.status_code == 400
    assert gettext("Bruggen could not read this request") in response.content.decode()
