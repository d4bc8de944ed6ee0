"""Every page, walked in a Dutch browser, shows no English string from the catalogue; and
the same walk in English, Arabic and Turkish (docs/languages.md).

The English side of each catalogue entry whose Dutch differs is a string that must never
be visible on a Dutch page: if it is, a template or view forgot to translate it, or the
catalogue lacks it. The same holds for the Arabic and Turkish catalogues; every page also
says its language in <html lang> and, in Arabic, dir="rtl". The walk covers every page of the apps (a second test checks that no
named page is left out), as an anonymous visitor, as people with data (the demo network)
and as staff.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from outreach import services as outreach_services
from stories.links import story_link_token

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "bruggen-demo"

# Pages that are not a page to look at: actions that only take a POST, links that need a
# token from a mail, files and data. Each with the reason it is skipped.
NOT_PAGES = {
    "set_language": "POST only: the language switch",
    "accounts:language": "POST only: the language setting on the account page",
    "network:chart": "an SVG image, checked by tests/network for its geometry",
    "network:organisation_member_remove": "POST only",
    "network:organisation_leave": "POST only",
    "network:invitation_accept": "needs a token from an invitation mail",
    "network:person_claim": "needs a token from a claim mail",
    "matching:need_close": "POST only",
    "matching:proposal_action": "POST only",
    "messaging:topic_join": "POST only",
    "messaging:moderation_decide": "POST only",
    "messaging:unsubscribe": "needs a token from a mail",
    "messaging:leave": "POST only",
    "messaging:message_delete": "POST only",
    "messaging:attachment": "a file download",
    "accounts:token_revoke": "POST only",
    "accounts:export": "a JSON download",
    "matching:proposal_feedback": "asked 30 days after an introduction; tests/matching",
    "network:name_suggest": "an HTML fragment of options, not a page",
    "home:start_dismiss": "POST only",
    "home:start_draft": "POST only: the guided start keeps what is typed",
    "sources:approve": "POST only",
    "sources:reject": "POST only (a refused reason shows the review page, which is walked)",
    "outreach:invitation_flyer": "a PDF download; tests/outreach reads its Dutch text",
    "outreach:invitation_withdraw": "POST only",
}


LANGUAGES = {"nl": "nl-NL", "en": "en-GB", "ar": "ar", "tr": "tr-TR"}


def _english_strings(language: str = "nl") -> list[str]:
    """English msgids whose translation differs: long enough to be unmistakably English."""
    if language == "en":
        return []
    text = (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    strings = []
    for block in text.split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr ((?:".*"\n?)+)', block, re.M)
        if not msgid or not msgstr or "msgid_plural" in block:
            continue
        english = "".join(re.findall(r'"(.*)"', msgid.group(1)))
        dutch = "".join(re.findall(r'"(.*)"', msgstr.group(1)))
        if not english or english == dutch or "%(" in english or "<" in english:
            continue
        english = english.replace('\\"', '"').replace("\\n", " ")
        # Three words or more: short labels ("Start", "Open") exist in Dutch as well.
        if len(english.split()) >= 3:
            strings.append(english)
    return strings


def _page_names() -> set[str]:
    names = set()

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in ("admin", "api-v1"):
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns)
    # allauth's pages that a person reaches in normal use; the rest need a mail's key.
    return {
        name
        for name in names
        if not name.startswith(("account_", "mfa_", "network_import"))
        or name
        in {
            "account_login",
            "account_signup",
            "account_email",
            "account_change_password",
            "account_reset_password",
            "mfa_index",
        }
    }


def _world():
    """The demo network, plus a conversation with a message and a need's proposals."""
    from matching.models import Need, Proposal
    from messaging import services as messaging_services
    from network.demo import demo_load
    from network.models import Initiative, Organisation, Person

    demo_load()
    annelies = Person.objects.get(user__email="annelies@demo.bruggen.nl")
    karim = Person.objects.get(user__email="karim@demo.bruggen.nl")
    conversation = messaging_services.conversation_start(creator=annelies, participants=[karim])
    messaging_services.message_send(
        conversation_id=conversation.pk, author=annelies, body="Hoi Karim!", client_id="nl-1"
    )
    need = Need.objects.filter(organisation__memberships__person=annelies).first()
    organisation = Organisation.objects.filter(memberships__person=annelies).first()
    proposal = Proposal.objects.filter(need=need).first()
    # A suggestion waiting for review: Annelies sees it as hers, staff on the review page.
    from sources import services as source_services

    suggestion = source_services.source_suggest(
        suggester=annelies.user,
        data={"title": "Handboek buurtmaaltijden", "kind": "manual", "url": "https://example.org"},
    )
    invitation = outreach_services.invitation_create(
        actor=Person.objects.get(user__email="hodan@demo.bruggen.nl").user,
        initiative=Initiative.objects.get(ref="eet-mee"),
        title="Koffieochtend",
        starts_at=timezone.now() + timedelta(days=7),
        place="De Bron",
    )
    story, review = _stories(need=need, asker=annelies, candidate=karim)
    return {
        "suggestion": suggestion.ref,
        "initiative": Initiative.objects.first().ref,
        "organisation": organisation.ref,
        "person": karim.ref,
        "fund": "oranjefonds",
        "need": need.ref,
        "conversation": conversation.pk,
        "message": conversation.messages.first().pk,
        "proposal": proposal.pk if proposal else None,
        "topic_slug": "food",
        "invitation": invitation.pk,
        "respond": outreach_services.invitation_link(invitation).split("/come/", 1)[1],
        "story": story.pk,
        "story_review": review.pk,
        "story_token": story_link_token(story.pk),
    }


