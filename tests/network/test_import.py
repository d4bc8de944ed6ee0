from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import translation
from django.utils.html import escape

from accounts.models import User
from network import admin_import
from network.models import Fund, Initiative, Membership, Organisation, Person, RetiredRef
from network.search import text_search
from network.services import imports
from network.services.imports import ModelRecordType, import_type_register, network_import
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

DEMO_FILE = Path(__file__).resolve().parents[2] / "network" / "demo" / "network.jsonl"
DEMO_COUNTS = {Organisation: 23, Person: 60, Initiative: 13, Fund: 6}
PROBLEM_LINE = re.compile(r"^line \d+: [a-z_]+: .+$")

# The admin upload is wired by config/urls.py; these tests mount it the same way.
urlpatterns = [
    path("admin/network/", include("network.admin_urls")),
    path("admin/", admin.site.urls),
]


def jsonl(*records: dict | str) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]


def run(*records: dict | str, dry_run: bool = False) -> imports.ImportReport:
    with translation.override("en"):  # the command's language; Django's messages are translated
        return network_import(lines=jsonl(*records), dry_run=dry_run)


def problems(*records: dict | str) -> list[str]:
    report = run(*records)
    assert not report.written
    return [str(problem) for problem in report.errors]


def import_command(file: Path | str, *args: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `manage.py import_network`."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_network", str(file), *args, stdout=out, stderr=err)
    except CommandError as error:
        err.write(f"CommandError: {error}\n")
        return error.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def write_file(tmp_path: Path, *records: dict | str) -> Path:
    file = tmp_path / "network.jsonl"
    file.write_text("\n".join(jsonl(*records)) + "\n", encoding="utf-8")
    return file


def database_snapshot() -> dict[str, object]:
    """Every count an import touches, and the lists and links of each record by ref."""
    snapshot: dict[str, object] = {
        model.__name__: model.objects.count() for model in (*DEMO_COUNTS, Membership)
    }
    for model, fields in [
        (Organisation, ("themes", "target_groups", "languages")),
        (Person, ("roles", "languages", "themes", "target_groups", "organisations")),
        (Initiative, ("themes", "target_groups", "success_factors", "partners", "funders")),
        (Fund, ("themes",)),
    ]:
        for many in fields:
            snapshot[f"{model.__name__}.{many}"] = model._meta.get_field(
                many
            ).remote_field.through.objects.count()
    snapshot["initiatives"] = sorted(
        Initiative.objects.values_list(
            "ref", "organisation__ref", "leader__ref", "started", "ended"
        )
    )
    snapshot["people"] = sorted(
        Person.objects.values_list("ref", "name", "municipality", "hours_per_week", "user_id")
    )
    return snapshot


ORGANISATION = {
    "type": "organisation",
    "ref": "buurtkracht",
    "name": "Buurtkracht",
    "kind": "welfare",
}
PERSON = {
    "type": "person",
    "ref": "p-fatima",
    "name": "Fatima B.",
    "organisations": ["buurtkracht"],
}


# The demo file ----------------------------------------------------------------------------


def test_the_demo_file_imports(tmp_path):
    status, out, err = import_command(DEMO_FILE)

    assert status == 0, err
    assert err == ""
    assert out.splitlines() == [
        "imported 102 records: 23 organisation, 60 person, 13 initiative, 6 fund "
        "(102 created, 0 updated)"
    ]
    for model, count in DEMO_COUNTS.items():
        assert model.objects.count() == count
    eet_mee = Initiative.objects.get(ref="eet-mee")
    assert eet_mee.organisation.ref == "cultuurinzicht"
    assert eet_mee.leader.ref == "p-annelies-v"
    assert eet_mee.municipality.name == "Utrecht"
    assert eet_mee.status == Initiative.Status.RUNNING
    annelies = Person.objects.get(ref="p-annelies-v")
    assert annelies.email == "annelies@demo.bruggen.nl"
    assert list(annelies.organisations.values_list("ref", flat=True)) == ["cultuurinzicht"]
    assert Membership.objects.get(person=annelies).role == Membership.Role.MEMBER
    # Search finds what the import wrote (its vectors are refreshed).
    assert list(
        text_search(Initiative.objects.all(), "aan tafel", rank=False).values_list("ref", flat=True)
    )


