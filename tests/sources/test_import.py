"""`source` lines in the network import (docs/import.md, "source")."""

from __future__ import annotations

import json

import pytest

from network.services.imports import network_import
from sources.models import Source, SourceLink
from tests.factories import InitiativeFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _lines(*records) -> str:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records)


def test_good_lines_import_with_links_and_a_second_run_changes_nothing():
    OrganisationFactory(ref="movisie", name="Movisie")
    InitiativeFactory(ref="samenspraak", title="SamenSpraak")
    text = _lines(
        {"type": "organisation", "ref": "forum", "name": "Forum"},
        {
            "type": "source",
            "ref": "inburgeren-met-een-mentor",
            "title": "Inburgeren met een mentor",
            "author": "Movisie",
            "year": 2008,
            "url": "https://www.movisie.nl",
            "kind": "manual",
            "summary": "Een handleiding voor mentorprojecten.",
            "themes": ["mentoring"],
            "target_groups": ["newcomers"],
            "success_factors": ["volunteers"],
            "from_organisations": ["movisie"],
            "informed_initiatives": ["samenspraak"],
        },
        {
            "type": "source",
            "ref": "handreiking-interetnische-contacten",
            "title": "Handreiking Interetnische Contacten",
            "from_organisations": ["forum"],
        },
    )
    report = network_import(lines=text, dry_run=False)
    assert report.ok, report.errors
    assert report.created["source"] == 2
    source = Source.objects.get(ref="inburgeren-met-een-mentor")
    assert source.status == Source.Status.APPROVED
    assert [t.pk for t in source.themes.all()] == ["mentoring"]
    links = {
        (link.relation, (link.organisation or link.initiative).ref)
        for link in SourceLink.objects.filter(source=source).select_related(
            "organisation", "initiative"
        )
    }
    assert links == {("comes_from", "movisie"), ("informed", "samenspraak")}
    assert SourceLink.objects.filter(source__ref="handreiking-interetnische-contacten").count() == 1

    again = network_import(lines=text, dry_run=False)
    assert again.ok and again.created["source"] == 0
    assert SourceLink.objects.count() == 3

    # A link list in a line replaces that list; the other lists stay.
    network_import(
        lines=_lines(
            {
                "type": "source",
                "ref": "inburgeren-met-een-mentor",
                "title": "Inburgeren met een mentor",
                "informed_initiatives": [],
            }
        ),
        dry_run=False,
    )
    assert set(SourceLink.objects.filter(source=source).values_list("relation", flat=True)) == {
        "comes_from"
    }


def test_bad_lines_are_reported_per_line_and_nothing_is_written():
    text = _lines(
        {"type": "source", "ref": "goed", "title": "Een goede bron"},
        {"type": "source", "ref": "slecht-1", "title": "Bron", "url": "javascript:alert(1)"},
        {"type": "source", "ref": "slecht-2", "title": "Bron", "themes": ["koken"], "year": 1200},
        {"type": "source", "ref": "slecht-3", "title": "Bron", "informed_initiatives": ["nergens"]},
        {"type": "source", "ref": "slecht-4", "title": "", "kind": "boek", "colour": "blauw"},
        {"type": "source", "ref": "review", "title": "Een ref die een pagina is"},
    )
    report = network_import(lines=text, dry_run=False)
    assert not report.ok
    problems = {(p.line, p.field) for p in report.errors}
    assert (2, "url") in problems
    assert (3, "themes") in problems and (3, "year") in problems
    assert (4, "informed_initiatives") in problems
    assert {(5, "title"), (5, "kind"), (5, "colour")} <= problems
    assert (6, "ref") in problems  # /kennisbronnen/review/ is the review page
    assert not any(p.line == 1 for p in report.errors)
    assert not Source.objects.exists()
    assert "line 4: informed_initiatives:" in "\n".join(str(p) for p in report.errors)


def test_the_demo_data_holds_the_brochures_reading_list():
    from network.demo import demo_load

    demo_load()
    titles = set(Source.objects.values_list("title", flat=True))
    assert any(t.startswith("Inburgeren met een mentor") for t in titles)
    assert "Handreiking Interetnische Contacten" in titles
    assert Source.objects.filter(kind=Source.Kind.WEBSITE, url="https://www.movisie.nl").exists()
    assert (
        Source.objects.filter(kind__in=["publication", "manual", "research", "policy"]).count()
        >= 30
    )
    handreiking = Source.objects.get(title="Handreiking Interetnische Contacten")
    assert handreiking.author.startswith("Karen Bebelaar") and handreiking.year == 2007
    assert SourceLink.objects.filter(initiative__ref="eet-mee").exists()