def _stories(*, need, asker, candidate):
    """A story asked of Annelies, and one Karim sent that waits for her review."""
    from stories.models import Story

    story = Story.objects.create(
        person=asker,
        subject=f"need:{need.pk}",
        trigger=Story.Trigger.NEED_CLOSED,
        need=need,
        organisation=need.organisation,
        title=need.title,
    )
    review = Story.objects.create(
        person=candidate,
        subject=f"need:{need.pk}",
        trigger=Story.Trigger.NEED_CLOSED,
        need=need,
        organisation=need.organisation,
        title=need.title,
        status=Story.Status.SUBMITTED,
        what_worked="Samen koken met de ouders.",
        consent=True,
    )
    return story, review


def _walk(values: dict) -> dict[str, list[str]]:
    """Page name → URLs to visit, and as whom."""
    initiative, organisation = values["initiative"], values["organisation"]
    need, conversation = values["need"], values["conversation"]
    pages = {
        "home": ["/"],
        "home:start": ["/start/"],
        "home:start_step": ["/start/purpose/", "/start/profile/", "/start/next/"],
        "network:initiative_list": ["/initiatives/", "/initiatives/?q=ouders"],
        "network:overview": ["/initiatives/overview/"],
        "network:initiative_detail": [f"/initiatives/{initiative}/"],
        "network:initiative_edit": [f"/initiatives/{initiative}/edit/"],
        "network:organisation_list": ["/organisations/"],
        "network:organisation_register": ["/organisations/new/"],
        "network:organisation_detail": [f"/organisations/{organisation}/"],
        "network:organisation_edit": [f"/organisations/{organisation}/edit/"],
        "network:organisation_members": [f"/organisations/{organisation}/members/"],
        "network:initiative_create": [f"/organisations/{organisation}/initiatives/new/"],
        "network:person_list": ["/people/"],
        "network:person_detail": [f"/people/{values['person']}/"],
        "network:profile_edit": ["/profile/"],
        "network:fund_list": ["/funds/"],
        "network:fund_detail": [f"/funds/{values['fund']}/"],
        "matching:need_list": ["/needs/"],
        "matching:need_detail": [f"/needs/{need}/"],
        "matching:need_edit": [f"/needs/{need}/edit/"],
        "matching:need_create": [f"/organisations/{organisation}/needs/new/"],
        "matching:requests": ["/requests/"],
        "matching:round_list": ["/matching/rounds/"],
        "matching:round_detail": [],
        "messaging:conversation_list": ["/conversations/"],
        "messaging:conversation_start": ["/conversations/new/"],
        "messaging:search": ["/conversations/search/?q=Karim"],
        "messaging:settings": ["/conversations/settings/"],
        "messaging:topic_list": ["/conversations/topics/"],
        "messaging:team": [f"/conversations/team/{organisation}/"],
        "messaging:moderation": ["/conversations/moderation/"],
        "messaging:conversation_detail": [f"/conversations/{conversation}/"],
        "messaging:members": [f"/conversations/{conversation}/members/"],
        "messaging:message_edit": [
            f"/conversations/{conversation}/messages/{values['message']}/edit/"
        ],
        "messaging:message_report": [
            f"/conversations/{conversation}/messages/{values['message']}/report/"
        ],
        "messaging:notifications": ["/notifications/"],
        "accounts:profile": ["/accounts/profile/"],
        "accounts:token_create": [],
        "accounts:delete": ["/accounts/delete/"],
        "account_login": ["/accounts/login/"],
        "account_signup": ["/accounts/signup/"],
        "account_email": ["/accounts/email/"],
        "account_change_password": ["/accounts/password/change/"],
        "account_reset_password": ["/accounts/password/reset/"],
        "mfa_index": ["/accounts/2fa/"],
        "sources:list": ["/kennisbronnen/", "/kennisbronnen/?q=mentor&theme=mentoring"],
        "sources:detail": [
            "/kennisbronnen/inburgeren-met-een-mentor-2008/",
            f"/kennisbronnen/{values['suggestion']}/",
        ],
        "sources:suggest": ["/kennisbronnen/suggest/"],
        "sources:review": ["/kennisbronnen/review/"],
        # Annelies leads Eet Mee!; the key figure's own pages are walked as Hodan below.
        "outreach:initiative_reach": ["/initiatives/eet-mee/reach/"],
        "outreach:invitation_list": [],
        "outreach:invitation_create": [],
        "outreach:invitation_detail": [],
        "outreach:respond": [],
        "stories:story_list": ["/stories/"],
        "stories:review_queue": ["/stories/review/"],
        "stories:story_detail": [f"/stories/{values['story']}/"],
        "stories:story_review": [f"/stories/{values['story_review']}/review/"],
        "stories:story_link": [f"/stories/link/{values['story_token']}/", "/stories/link/kapot/"],
    }
    return pages