def test_importing_the_demo_file_twice_gives_the_same_database():
    assert import_command(DEMO_FILE)[0] == 0
    first = database_snapshot()

    status, out, _err = import_command(DEMO_FILE)

    assert status == 0
    assert out.strip() == (
        "imported 102 records: 23 organisation, 60 person, 13 initiative, 6 fund "
        "(0 created, 102 updated)"
    )
    assert database_snapshot() == first


def test_the_demo_needs_import_after_the_demo_network():
    if "need" not in imports.import_types():
        pytest.skip("the matching app registers the need type")
    needs_file = DEMO_FILE.parents[2] / "matching" / "demo" / "needs.jsonl"
    assert import_command(DEMO_FILE)[0] == 0

    status, out, err = import_command(needs_file)

    assert status == 0, err
    assert out.strip() == "imported 8 records: 8 need (8 created, 0 updated)"
    assert (
        import_command(needs_file)[1].strip() == "imported 8 records: 8 need (0 created, 8 updated)"
    )


def test_the_demo_file_links_people_to_the_accounts_with_their_email():
    karim = UserFactory(email="karim@demo.bruggen.nl")

    assert import_command(DEMO_FILE)[0] == 0

    assert Person.objects.get(ref="p-karim-e").user == karim
    assert Person.objects.get(ref="p-annelies-v").user is None  # no such account


# All or nothing, every problem ------------------------------------------------------------


def test_one_bad_line_among_good_ones_writes_nothing(tmp_path):
    file = write_file(
        tmp_path,
        ORGANISATION,
        PERSON,
        {"type": "fund", "ref": "buurtfonds", "name": "Buurtfonds", "themes": ["cooking"]},
        {"type": "fund", "ref": "wijkfonds", "name": "Wijkfonds"},
    )

    status, out, err = import_command(file)

    assert status == 1
    assert out == ""
    assert err.splitlines()[0].startswith(
        "line 3: themes: unknown theme 'cooking' (allowed: dialogue, food,"
    )
    assert not Organisation.objects.exists()
    assert not Person.objects.exists()
    assert not Fund.objects.exists()


def test_every_problem_is_reported():
    found = problems(
        ORGANISATION,
        {"type": "person", "ref": "p-1", "name": "Kees", "hours_per_week": -2},
        {"type": "fund", "ref": "f-1", "name": "Fonds"},
        {"type": "fund", "ref": "f-2", "name": "Fonds", "website": "geen url"},
    )

    assert found == [
        "line 2: hours_per_week: must not be negative",
        "line 4: website: Enter a valid URL.",
    ]


def test_problems_on_one_line_are_all_reported():
    found = problems(
        {
            "type": "organisation",
            "ref": "o-1",
            "name": "Organisatie",
            "kind": "welfre",
            "municipality": "Utrect",
            "themes": ["food", "fod"],
            "open_to_matching": "yes",
        }
    )

    assert found == [
        "line 1: kind: unknown kind 'welfre' (did you mean 'welfare'?)",
        "line 1: municipality: unknown municipality 'Utrect' (did you mean 'Utrecht'?)",
        "line 1: themes: unknown theme 'fod' (did you mean 'food'?)",
        "line 1: open_to_matching: must be true or false, got a string",
    ]


def test_a_forward_reference_is_an_error():
    found = problems(PERSON, ORGANISATION)

    assert found == [
        "line 1: organisations: organisation 'buurtkracht' is defined later in the file "
        "(line 2); a record can only refer to records defined before it"
    ]


def test_a_reference_to_a_record_in_the_database_works():
    OrganisationFactory(ref="buurtkracht")

    report = run(
        PERSON,
        {
            "type": "initiative",
            "ref": "buurtsoep",
            "title": "Buurtsoep",
            "organisation": "buurtkracht",
            "leader": "p-fatima",
            "partners": ["buurtkracht"],
        },
    )

    assert report.written, report.errors
    initiative = Initiative.objects.get(ref="buurtsoep")
    assert initiative.organisation.ref == "buurtkracht"
    assert initiative.leader.ref == "p-fatima"
    assert list(initiative.partners.values_list("ref", flat=True)) == ["buurtkracht"]
    assert Person.objects.get(ref="p-fatima").organisations.get().ref == "buurtkracht"


