"""Phone-sized screens and colours, in a real browser.

At 360 x 740 every main page fits the width, the navigation folds into a menu that takes
little of the first screen and opens to every link (by mouse and by keyboard), axe finds
nothing, and the numbers a machine reads are plain. Header and footer text reach WCAG AA
contrast against the colours the browser actually paints, gradient stops included.
Screenshots go to test-results/screenshots/ (gitignored): look at them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from matching.services.needs import need_create
from messaging.services import conversation_start, message_send
from network.models import Membership, SuccessFactor, TargetGroup, Theme
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import InitiativeFactory, OrganisationFactory, PersonFactory
from tests.wcag import Colour, contrast_ratio, gradient_colours, parse_colour

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-results" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
EMAIL = "fatima.nadiri@voorbeeld.nl"
PASSWORD = "Brug-over-de-Vecht-2026"


@pytest.fixture
def world(django_user_model) -> dict[str, str]:
    """A small network with something on every main page; answers the paths."""
    food = Theme.objects.get(pk="food")
    organisation = OrganisationFactory(name="Stichting Samen Koken Overvecht", themes=[food])
    user = django_user_model.objects.create_user(
        email=EMAIL, password=PASSWORD, name="Fatima Nadiri"
    )
    fatima = PersonFactory(user=user, name="Fatima Nadiri", themes=[food])
    Membership.objects.create(organisation=organisation, person=fatima, role=Membership.Role.ADMIN)
    karim = PersonFactory(name="Karim El Amrani-Özdemir", themes=[food])
    initiative = InitiativeFactory(
        title="Eet Mee! Bij Utrecht aan tafel met buren uit Overvecht en Kanaleneiland",
        organisation=organisation,
        themes=[food],
        lessons="Werf via sleutelfiguren; een ouder die meedoet trekt anderen mee.",
    )
    # Counts of 3, 2 and 1 in each overview chart: bars of a third and two thirds.
    language, sport = Theme.objects.get(pk="language"), Theme.objects.get(pk="sport")
    moroccan, youth = TargetGroup.objects.get(pk="moroccan"), TargetGroup.objects.get(pk="youth")
    network = SuccessFactor.objects.get(pk="network")
    InitiativeFactory(
        title="Taalcafé Zuilen", themes=[food, language], target_groups=[moroccan, youth]
    )
    InitiativeFactory(
        title="Sportief IJsselveld",
        themes=[sport, language],
        target_groups=[youth],
        success_factors=[network],
    )
    need = need_create(
        organisation=organisation,
        actor=user,
        data={
            "kind": "volunteer",
            "title": "Vrijwilligers die op woensdag mee willen koken",
            "description": "Voor onze kookavond in de wijk zoeken we twee vrijwilligers.",
        },
    )
    conversation = conversation_start(creator=fatima, participants=[karim])
    message_send(
        conversation_id=conversation.pk,
        author=fatima,
        body="Hoi Karim, heb je woensdag tijd om mee te koken? Het adres is Vechtplein 12.",
        client_id="layout-1",
    )
    return {
        "initiative": f"/initiatives/{initiative.ref}/",
        "need": f"/needs/{need.ref}/",
        "conversation": f"/conversations/{conversation.pk}/",
    }


def _main_pages(world: dict[str, str]) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("knowledge-bank", "/initiatives/"),
        ("overview", "/initiatives/overview/"),
        ("initiative", world["initiative"]),
        ("organisations", "/organisations/"),
        ("people", "/people/"),
        ("needs", "/needs/"),
        ("need", world["need"]),
        ("conversations", "/conversations/"),
        ("conversation", world["conversation"]),
        ("sign-in", "/accounts/login/"),
        ("account", "/accounts/profile/"),
    ]


def _screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _assert_fits_the_width(page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{where}: {width} px wide, more than {PHONE['width']}"


def _assert_machine_numbers_are_plain(page, where: str) -> None:
    """SVG geometry is a plain number and no data- attribute holds a localised one."""
    bad = page.evaluate(
        r"""() => {
        const bad = [];
        const geometry = ['x', 'y', 'dx', 'dy', 'width', 'height', 'cx', 'cy', 'r'];
        for (const el of document.querySelectorAll('svg, svg *')) {
            for (const name of geometry) {
                const value = el.getAttribute(name);
                if (value !== null && !/^-?\d+(\.\d+)?%?$/.test(value)) bad.push(`${el.tagName} ${name}=${value}`);
            }
        }
        for (const el of document.querySelectorAll('*')) {
            for (const attribute of el.attributes) {
                if (attribute.name.startsWith('data-') && /^-?\d{1,3}([.,]\d{3})+$|^-?\d+,\d+$/.test(attribute.value)) {
                    bad.push(`${el.tagName} ${attribute.name}=${attribute.value}`);
                }
            }
        }
        return bad;
    }"""
    )
    assert not bad, f"{where}: {bad}"


def _nav_links(page) -> list[str]:
    return page.locator("#site-navigation a, #site-navigation button").evaluate_all(
        "els => els.map(el => el.textContent.trim().replace(/\\s+/g, ' '))"
    )


def _assert_menu_works(page, where: str) -> None:
    button = page.locator("[data-menu-button]")
    nav = page.locator("#site-navigation")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_have_attribute("aria-controls", "site-navigation")
    expect(nav).to_be_hidden()
    header_bottom = page.evaluate("document.querySelector('header').getBoundingClientRect().bottom")
    assert header_bottom < PHONE["height"] / 3, f"{where}: the header ends at {header_bottom} px"

    # By keyboard: Enter on the button opens the menu; Tab then reaches every link in it.
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    names = _nav_links(page)
    assert names, f"{where}: no links in the navigation"
    reached = []
    for _ in range(len(names)):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const el = document.activeElement;
                return el.closest('#site-navigation') ? el.textContent.trim().replace(/\\s+/g, ' ') : null; }"""
        )
        reached.append(focused)
    assert reached == names, f"{where}: Tab reached {reached}, the menu has {names}"
    for control in page.locator("#site-navigation a, #site-navigation button").all():
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, (
            f"{where}: {control.text_content()} is outside the screen"
        )
    _assert_fits_the_width(page, f"{where} (menu open)")

    # Escape closes it and gives the focus back to the button; a click opens it again.
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    expect(nav).to_be_hidden()
    button.click()
    expect(nav).to_be_visible()
    button.click()
    expect(nav).to_be_hidden()


