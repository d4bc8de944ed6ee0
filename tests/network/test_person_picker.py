"""Choosing people by name, never by ref (network/picker.py): on "Someone missing?", when
starting a conversation and when adding someone to a group. Without JavaScript the typed
name is looked up; a ref in the hidden field is checked like any other, never trusted."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from messaging import services
from messaging.models import Conversation
from network.models import Membership, Municipality, Organisation, Person
from network.picker import PersonPickerField
from network.search import search_vectors_refresh
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, member_user
from tests.matching.factories import NeedFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = str(PersonPickerField.default_error_messages["not_found"])
AMBIGUOUS = str(PersonPickerField.default_error_messages["ambiguous"])


def _person(name: str, *, account: bool = True, place: str | None = None, **kwargs) -> Person:
    person = PersonFactory(
        name=name,
        user=UserFactory(name=name) if account else None,
        municipality=Municipality.objects.get(name=place) if place else None,
        **kwargs,
    )
    search_vectors_refresh(Person, [person.pk])
    return person


def _client(person: Person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def me():
    return _person("Aminata N'Diaye")


# Starting a conversation -----------------------------------------------------------------


def test_a_name_without_accents_finds_ozdemir_and_starts_the_conversation(me):
    ozlem = _person("Özlem Özdemir")
    response = _client(me).post("/conversations/new/", {"person_1": "ozdemir", "title": ""})
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert set(conversation.participants.values_list("person__name", flat=True)) == {
        me.name,
        ozlem.name,
    }


def test_several_names_make_a_group(me):
    _person("Özlem Özdemir")
    _person("Karim El Amrani")
    response = _client(me).post(
        "/conversations/new/",
        {"person_1": "Özdemir", "person_2": "karim", "person_3": "", "title": "Kookclub"},
    )
    assert response.status_code == 302
    assert Conversation.objects.get().participants.count() == 3


def test_an_ambiguous_name_asks_which_one_without_showing_refs(me):
    first = _person("Fatima Bakker", place="Utrecht")
    second = _person("Fatima Bakker", place="Zeist")
    response = _client(me).post("/conversations/new/", {"person_1": "fatima bakker"})
    assert response.status_code == 200
    assert not Conversation.objects.exists()
    page = response.content.decode()
    assert response.context["form"].errors["person_1"] == [AMBIGUOUS]
    assert "Welke bedoel je?" in page or "Which one do you mean?" in page
    radios = re.findall(r'<input type="radio"[^>]*name="person_1_choice"[^>]*>', page)
    assert len(radios) == 2
    text = _visible_text(page)
    assert "Utrecht" in text and "Zeist" in text
    assert first.ref not in text and second.ref not in text
    # Choosing the second radio starts the conversation with that Fatima.
    response = _client(me).post(
        "/conversations/new/", {"person_1": "fatima bakker", "person_1_choice": second.ref}
    )
    assert response.status_code == 302
    assert Conversation.objects.get().participants.filter(person=second).exists()


def test_a_hidden_person_is_answered_as_a_name_nobody_has(me):
    _person("Yasmina Verborgen", visibility=Person.Visibility.HIDDEN)
    client = _client(me)
    hidden = client.post("/conversations/new/", {"person_1": "Yasmina Verborgen"})
    unknown = client.post("/conversations/new/", {"person_1": "Yasmina Onbekend"})
    assert hidden.context["form"].errors["person_1"] == [NOT_FOUND]
    assert unknown.context["form"].errors["person_1"] == [NOT_FOUND]
    assert not Conversation.objects.exists()


def test_a_forged_ref_in_the_hidden_field_is_refused_like_an_unknown_name(me):
    hidden = _person("Yasmina Verborgen", visibility=Person.Visibility.HIDDEN)
    response = _client(me).post(
        "/conversations/new/", {"person_1": "Iemand", "person_1_ref": hidden.ref}
    )
    assert response.context["form"].errors["person_1"] == [NOT_FOUND]
    assert hidden.ref not in response.content.decode()
    assert "Yasmina" not in response.content.decode()
    assert not Conversation.objects.exists()


def test_an_organisation_ref_is_no_person(me):
    organisation = OrganisationFactory(name="Buurthuis Zuilen")
    response = _client(me).post(
        "/conversations/new/", {"person_1": "", "person_1_ref": organisation.ref}
    )
    assert response.context["form"].errors["person_1"] == [NOT_FOUND]


def test_a_person_without_an_account_is_named_as_such(me):
    _person("Joke Zonder Account", account=False)
    response = _client(me).post("/conversations/new/", {"person_1": "Joke Zonder"})
    assert response.status_code == 200
    assert "Joke Zonder Account" in " ".join(response.context["form"].non_field_errors())
    assert not Conversation.objects.exists()


def test_nobody_chosen_is_a_clear_error(me):
    response = _client(me).post("/conversations/new/", {"person_1": "", "title": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_one_more_name_gives_one_more_box_and_keeps_what_was_typed(me):
    response = _client(me).post(
        "/conversations/new/", {"person_1": "Özdemir", "rows": "3", "more": "1"}
    )
    assert response.status_code == 200
    assert "person_4" in response.context["form"].fields
    assert 'value="Özdemir"' in response.content.decode()
    assert not Conversation.objects.exists()


def test_rows_are_bounded(me):
    form = _client(me).post("/conversations/new/", {"rows": "100000", "more": "1"})
    assert len(form.context["form"].person_fields()) == 20
    form = _client(me).post("/conversations/new/", {"rows": "veel", "more": "1"})
    assert len(form.context["form"].person_fields()) == 4


def test_send_a_message_from_a_profile_fills_in_the_name(me):
    ozlem = _person("Özlem Özdemir")
    page = _client(me).get(f"/conversations/new/?with={ozlem.ref}").content.decode()
    assert 'value="Özlem Özdemir"' in page
    hidden = _person("Yasmina Verborgen", visibility=Person.Visibility.HIDDEN)
    page = _client(me).get(f"/conversations/new/?with={hidden.ref}").content.decode()
    assert "Yasmina" not in page


# Adding someone to a group ------------------------------------------------------------------


def test_adding_someone_to_a_group_by_name(me):
    bob = _person("Bob de Bruin")
    group = services.conversation_start(creator=me, participants=[bob], title="Kookclub")
    ozlem = _person("Özlem Özdemir")
    response = _client(me).post(f"/conversations/{group.pk}/members/", {"person": "OZDEMIR"})
    assert response.status_code == 302
    assert group.participants.filter(person=ozlem).exists()


def test_adding_an_ambiguous_name_asks_which_one(me):
    bob = _person("Bob de Bruin")
    group = services.conversation_start(creator=me, participants=[bob], title="Kookclub")
    _person("Fatima Bakker", place="Utrecht")
    second = _person("Fatima Bakker", place="Zeist")
    response = _client(me).post(f"/conversations/{group.pk}/members/", {"person": "Fatima"})
    assert response.status_code == 422
    assert response.context["member_form"].errors["person"] == [AMBIGUOUS]
    assert 'name="person_choice"' in response.content.decode()
    response = _client(me).post(
        f"/conversations/{group.pk}/members/", {"person": "Fatima", "person_choice": second.ref}
    )
    assert response.status_code == 302
    assert group.participants.filter(person=second).exists()


# "Someone missing?" on a need page ----------------------------------------------------------


@pytest.fixture
def need_page():
    organisation = OrganisationFactory(name="Buurthuis Zuilen")
    asker = member_user(organisation, role=Membership.Role.ADMIN, name="Aart Vrager")
    need = NeedFactory(organisation=organisation)
    client = Client()
    client.force_login(asker)
    return client, f"/needs/{need.ref}/"


def test_someone_missing_by_name_with_accents(need_page):
    client, url = need_page
    _person("Özlem Özdemir", place="Utrecht")
    response = client.get(url, {"candidate": "ozlem ozdemir"})
    assert "Özlem Özdemir" in response.context["why"]["text"]


def test_someone_missing_finds_organisations_by_name(need_page):
    client, url = need_page
    partner = OrganisationFactory(name="Stichting Al-Amal")
    search_vectors_refresh(Organisation, [partner.pk])
    response = client.get(url, {"candidate": "al amal"})
    assert "Stichting Al-Amal" in response.context["why"]["text"]


def test_someone_missing_hidden_and_unknown_read_the_same(need_page):
    client, url = need_page
    _person("Yasmina Verborgen", visibility=Person.Visibility.HIDDEN)
    hidden = client.get(url, {"candidate": "Yasmina Verborgen"})
    unknown = client.get(url, {"candidate": "Yasmina Onbekend"})
    assert "why" not in hidden.context and "why" not in unknown.context
    assert hidden.context["why_form"].errors["candidate"] == [NOT_FOUND]
    assert unknown.context["why_form"].errors["candidate"] == [NOT_FOUND]


# No refs on the pages -----------------------------------------------------------------------


def _form_text(html: str) -> str:
    forms = re.findall(r"<form\b.*?</form>", html, flags=re.S)
    return _visible_text(" ".join(forms))


def test_the_forms_speak_of_names_not_refs(me, need_page, initiative_editor):
    bob = _person("Bob de Bruin")
    group = services.conversation_start(creator=me, participants=[bob], title="Kookclub")
    client, url = need_page
    editor, initiative_url = initiative_editor
    pages = [
        _client(me).get("/conversations/new/").content.decode(),
        _client(me).get(f"/conversations/{group.pk}/").content.decode(),
        client.get(url).content.decode(),
        editor.get(initiative_url).content.decode(),
    ]
    for page in pages:
        text = _form_text(page)
        assert not re.search(r"\bref", text, flags=re.I), text
        assert "p-" + "karim" not in text
        assert bob.ref not in text


# An initiative's partner organisations, by name ---------------------------------------------


@pytest.fixture
def initiative_editor():
    organisation = OrganisationFactory(name="Buurthuis Zuilen")
    client = Client()
    client.force_login(member_user(organisation))
    return client, f"/organisations/{organisation.ref}/initiatives/new/"


INITIATIVE = {"title": "Taalcafé Overvecht", "status": "running", "summary": "Samen praten."}


def _organisation(name: str, **kwargs) -> Organisation:
    organisation = OrganisationFactory(name=name, **kwargs)
    search_vectors_refresh(Organisation, [organisation.pk])
    return organisation


def test_partners_are_named_one_per_line(initiative_editor):
    from network.models import Initiative

    client, url = initiative_editor
    amal = _organisation("Stichting Al-Amal")
    gemeente = _organisation("Gemeente Nieuwegein")
    response = client.post(url, {**INITIATIVE, "partners": "al amal\ngemeente nieuwegein\n"})
    assert response.status_code == 302, response.content.decode()[:3000]
    initiative = Initiative.objects.get()
    assert set(initiative.partners.all()) == {amal, gemeente}
    edit = client.get(f"/initiatives/{initiative.ref}/edit/").content.decode()
    assert "Stichting Al-Amal" in edit and amal.ref not in _form_text(edit)


def test_an_unknown_or_ambiguous_partner_is_explained_by_name(initiative_editor):
    from network.models import Initiative

    client, url = initiative_editor
    _organisation("Buurtteam Noord", municipality=Municipality.objects.get(name="Utrecht"))
    _organisation("Buurtteam Zuid", municipality=Municipality.objects.get(name="Zeist"))
    response = client.post(url, {**INITIATIVE, "partners": "buurtteam\nBestaat Niet BV"})
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["partners"])
    assert "Buurtteam Noord" in errors and "Buurtteam Zuid" in errors
    assert "Bestaat Niet BV" in errors
    assert not re.search(r"\bref", errors, flags=re.I)
    assert not Initiative.objects.exists()