def test_an_unknown_reference_is_an_error():
    assert problems(
        {
            "type": "initiative",
            "ref": "i-1",
            "title": "Iets",
            "leader": "p-niemand",
            "funders": ["geen-fonds", "ook-niet"],
        }
    ) == [
        "line 1: leader: unknown person 'p-niemand'",
        "line 1: funders: unknown fund 'geen-fonds'",
        "line 1: funders: unknown fund 'ook-niet'",
    ]


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        pytest.param(
            {"type": "person", "ref": "p-1", "name": "Kees", "roles": ["baas"]},
            "line 1: roles: unknown role 'baas' (allowed: volunteer, key_figure, mentor, project_leader)",
            id="unknown role",
        ),
        pytest.param(
            {"type": "person", "ref": "p-1", "name": "Kees", "languages": ["nld"]},
            "line 1: languages: unknown language 'nld' (did you mean 'nl'?)",
            id="unknown language",
        ),
        pytest.param(
            {"type": "initiative", "ref": "i-1", "title": "Iets", "success_factors": ["luck"]},
            "line 1: success_factors: unknown success factor 'luck' (allowed: subsidy, network,",
            id="unknown success factor",
        ),
        pytest.param(
            {"type": "person", "ref": "p-1", "name": "Kees", "municipality": "Amsterdam"},
            "line 1: municipality: unknown municipality 'Amsterdam' (allowed: Amersfoort, Baarn,",
            id="municipality outside the province",
        ),
        pytest.param(
            {"type": "person", "ref": "P 1", "name": "Kees"},
            "line 1: ref: 'P 1' is not a valid ref: 1 to 80 characters",
            id="bad ref",
        ),
        pytest.param(
            {"type": "person", "ref": "p" * 81, "name": "Kees"},
            "line 1: ref: 'ppppp",
            id="ref too long",
        ),
        pytest.param(
            {"type": "person", "ref": 12, "name": "Kees"},
            "line 1: ref: must be a string, got a number",
            id="ref a number",
        ),
        pytest.param(
            {"type": "person", "ref": "p-1", "name": "Kees", "open_to_matching": "true"},
            "line 1: open_to_matching: must be true or false, got a string",
            id="string for a boolean",
        ),
        pytest.param(
            {"type": "person", "ref": "p-1", "name": "Kees", "hours_per_week": -4},
            "line 1: hours_per_week: must not be negative",
            id="negative hours",
        ),
        pytest.param(
            {"type": "person", "ref": "p-1", "name": "Kees", "hours_per_week": 81},
            "line 1: hours_per_week: Ensure this value is less than or equal to 80.",
            id="too many hours",
        ),
        pytest.param(
            {"type": "person", "ref": "p-1", "name": "Kees", "hours_per_week": "4"},
            "line 1: hours_per_week: must be a whole number or null, got a string",
            id="string for a number",
        ),
        pytest.param(
            {"type": "person", "ref": "p-1", "name": "Kees", "mentor_capacity": 2.5},
            "line 1: mentor_capacity: must be a whole number, got a decimal number",
            id="fraction for a number",
        ),
        pytest.param(
            {"type": "person", "ref": "p-1", "name": "Kees", "visibility": "secret"},
            "line 1: visibility: unknown visibility 'secret' (allowed: public, members, hidden)",
            id="unknown visibility",
        ),
        pytest.param(
            {"type": "person", "ref": "p-1", "name": "Kees", "email": "kees@"},
            "line 1: email: Enter a valid email address.",
            id="bad email",
        ),
        pytest.param(
            {"type": "person", "ref": "p-1", "name": "Kees", "skills": "koken"},
            "line 1: skills: must be a list of strings, got a string",
            id="string for a list",
        ),
        pytest.param(
            {"type": "person", "ref": "p-1", "name": "Kees", "themes": ["food", 3]},
            "line 1: themes: must be a list of strings, got a list holding a number",
            id="number in a list",
        ),
        pytest.param(
            {"type": "person", "ref": "p-1", "name": "Kees", "bio": 42},
            "line 1: bio: must be a string, got a number",
            id="number for a string",
        ),
        pytest.param(
            {"type": "person", "ref": "p-1", "name": "Kees", "theme": ["food"]},
            "line 1: theme: unknown field for type 'person' (did you mean 'themes'?)",
            id="unknown field",
        ),
        pytest.param(
            {"type": "organisation", "ref": "o-1", "name": "Org", "kind": "club"},
            "line 1: kind: unknown kind 'club' (allowed: municipality, province, welfare,",
            id="unknown kind",
        ),
        pytest.param(
            {"type": "initiative", "ref": "i-1", "title": "Iets", "status": "done"},
            "line 1: status: unknown status 'done' (allowed: idea, running, finished)",
            id="unknown status",
        ),
        pytest.param(
            {"type": "initiative", "ref": "i-1", "title": "Iets", "started": "01-02-2010"},
            "line 1: started: must be a date as YYYY-MM-DD or null, got a string",
            id="date not ISO",
        ),
        pytest.param(
            {"type": "initiative", "ref": "i-1", "title": "Iets", "started": "2010-02-30"},
            "line 1: started: '2010-02-30' is not a date that exists",
            id="date that does not exist",
        ),
        pytest.param(
            {
                "type": "initiative",
                "ref": "i-1",
                "title": "Iets",
                "started": "2012-01-01",
                "ended": "2010-01-01",
            },
            "line 1: ended: The end date lies before the start date.",
            id="ended before started",
        ),
        pytest.param(
            {"type": "fund", "ref": "f-1", "name": "Fonds", "website": "www.fonds"},
            "line 1: website: Enter a valid URL.",
            id="bad URL",
        ),
        pytest.param(
            {"type": "fund", "ref": "f-1", "name": "F" * 201},
            "line 1: name: Ensure this value has at most 200 characters (it has 201).",
            id="name too long",
        ),
        pytest.param(
            {"type": "fund", "ref": "f-1", "name": "Fonds\u0000"},
            "line 1: name: contains a NUL character",
            id="NUL character",
        ),
        pytest.param(
            '{"type": "fund", "ref": "f-1" "name": "Fonds"}',
            "line 1: json: not valid JSON (Expecting ',' delimiter at column 31)",
            id="not JSON",
        ),
        pytest.param(
            '[{"type": "fund", "ref": "f-1", "name": "Fonds"}]',
            "line 1: json: expected a JSON object {…}, got an array",
            id="array",
        ),
        pytest.param(
            '"fund"', "line 1: json: expected a JSON object {…}, got a string", id="string"
        ),
        pytest.param(
            '{"type": "fund", "ref": "f-1", "name": "A", "name": "B"}',
            "line 1: name: appears twice in the object",
            id="duplicate key",
        ),
        pytest.param(
            '{"type": "person", "ref": "p-1", "name": "Kees", "hours_per_week": NaN}',
            "line 1: json: not valid JSON (NaN is not a number)",
            id="NaN",
        ),
        pytest.param({"ref": "f-1", "name": "Fonds"}, "line 1: type: missing", id="missing type"),
        pytest.param(
            {"type": "funds", "ref": "f-1", "name": "Fonds"},
            "line 1: type: unknown type 'funds' (known types: organisation, person, initiative, fund",
            id="unknown type",
        ),
        pytest.param({"type": "fund", "name": "Fonds"}, "line 1: ref: missing", id="missing ref"),
        pytest.param({"type": "fund", "ref": "f-1"}, "line 1: name: missing", id="missing name"),
        pytest.param(
            {"type": "initiative", "ref": "i-1", "name": "Iets"},
            "line 1: title: missing",
            id="missing title",
        ),
        pytest.param(
            {"type": "fund", "ref": "f-1", "name": "  "},
            "line 1: name: must not be empty",
            id="empty name",
        ),
        pytest.param(
            {"type": "fund", "ref": "f-1", "name": None},
            "line 1: name: must be a string, got null",
            id="null name",
        ),
    ],
)
def test_a_bad_line_is_reported_with_its_field(record, expected):
    found = problems(record)

    assert any(problem.startswith(expected) for problem in found), found
    assert all(PROBLEM_LINE.match(problem) for problem in found), found
    assert not Person.objects.exists() and not Fund.objects.exists()