def _visit_on_a_phone(page, name: str, path: str, who: str) -> None:
    where = f"{path} ({who}, 360 px)"
    page.goto(path)
    page.wait_for_load_state("networkidle")
    _screenshot(page, f"360-{who}-{name}")  # first, to look at what a failure is about
    _assert_fits_the_width(page, where)
    _assert_machine_numbers_are_plain(page, where)
    assert_accessible(page, context=where)
    _assert_menu_works(page, where)
    page.locator("[data-menu-button]").click()
    _screenshot(page, f"360-{who}-{name}-menu")
    page.locator("[data-menu-button]").click()


def test_every_main_page_works_on_a_phone_signed_out(page, world):
    page.set_viewport_size(PHONE)
    for name, path in _main_pages(world):
        _visit_on_a_phone(page, name, path, "anonymous")


def test_every_main_page_works_on_a_phone_signed_in(page, world):
    page.set_viewport_size(PHONE)
    sign_in(page, EMAIL, PASSWORD)
    for name, path in _main_pages(world):
        _visit_on_a_phone(page, name, path, "signed-in")


def test_the_chat_fills_a_phone_screen(page, world):
    page.set_viewport_size(PHONE)
    sign_in(page, EMAIL, PASSWORD)
    page.goto(world["conversation"])
    chat = page.locator("[data-chat]")
    box = chat.bounding_box()
    assert box["width"] >= PHONE["width"] - 2 * 16 - 1  # the page's own margins only
    assert box["height"] >= PHONE["height"] * 0.75
    # The box to write in is inside the chat's own height, not below a long page.
    send = page.locator("[data-send-form]").bounding_box()
    assert send["x"] + send["width"] <= PHONE["width"]
    assert send["y"] + send["height"] <= box["y"] + box["height"] + 1
    _assert_fits_the_width(page, "conversation")
    _screenshot(page, "360-signed-in-chat")


