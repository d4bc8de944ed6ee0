"""Two people chat in real time in two browsers, through Uvicorn (HTTP and WebSockets).

pytest-django's live_server is WSGI only, so this module starts its own Uvicorn process
against the same test database and serves pages and /ws/ from it (same origin, same
cookies). Selectors use data attributes, so the journey holds in every language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.asgi_server import free_port, uvicorn_start, uvicorn_stop, uvicorn_wait
from tests.e2e.conftest import assert_accessible, sign_in, wait_until
from tests.factories import DEFAULT_PASSWORD, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def asgi_server(transactional_db) -> Iterator[str]:
    """Uvicorn serving config.asgi on a free port; killed (with its children) at the end."""
    port = free_port()
    process = uvicorn_start(port=port, env={"DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost"})
    try:
        uvicorn_wait(process, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        uvicorn_stop(process)


def _person(name: str, email: str):
    user = UserFactory(email=email, name=name)
    return PersonFactory(user=user, name=name, municipality=None)


def _page(browser, base_url: str):
    context = browser.new_context(base_url=base_url, locale="nl-NL")
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _send(page, text: str) -> None:
    page.locator("[data-send-form] textarea[name=body]").fill(text)
    page.locator("[data-send-form] button[type=submit]").click()


def _bodies(page) -> list[str]:
    return page.locator("[data-messages] li[data-seq] .bruggen-chat__body").all_inner_texts()


def test_two_people_chat_in_real_time_and_nothing_is_lost_offline(browser, asgi_server):
    from messaging import services

    annelies = _person("Annelies Kramer", "annelies@voorbeeld.nl")
    yusuf = _person("Yusuf Özdemir", "yusuf@voorbeeld.nl")
    conversation = services.conversation_start(creator=annelies, participants=[yusuf])
    url = f"/conversations/{conversation.pk}/"

    context_a, a = _page(browser, asgi_server)
    context_y, y = _page(browser, asgi_server)
    try:
        sign_in(a, annelies.user.email, DEFAULT_PASSWORD)
        sign_in(y, yusuf.user.email, DEFAULT_PASSWORD)
        a.goto(url)
        y.goto(url)
        for page in (a, y):
            wait_until(
                page,
                "window.BruggenChat && window.BruggenChat.socket && window.BruggenChat.socket.readyState === 1",
            )
        assert_accessible(a, context="conversation page")

        # Typing shows at the other side; the message appears at both, once.
        a.locator("[data-send-form] textarea[name=body]").press_sequentially("Hallo Yusuf")
        expect(y.locator("[data-typing]")).to_contain_text("Annelies Kramer")
        a.locator("[data-send-form] button[type=submit]").click()
        expect(y.locator("[data-messages] li[data-seq='1']")).to_contain_text("Hallo Yusuf")
        expect(a.locator("[data-messages] li[data-seq='1']")).to_contain_text("Hallo Yusuf")
        expect(a.locator(".bruggen-chat__message--pending")).to_have_count(0)

        # Yusuf has it open, so Annelies sees it read.
        expect(a.locator("[data-read-receipts]")).to_contain_text("Yusuf Özdemir")
        _send(y, "Hoi Annelies, **leuk**!")
        expect(
            a.locator("[data-messages] li[data-seq='2'] .bruggen-chat__body strong")
        ).to_have_text("leuk")
        # The server drew both messages, the same for everyone; each person sees the
        # actions that are theirs: edit and delete on their own, report on the other's.
        mine = a.locator("[data-messages] li[data-seq='1']")
        theirs = a.locator("[data-messages] li[data-seq='2']")
        expect(mine.locator("a[data-own-only]")).to_be_visible()
        expect(mine.locator("button[data-own-only]")).to_be_visible()
        expect(mine.locator("[data-others-only]")).to_be_hidden()
        expect(theirs.locator("[data-others-only]")).to_be_visible()
        expect(theirs.locator("a[data-own-only]")).to_be_hidden()
        expect(y.locator("[data-messages] li[data-seq='1'] [data-others-only]")).to_be_visible()
        # Presence: both are online.
        expect(a.locator(f"[data-person='{yusuf.ref}'] [data-online]")).to_be_visible(
            timeout=15_000
        )

        # Yusuf goes offline; Annelies keeps writing; Yusuf comes back and syncs.
        context_y.set_offline(True)
        y.evaluate("window.BruggenChat.reconnect()")
        for number in range(3):
            _send(a, f"Terwijl je weg was {number}")
        expect(a.locator("[data-messages] li[data-seq='5']")).to_contain_text("weg was 2")
        y.wait_for_timeout(500)
        expect(y.locator("[data-messages] li[data-seq='3']")).to_have_count(0)  # really offline
        # Written while offline: pending now, sent after the reconnect.
        _send(y, "Ik schrijf offline")
        expect(y.locator(".bruggen-chat__message--pending")).to_have_count(1)
        context_y.set_offline(False)
        y.evaluate("window.dispatchEvent(new Event('online'))")
        expect(y.locator("[data-messages] li[data-seq='6']")).to_contain_text(
            "Ik schrijf offline", timeout=30_000
        )
        expect(a.locator("[data-messages] li[data-seq='6']")).to_contain_text("Ik schrijf offline")
        expected = [
            "Hallo Yusuf",
            "Hoi Annelies, leuk!",
            "Terwijl je weg was 0",
            "Terwijl je weg was 1",
            "Terwijl je weg was 2",
            "Ik schrijf offline",
        ]
        for page in (a, y):
            expect(page.locator(".bruggen-chat__message--pending")).to_have_count(0)
            assert _bodies(page) == expected
        # A reload shows the same history from the server, still once each.
        y.reload()
        assert _bodies(y) == expected
    finally:
        context_a.close()
        context_y.close()


def test_the_conversation_page_works_without_javascript(browser, asgi_server):
    from messaging.models import Message

    annelies = _person("Annelies Kramer", "annelies2@voorbeeld.nl")
    yusuf = _person("Yusuf Özdemir", "yusuf2@voorbeeld.nl")
    from messaging import services

    conversation = services.conversation_start(creator=annelies, participants=[yusuf])
    context = browser.new_context(base_url=asgi_server, locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, annelies.user.email, DEFAULT_PASSWORD)
        page.goto("/conversations/")
        page.locator(f"a[href='/conversations/{conversation.pk}/']").click()
        _send(page, "Zonder JavaScript")
        expect(page).to_have_url(re.compile(rf"/conversations/{conversation.pk}/#m1$"))
        expect(page.locator("[data-messages] li[data-seq='1']")).to_contain_text(
            "Zonder JavaScript"
        )
        assert Message.objects.filter(conversation=conversation).count() == 1
        # Delete: the message's button submits the page's one CSRF-protected form.
        page.locator("[data-messages] li[data-seq='1'] button[data-own-only]").click()
        expect(
            page.locator("[data-messages] li[data-seq='1'] .bruggen-chat__body em")
        ).to_be_visible()
        assert Message.objects.get(conversation=conversation).deleted_at is not None
    finally:
        context.close()