def test_a_ref_defined_twice_is_an_error():
    assert problems(
        ORGANISATION, {"type": "fund", "ref": "buurtkracht", "name": "Buurtkracht"}
    ) == ["line 2: ref: 'buurtkracht' is already defined on line 1"]


def test_a_ref_of_a_record_of_another_type_is_an_error():
    PersonFactory(ref="buurtkracht")

    assert problems(ORGANISATION) == [
        "line 1: ref: 'buurtkracht' is already the ref of person; a ref names one record"
    ]


def test_a_retired_ref_is_never_reused():
    RetiredRef.objects.create(ref="buurtkracht", kind="organisation")

    assert problems(ORGANISATION) == [
        "line 1: ref: 'buurtkracht' belonged to a deleted organisation and is never reused"
    ]


def test_blank_lines_are_ignored_and_counted():
    report = run("", ORGANISATION, "   ", {"type": "fund", "ref": "f-1", "name": 3})

    assert [str(problem) for problem in report.errors] == [
        "line 4: name: must be a string, got a number"
    ]


def test_a_line_that_is_not_utf8_is_reported(tmp_path):
    file = tmp_path / "latin1.jsonl"
    file.write_bytes(
        json.dumps(ORGANISATION).encode()
        + b"\n"
        + '{"type": "fund", "ref": "cafe", "name": "Caf\u00e9"}'.encode("latin-1")
        + b"\n"
    )

    status, _out, err = import_command(file)

    assert status == 1
    assert err.splitlines()[0] == "line 2: json: not valid UTF-8"
    assert not Organisation.objects.exists()