def test_without_javascript_the_navigation_is_a_visible_list(browser, live_server, world):
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", java_script_enabled=False, viewport=PHONE
    )
    page = context.new_page()
    try:
        page.goto("/")
        expect(page.locator("[data-menu-button]")).to_be_hidden()
        links = page.locator("#site-navigation a")
        assert links.count() >= 6
        for link in links.all():
            expect(link).to_be_visible()
        _assert_fits_the_width(page, "home without JavaScript")
        _screenshot(page, "360-anonymous-home-no-javascript")
    finally:
        context.close()


def test_desktop_screenshots_and_a_visible_navigation(page, world):
    page.set_viewport_size(DESKTOP)
    for name, path in [("home", "/"), ("overview", "/initiatives/overview/")]:
        page.goto(path)
        expect(page.locator("[data-menu-button]")).to_be_hidden()
        expect(page.locator("#site-navigation")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
        _screenshot(page, f"1280-{name}")
    # The overview's charts draw bars in Dutch: each bar a real width.
    widths = page.locator("svg.bruggen-chart rect.bruggen-chart__bar").evaluate_all(
        "els => els.map(el => el.getBoundingClientRect().width)"
    )
    assert widths and max(widths) > 100


# Contrast, as the browser paints it ---------------------------------------------------

READ_COLOURS = """() => {
    const result = [];
    const regions = document.querySelectorAll('header, footer');
    for (const region of regions) {
        for (const el of region.querySelectorAll('*')) {
            const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
            const style = getComputedStyle(el);
            if (!own || style.visibility === 'hidden' || el.getClientRects().length === 0) continue;
            let node = el, background = null, images = [];
            while (node && node.nodeType === 1) {
                const s = getComputedStyle(node);
                if (s.backgroundImage && s.backgroundImage !== 'none') images.push(s.backgroundImage);
                if (s.backgroundColor && !/rgba\\(.*,\\s*0\\)$/.test(s.backgroundColor) && s.backgroundColor !== 'transparent') {
                    background = s.backgroundColor; break;
                }
                node = node.parentElement;
            }
            result.push({
                text: el.textContent.trim().slice(0, 40), tag: el.tagName,
                color: style.color, background: background || 'rgb(255, 255, 255)', images,
                size: parseFloat(style.fontSize), weight: parseInt(style.fontWeight, 10),
            });
        }
    }
    return result;
}"""


def _large(size_px: float, weight: int) -> bool:
    # WCAG: 18 pt, or 14 pt bold (1 pt = 4/3 px).
    return size_px >= 24 or (size_px >= 18.66 and weight >= 700)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_header_and_footer_text_reach_aa_contrast_as_painted(page, world, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, EMAIL, PASSWORD)
    failures, checked = [], 0
    for path in ["/", "/initiatives/overview/"]:
        page.goto(path)
        if viewport is PHONE:
            page.locator("[data-menu-button]").click()
        for item in page.evaluate(READ_COLOURS):
            text = parse_colour(item["color"])
            backgrounds: list[Colour] = [parse_colour(item["background"])]
            for image in item["images"]:
                assert "url(" not in image, f"text on an image: {item}"
                backgrounds += gradient_colours(image)
            needed = 3.0 if _large(item["size"], item["weight"]) else 4.5
            for background in backgrounds:
                checked += 1
                ratio = contrast_ratio(text, background)
                if ratio < needed:
                    failures.append(f"{path} {item['tag']} {item['text']!r}: {ratio:.2f}")
    assert checked > 10
    assert not failures, "\n".join(dict.fromkeys(failures))


def test_the_language_switch_keeps_the_phone_layout(page):
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.get_by_role("button", name=re.compile("English")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _assert_fits_the_width(page, "home in English")
    expect(page.locator("[data-menu-button]")).to_have_text("Menu")
    _screenshot(page, "360-anonymous-home-english")
