"""The library's rules: who suggests, who reviews, who sees what (docs/sources.md)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings

from network.models import Theme
from sources import permissions, services
from sources.models import Source, SourceLink
from tests.factories import InitiativeFactory, OrganisationFactory, UserFactory
from tests.sources.factories import SourceFactory

pytestmark = pytest.mark.django_db


def _suggestion(**overrides) -> dict:
    data = {
        "title": "Inburgeren met een mentor",
        "author": "Movisie",
        "year": 2008,
        "url": "https://www.movisie.nl",
        "summary": "Een handleiding voor mentorprojecten.",
        "kind": "manual",
        "themes": [Theme.objects.get(pk="mentoring")],
    }
    data.update(overrides)
    return data


def test_a_member_suggestion_waits_for_review_and_markup_is_removed():
    member = UserFactory()
    source = services.source_suggest(
        suggester=member,
        data=_suggestion(
            title="<b>Inburgeren</b> met een mentor<script>alert(1)</script>",
            summary='Lees <a href="javascript:alert(1)">dit</a> &amp; leer',
        ),
    )
    assert source.status == Source.Status.PENDING
    assert source.suggested_by == member
    assert source.title == "Inburgeren met een mentor"
    assert source.summary == "Lees dit & leer"
    assert [t.pk for t in source.themes.all()] == ["mentoring"]
    assert source.ref.startswith("src-")


def test_signed_out_people_cannot_suggest():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.source_suggest(suggester=AnonymousUser(), data=_suggestion())


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/a.pdf", "niet een url"])
def test_a_link_must_be_a_web_address(url):
    with pytest.raises(ValidationError) as error:
        services.source_suggest(suggester=UserFactory(), data=_suggestion(url=url))
    assert "url" in error.value.message_dict
    assert not Source.objects.exists()


def test_an_empty_title_after_cleaning_is_refused():
    with pytest.raises(ValidationError) as error:
        services.source_suggest(suggester=UserFactory(), data=_suggestion(title="<b></b>"))
    assert "title" in error.value.message_dict


@override_settings(SOURCES_SUGGESTIONS_PER_DAY=2)
def test_suggestions_are_rate_limited_per_member():
    member = UserFactory()
    services.source_suggest(suggester=member, data=_suggestion(title="Een"))
    services.source_suggest(suggester=member, data=_suggestion(title="Twee"))
    with pytest.raises(ValidationError, match=r"Probeer het morgen weer|Try again tomorrow"):
        services.source_suggest(suggester=member, data=_suggestion(title="Drie"))
    assert Source.objects.filter(suggested_by=member).count() == 2
    # Someone else is not held back by it.
    services.source_suggest(suggester=UserFactory(), data=_suggestion(title="Vier"))


def test_only_staff_approve_and_reject():
    source = services.source_suggest(suggester=UserFactory(), data=_suggestion())
    member = UserFactory()
    with pytest.raises(PermissionDenied):
        services.source_approve(source=source, actor=member)
    with pytest.raises(PermissionDenied):
        services.source_reject(source=source, actor=member, reason="Nee")
    source.refresh_from_db()
    assert source.status == Source.Status.PENDING

    staff = UserFactory(is_staff=True)
    services.source_approve(source=source, actor=staff)
    source.refresh_from_db()
    assert source.status == Source.Status.APPROVED
    assert source.reviewed_by == staff


def test_a_rejection_needs_a_reason_the_suggester_reads():
    suggester = UserFactory()
    source = services.source_suggest(suggester=suggester, data=_suggestion())
    staff = UserFactory(is_staff=True)
    with pytest.raises(ValidationError):
        services.source_reject(source=source, actor=staff, reason="  <i></i> ")
    services.source_reject(source=source, actor=staff, reason="Deze link werkt niet meer.")
    source.refresh_from_db()
    assert source.status == Source.Status.REJECTED

    client = Client()
    client.force_login(suggester)
    page = client.get(f"/kennisbronnen/{source.ref}/").content.decode()
    assert "Deze link werkt niet meer." in page


def test_unapproved_sources_are_invisible_to_others_but_the_suggester_sees_theirs():
    suggester = UserFactory()
    source = services.source_suggest(suggester=suggester, data=_suggestion(title="Geheim boek"))
    other = Client()
    other.force_login(UserFactory())
    own = Client()
    own.force_login(suggester)
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))

    for client in (Client(), other):
        assert client.get(f"/kennisbronnen/{source.ref}/").status_code == 404
        assert client.get(f"/api/v1/sources/{source.ref}").status_code == 404
        assert "Geheim boek" not in client.get("/kennisbronnen/").content.decode()
    page = own.get(f"/kennisbronnen/{source.ref}/")
    assert page.status_code == 200
    assert 'data-testid="source-status"' in page.content.decode()
    assert "Geheim boek" in own.get("/kennisbronnen/").content.decode()  # "Your suggestions"
    assert staff.get(f"/kennisbronnen/{source.ref}/").status_code == 200
    assert permissions.can_view_source(suggester, source)


def test_links_need_exactly_one_target_and_show_on_both_pages():
    staff = UserFactory(is_staff=True)
    source = SourceFactory(title="Handreiking Interetnische Contacten")
    initiative = InitiativeFactory(title="Eet Mee")
    organisation = OrganisationFactory(name="Forum")
    services.source_link_add(source=source, actor=staff, relation="informed", initiative=initiative)
    services.source_link_add(
        source=source, actor=staff, relation="comes_from", organisation=organisation
    )
    with pytest.raises(ValidationError):
        services.source_link_add(source=source, actor=staff, relation="informed")
    with pytest.raises(PermissionDenied):
        services.source_link_add(
            source=source, actor=UserFactory(), relation="informed", initiative=initiative
        )
    assert SourceLink.objects.count() == 2

    client = Client()
    assert (
        "Handreiking Interetnische Contacten"
        in client.get(f"/initiatives/{initiative.ref}/").content.decode()
    )
    assert (
        "Handreiking Interetnische Contacten"
        in client.get(f"/organisations/{organisation.ref}/").content.decode()
    )
    page = client.get(f"/kennisbronnen/{source.ref}/").content.decode()
    assert "Eet Mee" in page and "Forum" in page


def test_a_pending_source_is_not_shown_on_linked_pages():
    source = SourceFactory(title="Nog niet goedgekeurd", status=Source.Status.PENDING)
    initiative = InitiativeFactory()
    SourceLink.objects.create(source=source, relation="informed", initiative=initiative)
    page = Client().get(f"/initiatives/{initiative.ref}/").content.decode()
    assert "Nog niet goedgekeurd" not in page


def test_the_review_page_is_staff_only_and_approves_and_rejects():
    source = services.source_suggest(suggester=UserFactory(), data=_suggestion(title="Te keuren"))
    member = Client()
    member.force_login(UserFactory())
    response = member.post(f"/kennisbronnen/review/{source.ref}/approve/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    source.refresh_from_db()
    assert source.status == Source.Status.PENDING

    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    assert "Te keuren" in staff.get("/kennisbronnen/review/").content.decode()
    refused = staff.post(f"/kennisbronnen/review/{source.ref}/reject/", {"reason": ""})
    assert refused.status_code == 400
    staff.post(f"/kennisbronnen/review/{source.ref}/approve/")
    source.refresh_from_db()
    assert source.status == Source.Status.APPROVED
    assert staff.post("/kennisbronnen/review/no-such-ref/approve/").status_code == 404


def test_the_suggest_form_shows_errors_and_keeps_the_input():
    client = Client()
    client.force_login(UserFactory())
    response = client.post(
        "/kennisbronnen/suggest/",
        {"title": "Mijn bron", "url": "javascript:alert(1)", "kind": "manual", "year": "3000"},
    )
    assert response.status_code == 400
    assert "Mijn bron" in response.content.decode()
    assert not Source.objects.exists()
    response = client.post(
        "/kennisbronnen/suggest/",
        {"title": "Mijn bron", "url": "www.movisie.nl", "kind": "manual", "year": "2008"},
    )
    assert response.status_code == 302
    assert Source.objects.get().url == "https://www.movisie.nl"


def test_signed_out_people_are_sent_to_sign_in_to_suggest():
    response = Client().get("/kennisbronnen/suggest/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_personal_data_export_and_erase():
    from accounts.services import personal_data_export

    member = UserFactory()
    pending = services.source_suggest(suggester=member, data=_suggestion(title="Wacht"))
    approved = services.source_suggest(suggester=member, data=_suggestion(title="Goed"))
    services.source_approve(source=approved, actor=UserFactory(is_staff=True))
    exported = personal_data_export(user=member)
    assert {s["title"] for s in exported["sources"]} == {"Wacht", "Goed"}

    from sources.personal_data import sources_erase

    sources_erase(member)
    assert not Source.objects.filter(pk=pending.pk).exists()
    approved.refresh_from_db()
    assert approved.suggested_by is None