def test_a_utf16_file_is_named_as_such(tmp_path):
    file = tmp_path / "utf16.jsonl"
    file.write_text(json.dumps(ORGANISATION) + "\n", encoding="utf-16")

    status, _out, err = import_command(file)

    assert status == 1
    assert err.splitlines()[0] == "line 1: json: the file is UTF-16, not UTF-8: save it as UTF-8"


def test_a_byte_order_mark_is_allowed(tmp_path):
    file = tmp_path / "bom.jsonl"
    file.write_text(json.dumps(ORGANISATION) + "\r\n", encoding="utf-8-sig")

    assert import_command(file)[0] == 0
    assert Organisation.objects.get().ref == "buurtkracht"


# Defaults, updates, idempotency -----------------------------------------------------------


def test_defaults_follow_the_contract():
    report = run(
        {"type": "organisation", "ref": "o-1", "name": "Org"},
        {"type": "person", "ref": "p-1", "name": "Kees"},
        {"type": "initiative", "ref": "i-1", "title": "Iets"},
    )

    assert report.written, report.errors
    assert Organisation.objects.get().open_to_matching is True
    person = Person.objects.get()
    assert person.open_to_matching is True
    assert person.visibility == Person.Visibility.PUBLIC
    assert Initiative.objects.get().status == Initiative.Status.RUNNING


def test_reimporting_a_ref_updates_what_the_line_holds_and_replaces_lists():
    assert run(
        {
            **ORGANISATION,
            "description": "Eerste versie",
            "themes": ["food", "dialogue"],
            "municipality": "Utrecht",
        },
    ).written
    organisation = Organisation.objects.get()

    report = run(
        {**ORGANISATION, "name": "Buurtkracht Zeist", "themes": ["sport"], "municipality": "ZEIST"}
    )

    assert report.written
    assert (report.created["organisation"], report.updated["organisation"]) == (0, 1)
    organisation.refresh_from_db()
    assert organisation.name == "Buurtkracht Zeist"
    assert organisation.description == "Eerste versie"  # not in the line: kept
    assert organisation.municipality.name == "Zeist"
    assert list(organisation.themes.values_list("slug", flat=True)) == ["sport"]


