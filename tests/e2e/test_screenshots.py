"""The four pages a newcomer meets first, at desktop and phone width, in Dutch: Mijn Bruggen,
the guided start, the knowledge bank in figures and a conversation. Each is kept as a
screenshot under test-results/screenshots/ (a test artefact, looked at by people) and checked
for what a person would notice at once: a heading and no sideways scrolling (the Dutch
walk, tests/e2e/test_dutch_everywhere.py, checks the words)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import sign_in, sign_up

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
WIDTHS = {1280: 900, 360: 740}
DEMO_PASSWORD = "bruggen-demo"


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").first.is_visible(), f"{name} at {width}px has no heading"
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{name} at {width}px scrolls sideways ({overflow}px)"
        page.screenshot(path=str(SHOTS / f"first-hour-{name}-{width}.png"), full_page=True)


def test_the_first_pages_at_desktop_and_phone_width(page, live_server):
    from messaging import services as messaging_services
    from network.demo import demo_load
    from network.models import Person

    demo_load()
    annelies = Person.objects.get(user__email="annelies@demo.bruggen.nl")
    karim = Person.objects.get(user__email="karim@demo.bruggen.nl")
    conversation = messaging_services.conversation_start(creator=annelies, participants=[karim])
    for number, (author, body) in enumerate(
        [
            (annelies, "Hoi Karim! Wil je meedenken over de kookavonden in Overvecht?"),
            (karim, "Graag. Ik ken twee moeders die willen helpen, zal ik ze vragen?"),
            (annelies, "Ja, heel fijn. Donderdag om 19.00 uur in het buurthuis?"),
        ]
    ):
        messaging_services.message_send(
            conversation_id=conversation.pk, author=author, body=body, client_id=f"shot-{number}"
        )

    page.goto("/initiatives/overview/")
    _shoot(page, "knowledge-bank-overview")

    sign_in(page, "annelies@demo.bruggen.nl", DEMO_PASSWORD)
    page.goto("/")
    _shoot(page, "home")
    page.goto(f"/conversations/{conversation.pk}/")
    _shoot(page, "conversation")

    page.context.clear_cookies()
    sign_up(page, "hodan.abdi@voorbeeld.nl", "Brug-naar-Kanaleneiland-2024", name="Hodan Abdi")
    page.wait_for_url("**/start/**")
    _shoot(page, "guided-start")
