"""The knowledge bank's charts: valid SVG numbers in every language, bars proportional to
the counts, and accessible (a title, a description and a table with the same figures)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings

from network.charts import BAR_SPACE, DIMENSIONS
from network.models import Municipality, Theme
from tests.factories import InitiativeFactory
from tests.markup import parse_html

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
GEOMETRY = {"x", "y", "dx", "dy", "width", "height", "x1", "x2", "y1", "y2", "cx", "cy", "r"}
TEMPLATES = Path(settings.BASE_DIR) / "templates"


@pytest.fixture
def bank(db):
    # 3, 2 and 1 initiatives: 2/3 and 1/3 of the longest bar are not whole numbers, so a
    # localised decimal comma would show.
    food, language, sport = (Theme.objects.get(pk=s) for s in ("food", "language", "sport"))
    for _ in range(3):
        InitiativeFactory(themes=[food])
    InitiativeFactory(themes=[language])
    InitiativeFactory(themes=[language, sport])


def _parse_svg(source: str | bytes) -> ET.Element:
    # The app's own output in a test, not untrusted input; a strict XML parse is the point.
    return ET.fromstring(source)  # noqa: S314


def _local(tag: str) -> str:
    return tag.removeprefix(SVG)


def _check_svg(svg: ET.Element) -> dict[str, float]:
    """Every geometry attribute is a plain number; answers {label: bar width}."""
    assert _local(svg.tag) == "svg"
    for element in svg.iter():
        for name, value in element.attrib.items():
            if name in GEOMETRY and not value.endswith("%"):
                assert NUMBER.match(value), f"<{_local(element.tag)} {name}={value!r}>"
    view_box = svg.attrib["viewBox"].split()
    assert len(view_box) == 4 and all(NUMBER.match(n) for n in view_box), view_box

    # Each bar follows its label (the <text> at x=0).
    widths, label = {}, None
    for element in svg:
        if _local(element.tag) == "text" and element.attrib.get("x") == "0":
            label = element.text
        elif element.attrib.get("class") == "bruggen-chart__bar":
            widths[label] = float(element.attrib["width"])
    return widths


def _check_accessible(svg: ET.Element) -> None:
    assert svg.attrib["role"] == "img"
    by_id = {element.attrib.get("id"): element for element in svg.iter()}
    title = by_id[svg.attrib["aria-labelledby"]]
    desc = by_id[svg.attrib["aria-describedby"]]
    assert _local(title.tag) == "title" and title.text.strip()
    assert _local(desc.tag) == "desc" and desc.text.strip()


THEME_NAMES = {
    "nl": ("Koken & eten", "Taal", "Sport & bewegen", "Geloof & levensbeschouwing"),
    "en": ("Cooking & food", "Language", "Sport & exercise", "Faith & belief"),
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_each_chart_file_is_valid_svg_with_bars_proportional_to_the_counts(client, bank, language):
    food, language_name, sport, faith = THEME_NAMES[language]
    for dimension in DIMENSIONS:
        response = client.get(
            f"/initiatives/overview/{dimension.slug}.svg", HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 200
        svg = _parse_svg(response.content)
        widths = _check_svg(svg)
        _check_accessible(svg)
        if dimension.slug == "themes":
            assert widths[food] == BAR_SPACE
            assert widths[language_name] == pytest.approx(BAR_SPACE * 2 / 3, abs=0.01)
            assert widths[sport] == pytest.approx(BAR_SPACE / 3, abs=0.01)
            assert widths[faith] == 0


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_overview_shows_each_chart_inline_with_a_table_of_the_same_figures(
    client, bank, language
):
    html = client.get("/initiatives/overview/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)
    assert len(svgs) == len(DIMENSIONS)

    page = parse_html(html)
    sections = page.find_all("section", "bruggen-overview-section")
    assert len(sections) == len(DIMENSIONS)
    for source, section in zip(svgs, sections, strict=True):
        svg = _parse_svg(source)
        _check_accessible(svg)
        widths = _check_svg(svg)
        counts = {label.text: int(count.text) for label, count in _label_and_count_texts(svg)}
        table = {
            row.find_all("td")[0].text(): int(row.find_all("td")[1].text())
            for row in section.find_all("tbody")[0].find_all("tr")
        }
        assert counts == table
        assert set(widths) == set(table)
        maximum = max(table.values()) or 1
        for label, n in table.items():
            assert widths[label] == pytest.approx(BAR_SPACE * n / maximum, abs=0.01)


def _label_and_count_texts(svg: ET.Element):
    """(label <text>, count <text>) pairs: each bar has its label before and its count after."""
    texts = [element for element in svg if _local(element.tag) == "text"]
    return list(zip(texts[0::2], texts[1::2], strict=True))


def test_an_unknown_chart_is_a_404(client):
    assert client.get("/initiatives/overview/nonsense.svg").status_code == 404


def test_a_label_with_markup_stays_text_in_the_svg_file(client):
    """The chart file is served as image/svg+xml from the site's own origin, where a
    <script> in it would run when opened: labels are escaped like any template text."""
    hostile = Municipality.objects.create(
        slug="hostile", name='<script>alert("x")</script>', latitude=52.1, longitude=5.1
    )
    InitiativeFactory(municipality=hostile)
    response = client.get("/initiatives/overview/municipalities.svg")
    svg = _parse_svg(response.content)
    assert not [element for element in svg.iter() if _local(element.tag) == "script"]
    assert '<script>alert("x")</script>' in _check_svg(svg)


# Numbers a machine reads, in every template -------------------------------------------

MACHINE_ATTRIBUTES = re.compile(
    r"\s(?P<name>x|y|dx|dy|x1|x2|y1|y2|cx|cy|r|width|height|viewBox|transform|points|d|"
    r"style|offset|stroke-width|font-size)=\"(?P<value>[^\"]*\{\{[^\"]*)\""
)
LOCALIZE_OFF = re.compile(r"\{% localize off %\}.*?\{% endlocalize %\}", flags=re.DOTALL)


def test_no_template_writes_a_localised_number_where_a_machine_reads_it():
    """SVG geometry and inline CSS get a value unlocalised: inside {% localize off %} or
    through |unlocalize; with Dutch active Django would write 187.5 as "187,5"."""
    offenders = []
    for path in sorted([*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.svg")]):
        source = LOCALIZE_OFF.sub("", path.read_text())
        for match in MACHINE_ATTRIBUTES.finditer(source):
            variables = re.findall(r"\{\{(.*?)\}\}", match["value"])
            if any("|unlocalize" not in variable for variable in variables):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {match[0].strip()}")
    assert not offenders, "\n".join(offenders)


def test_whole_numbers_are_written_without_a_thousands_separator():
    # Ids and counts in data- attributes and URLs ({{ conversation.pk }}) are integers:
    # Django writes them as plain digits in every language while this stays off.
    assert settings.USE_THOUSAND_SEPARATOR is False