def test_people_s_organisations_become_memberships_and_an_admin_stays_admin():
    old = OrganisationFactory(ref="oud")
    admin_of = OrganisationFactory(ref="beheerd")
    person = PersonFactory(ref="p-fatima")
    Membership.objects.create(person=person, organisation=old, role=Membership.Role.MEMBER)
    Membership.objects.create(person=person, organisation=admin_of, role=Membership.Role.ADMIN)

    report = run(ORGANISATION, {**PERSON, "organisations": ["buurtkracht", "beheerd"]})

    assert report.written, report.errors
    roles = dict(person.memberships.values_list("organisation__ref", "role"))
    assert roles == {"buurtkracht": "member", "beheerd": "admin"}


def test_an_email_links_the_account_only_when_nobody_has_it(user):
    UserFactory(email="fatima@voorbeeld.nl")
    PersonFactory(ref="p-ander", user=user)

    report = run(
        ORGANISATION,
        {**PERSON, "email": "Fatima@Voorbeeld.NL"},
        {
            "type": "person",
            "ref": "p-dubbel",
            "name": "Fatima (dubbel)",
            "email": "fatima@voorbeeld.nl",
        },
        {"type": "person", "ref": "p-bezet", "name": "Iemand", "email": user.email},
    )

    assert report.written, report.errors
    fatima = Person.objects.get(ref="p-fatima")
    assert fatima.user == User.objects.get(email="fatima@voorbeeld.nl")
    assert fatima.email == "Fatima@Voorbeeld.NL"
    assert Person.objects.get(ref="p-dubbel").user is None
    assert Person.objects.get(ref="p-bezet").user is None
    assert Person.objects.get(ref="p-bezet").email == user.email


def test_unicode_names_round_trip(tmp_path):
    names = ["Özdemir", "N'Diaye", "عائشة", "Zoë van 't Hof 👩🏽‍🏫"]
    file = write_file(
        tmp_path,
        *[
            {"type": "person", "ref": f"p-{i}", "name": name, "bio": f"Over {name}"}
            for i, name in enumerate(names)
        ],
    )

    assert import_command(file)[0] == 0

    assert sorted(Person.objects.values_list("name", flat=True)) == sorted(names)
    assert Person.objects.get(ref="p-2").bio == "Over عائشة"


def test_a_dry_run_writes_nothing(tmp_path):
    status, out, err = import_command(DEMO_FILE, "--dry-run")

    assert status == 0, err
    assert out.splitlines() == [
        "dry run: nothing written; 102 records valid: 23 organisation, 60 person, "
        "13 initiative, 6 fund (102 to create, 0 to update)"
    ]
    for model in DEMO_COUNTS:
        assert not model.objects.exists()


def test_a_dry_run_reports_problems_and_exits_1(tmp_path):
    file = write_file(tmp_path, PERSON)

    status, out, err = import_command(file, "--dry-run")

    assert status == 1
    assert out == ""
    assert err.splitlines()[0] == "line 1: organisations: unknown organisation 'buurtkracht'"


# The command ------------------------------------------------------------------------------


def test_the_command_prints_each_problem_on_stderr_and_exits_1(tmp_path, settings):
    settings.LANGUAGE_CODE = "nl"  # the output stays English: scripts read it
    file = write_file(
        tmp_path,
        ORGANISATION,
        "{not json",
        {"type": "person", "ref": "p-1", "name": "Kees", "open_to_matching": "ja", "email": "kees"},
    )

    status, out, err = import_command(file)

    assert status == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[:-1] == [
        "line 2: json: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        "line 3: open_to_matching: must be true or false, got a string",
        "line 3: email: Enter a valid email address.",
    ]
    assert lines[-1] == "CommandError: not imported: 3 problems on 2 lines; nothing written"


def test_a_missing_file_is_a_clear_error(tmp_path):
    status, _out, err = import_command(tmp_path / "bestaat-niet.jsonl")

    assert status == 1
    assert "bestaat-niet.jsonl: no such file" in err


def test_an_empty_file_imports_nothing(tmp_path):
    file = tmp_path / "leeg.jsonl"
    file.write_text("\n\n", encoding="utf-8")

    status, out, _err = import_command(file)

    assert status == 0
    assert out.strip() == "imported 0 records (0 created, 0 updated)"


# Registry and performance -----------------------------------------------------------------