def test_every_page_is_walked_or_skipped_for_a_reason():
    walked = set(
        _walk(
            dict.fromkeys(
                (
                    "initiative",
                    "organisation",
                    "person",
                    "fund",
                    "need",
                    "conversation",
                    "message",
                    "proposal",
                    "topic_slug",
                    "suggestion",
                    "invitation",
                    "respond",
                    "story",
                    "story_review",
                    "story_token",
                ),
                "x",
            )
        )
    )
    missing = _page_names() - walked - set(NOT_PAGES)
    assert missing == set(), f"pages the Dutch walk does not visit: {sorted(missing)}"


def _visible_text(page) -> str:
    return page.evaluate(
        """() => {
            const parts = [document.title, document.body.innerText];
            for (const el of document.querySelectorAll('[placeholder],[aria-label],[title],input[type=submit],option')) {
                parts.push(el.getAttribute('placeholder') || '', el.getAttribute('aria-label') || '',
                           el.getAttribute('title') || '', el.value || '', el.textContent || '');
            }
            return parts.join('\\n');
        }"""
    )


CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline'));
});
"""


def _sign_in_any_language(page, email: str, password: str) -> None:
    """The sign-in form by its fields' names: its labels are in the page's language."""
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_page_in_dutch_shows_no_english(browser, live_server, language):
    """...and breaks no rule of the Content-Security-Policy (docs/security.md): a page
    that needs an inline script or a foreign host would show a violation here. Walked in
    each language: every page carries that language and its direction."""
    context = browser.new_context(base_url=live_server.url, locale=LANGUAGES[language])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.add_init_script(CSP_LISTENER)
    english = _english_strings(language)
    assert language == "en" or len(english) > 200
    direction = "rtl" if language == "ar" else "ltr"
    values = _world()
    pages = _walk(values)
    found: list[str] = []

    def check(url: str, who: str) -> None:
        response = page.goto(url)
        if response is None or response.status >= 500:
            found.append(f"{who} {url}: answered {response.status if response else 'nothing'}")
            return
        violations = page.evaluate("window.__cspViolations || []")
        found.extend(f"{who} {url}: CSP blocked {v}" for v in violations)
        if who == "beheer-admin":
            return
        html = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
        if html != [language, direction]:
            found.append(f"{who} {url}: <html lang dir> is {html}, not {[language, direction]}")
        text = _visible_text(page)
        for string in english:
            if string in text:
                found.append(f"{who} {url}: {string!r}")

    for url in (
        "/",
        "/initiatives/",
        "/initiatives/overview/",
        "/needs/",
        "/people/",
        "/organisations/",
        "/funds/",
        "/kennisbronnen/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ):
        check(url, "anonymous")
    for email in ("annelies@demo.bruggen.nl", "beheer@demo.bruggen.nl"):
        _sign_in_any_language(page, email, DEMO_PASSWORD)
        for urls in pages.values():
            for url in urls:
                if url.startswith(("/accounts/login/", "/accounts/signup/")):
                    continue
                check(url, email.split("@")[0])
        if email.startswith("beheer"):
            # Django's admin: only the policy is checked here, its words are Django's.
            for url in (
                "/admin/",
                "/admin/network/person/",
                "/admin/network/import/",
                "/admin/sources/source/",
            ):
                check(url, "beheer-admin")
        page.context.clear_cookies()
    _sign_in_any_language(page, "hodan@demo.bruggen.nl", DEMO_PASSWORD)
    for url in ("/reach/", "/reach/new/", f"/reach/{values['invitation']}/"):
        check(url, "hodan")
    page.context.clear_cookies()
    check(f"/come/{values['respond']}/", "anonymous")
    context.close()
    assert found == [], f"English on {language} pages:\n" + "\n".join(found)