def test_another_app_can_register_a_record_type(monkeypatch):
    monkeypatch.setitem(
        imports._record_types,
        "grant",
        ModelRecordType(model=Fund, label_field="name", fields=("description", "themes")),
    )

    report = run(
        {"type": "grant", "ref": "g-1", "name": "Wijkbudget", "themes": ["neighbourhood"]},
        {"type": "grant", "ref": "g-2", "name": "Buurtpot", "themes": ["cooking"]},
    )

    assert [str(problem) for problem in report.errors] == [
        "line 2: themes: unknown theme 'cooking' (allowed: dialogue, food, sport, art_culture, "
        "language, education, parents, work, emancipation, youth_work, health_care, "
        "neighbourhood, festival, volunteering, mentoring, faith)"
    ]
    assert run({"type": "grant", "ref": "g-1", "name": "Wijkbudget"}).written
    assert Fund.objects.get().ref == "g-1"


def test_registering_replaces_a_type(monkeypatch):
    monkeypatch.setattr(imports, "_record_types", dict(imports._record_types))
    handler = ModelRecordType(model=Fund, label_field="name", fields=())
    import_type_register(type_name="fund", handler=handler)

    assert imports.import_types()["fund"] is handler
    assert problems({"type": "fund", "ref": "f-1", "name": "F", "website": "https://f.nl"}) == [
        "line 1: website: unknown field for type 'fund' (allowed: name)"
    ]


def many_records(count: int) -> list[dict]:
    records = []
    for i in range(count):
        records.append(
            {
                "type": "organisation",
                "ref": f"o-{i}",
                "name": f"Org {i}",
                "themes": ["food"],
                "municipality": "Utrecht",
            }
        )
        records.append(
            {
                "type": "person",
                "ref": f"p-{i}",
                "name": f"Persoon {i}",
                "organisations": [f"o-{i}", "bestaand"],
                "languages": ["nl"],
            }
        )

    return records


def test_validating_costs_a_fixed_number_of_queries():
    OrganisationFactory(ref="bestaand")

    with CaptureQueriesContext(connection) as queries:
        report = run(*many_records(300), dry_run=True)

    assert report.ok, report.errors[:3]
    assert len(queries) < 20


def test_writing_and_rewriting_do_not_cost_a_query_a_line():
    OrganisationFactory(ref="bestaand")
    records = many_records(300)

    with CaptureQueriesContext(connection) as queries:
        assert run(*records).written
    assert len(queries) < 60
    assert Membership.objects.count() == 600

    with CaptureQueriesContext(connection) as queries:
        report = run(*records)
    assert (sum(report.created.values()), sum(report.updated.values())) == (0, 600)
    assert len(queries) < 60


# The admin upload -------------------------------------------------------------------------


def upload(content: bytes, name: str = "netwerk.jsonl") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.mark.urls(__name__)
def test_staff_see_the_upload_form(staff_client):
    response = staff_client.get("/admin/network/import/")

    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()


@pytest.mark.urls(__name__)
def test_staff_import_the_demo_file_from_the_admin(staff_client):
    response = staff_client.post("/admin/network/import/", {"file": upload(DEMO_FILE.read_bytes())})

    assert response.status_code == 200
    assert response.context["report"].written
    assert "102" in response.content.decode()
    assert Organisation.objects.count() == 23


@pytest.mark.urls(__name__)
def test_a_dry_run_from_the_admin_writes_nothing(staff_client):
    response = staff_client.post(
        "/admin/network/import/", {"file": upload(DEMO_FILE.read_bytes()), "dry_run": "on"}
    )

    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok and report.dry_run
    assert not Organisation.objects.exists()


@pytest.mark.urls(__name__)
def test_a_file_that_is_not_json_shows_its_problems(staff_client):
    content = b"naam;soort\nBuurtkracht;welzijn\n\xff\xfe\x00garbage\n"

    response = staff_client.post("/admin/network/import/", {"file": upload(content, "netwerk.csv")})

    assert response.status_code == 200
    found = response.context["problems"]
    assert [(problem.line, problem.field) for problem in found] == [
        (1, "json"),
        (2, "json"),
        (3, "json"),
    ]
    body = response.content.decode()
    assert all(escape(problem.message) in body for problem in found)
    assert not Organisation.objects.exists()


@pytest.mark.urls(__name__)
def test_an_upload_over_the_limit_is_refused_clearly(staff_client, monkeypatch):
    monkeypatch.setattr(admin_import, "MAX_UPLOAD_BYTES", 1000)

    response = staff_client.post("/admin/network/import/", {"file": upload(DEMO_FILE.read_bytes())})

    assert response.status_code == 400
    assert response.context["form"].has_error("file", code="too_large")
    assert not Organisation.objects.exists()


@pytest.mark.urls(__name__)
def test_a_post_without_a_file_asks_for_one(staff_client):
    response = staff_client.post("/admin/network/import/", {"dry_run": "on"})

    assert response.status_code == 400
    assert response.context["form"].has_error("file", code="required")


@pytest.mark.urls(__name__)
def test_the_upload_needs_the_csrf_token(staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)

    response = client.post("/admin/network/import/", {"file": upload(DEMO_FILE.read_bytes())})

    assert response.status_code == 403
    assert not Organisation.objects.exists()


@pytest.mark.urls(__name__)
def test_a_person_who_is_not_staff_is_sent_to_the_admin_login(user_client):
    response = user_client.post("/admin/network/import/", {"file": upload(DEMO_FILE.read_bytes())})

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert not Organisation.objects.exists()


@pytest.mark.urls(__name__)
def test_an_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get("/admin/network/import/")

    assert response.status_code == 302
    assert response.url == "/admin/login/?next=/admin/network/import/"


# Line length ------------------------------------------------------------------------------


class RecordingStream(io.BytesIO):
    """A binary file that remembers the longest piece it was asked to hand over at once."""

    longest = 0

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.longest = max(self.longest, len(line))
        return line

    def __next__(self) -> bytes:
        line = super().__next__()
        self.longest = max(self.longest, len(line))
        return line


def _long_line(size: int) -> str:
    return json.dumps({**ORGANISATION, "ref": "lang", "description": "x" * size})


def test_a_line_longer_than_the_limit_is_a_problem_and_never_read_whole(monkeypatch):
    monkeypatch.setattr(imports, "MAX_LINE_BYTES", 1000)
    content = (
        "\n".join(
            jsonl(ORGANISATION, _long_line(50_000), {"type": "fund", "ref": "f-1", "name": "Fonds"})
        )
        + "\n"
    )
    stream = RecordingStream(content.encode())

    with translation.override("en"):
        report = network_import(lines=stream, dry_run=False)

    assert [str(problem) for problem in report.errors] == [
        "line 2: json: line is too long (max 1000 bytes)"
    ]
    assert stream.longest <= 64 * 1024
    assert not Organisation.objects.exists()


def test_a_line_of_exactly_the_limit_is_read(monkeypatch):
    line = _long_line(0)
    monkeypatch.setattr(imports, "MAX_LINE_BYTES", len(line.encode()))
    report = network_import(lines=RecordingStream((line + "\n").encode()), dry_run=True)
    assert report.ok


def test_the_command_refuses_a_line_over_one_mebibyte(tmp_path):
    file = write_file(
        tmp_path,
        ORGANISATION,
        _long_line(imports.MAX_LINE_BYTES),
        {"type": "fund", "ref": "f-1", "name": "Fonds"},
    )

    status, _out, err = import_command(file, "--dry-run")

    assert status == 1
    assert err.splitlines()[0] == "line 2: json: line is too long (max 1048576 bytes)"
    assert not Organisation.objects.exists()


@pytest.mark.urls(__name__)
def test_the_admin_upload_reports_a_line_that_is_too_long(staff_client, monkeypatch):
    monkeypatch.setattr(imports, "MAX_LINE_BYTES", 1000)
    content = ("\n".join(jsonl(ORGANISATION, _long_line(5000))) + "\n").encode()

    response = staff_client.post("/admin/network/import/", {"file": upload(content)})

    assert response.status_code == 200
    assert [(p.line, p.field) for p in response.context["problems"]] == [(2, "json")]
    assert not Organisation.objects.exists()
