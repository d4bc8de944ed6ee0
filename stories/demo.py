"""Demo stories for `make run` (network.demo.demo_step_register): five approved stories about
the brochure's projects, one waiting for review, and one asked of Annelies and not yet
answered. Written through the real services (ask, answer, review), so the initiatives'
records change exactly as in use. Dates are relative to today. See docs/stories.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from network.models import Initiative
from stories.models import Story
from stories.services import stories_start, story_answer, story_review

STAFF_EMAIL = "beheer@demo.bruggen.nl"
# Asked of Annelies (the leader of Eet Mee!) by Sanne, a member of Cultuurinzicht: Mijn
# Bruggen shows it under "Wacht op jou".
ASKED_INITIATIVE = "eet-mee"
ASKED_BY = "sanne@demo.bruggen.nl"


@dataclass(frozen=True)
class DemoStory:
    initiative: str  # the initiative's ref; its leader writes the story
    days_ago: int | None  # reviewed that many days ago; None: sent, waiting for review
    answers: dict


DEMO_STORIES = [
    DemoStory(
        "bos-sportief-ijsselveld",
        260,
        {
            "what_worked": "De buurtsportbus kwam naar de pleinen waar de jongeren al waren. "
            "Voetbal in de kooi trok elke week nieuwe jongens en ook meisjes.",
            "what_did_not": "Ouders kwamen bijna nooit kijken. Na de zomer kwamen er minder "
            "jongeren.",
            "results": "Jongeren uit IJsselveld sporten samen en kennen de buurtsportcoach.",
            "participants_reached": 140,
            "volunteers": 8,
            "activities": 36,
            "success_factors": ["local_outreach", "low_threshold", "role_models"],
            "obstacles": ["hard_to_reach", "lasting_contact"],
            "lesson": "Ga naar de plek waar de jongeren al zijn. Vraag oudere jongeren om "
            "mee te helpen.",
            "consent": True,
        },
    ),
    DemoStory(
        "dag-van-de-dialoog-amersfoort",
        170,
        {
            "what_worked": "Een groep uit de stad dacht mee over het thema. Een aannemer, een "
            "sportclub en een zorgaanbieder deden mee, zo kwamen er veel plekken bij.",
            "what_did_not": "Het kostte veel tijd om genoeg gespreksleiders te vinden.",
            "results": "Op veel plekken in Amersfoort praatten mensen met verschillende "
            "achtergronden met elkaar.",
            "participants_reached": 420,
            "volunteers": 35,
            "activities": 28,
            "success_factors": ["partners", "network", "shared_interest"],
            "obstacles": ["workload", "network_upkeep"],
            "lesson": "Begin op tijd met het zoeken van partners en gespreksleiders.",
            "consent": True,
        },
    ),
    DemoStory(
        "samenspraak",
        110,
        {
            "what_worked": "Een vrijwilliger en een anderstalige praten elke week een uur "
            "Nederlands, over wat zij zelf kiezen. Dat voelt niet als les.",
            "what_did_not": "Sommige vrijwilligers wisten niet goed hoe ze moesten beginnen.",
            "results": "Deelnemers durven meer Nederlands te spreken, ook buiten het uur.",
            "participants_reached": 60,
            "volunteers": 60,
            "activities": 1800,
            "success_factors": ["volunteers", "low_threshold", "start_small"],
            "obstacles": ["volunteer_training", "language_barrier"],
            "lesson": "Geef vrijwilligers een korte training voor het eerste gesprek.",
            "consent": True,
        },
    ),
    DemoStory(
        "netwerk-inzicht",
        55,
        {
            "what_worked": "Sleutelfiguren uit de Marokkaanse en later de Somalische groep "
            "brachten mensen mee. Zij spraken de eigen taal.",
            "what_did_not": "Het duurde lang voor mensen ons vertrouwden.",
            "results": "Het netwerk loopt al jaren en wordt groter.",
            "participants_reached": 230,
            "volunteers": 14,
            "success_factors": ["own_language", "target_group_knowledge", "proactive"],
            "obstacles": ["trust"],
            "lesson": "Werk met sleutelfiguren en neem de tijd om vertrouwen op te bouwen.",
            "consent": True,
        },
    ),
    DemoStory(
        "ouders-ontmoeten-elkaar",
        15,
        {
            "what_worked": "De basisschool is een plek waar ouders al komen. Koken, sport en "
            "kunst maakten het makkelijk om kennis te maken.",
            "what_did_not": "Het was moeilijk om te laten zien wat het project opleverde.",
            "results": "Ouders van verschillende afkomst groeten elkaar en helpen elkaar.",
            "participants_reached": 95,
            "activities": 12,
            "success_factors": ["activities_fit", "low_threshold"],
            "obstacles": ["hard_to_measure", "funding"],
            "lesson": "Kies activiteiten die ouders leuk vinden. Het gesprek komt dan vanzelf.",
            "consent": True,
        },
    ),
    DemoStory(
        "ramadanfestival",
        None,
        {
            "what_worked": "Bij de iftar op straat zaten buren aan tafel die elkaar nog niet "
            "kenden.",
            "what_did_not": "Autochtone bewoners kwamen minder dan we hoopten.",
            "results": "Via hockeyclubs en de Rotary kwamen nieuwe gasten.",
            "participants_reached": 1500,
            "success_factors": ["partners", "shared_interest"],
            "obstacles": ["resistance"],
            "lesson": "Nodig mensen uit via clubs waar ze al lid van zijn.",
            "consent": True,
        },
    ),
]


def _leader_story(initiative: Initiative) -> Story | None:
    return Story.objects.filter(
        person_id=initiative.leader_id, subject=f"initiative:{initiative.pk}"
    ).first()


def demo_stories() -> str:
    """Idempotent: a story that is there already (answered, reviewed or changed since) is
    left as it is."""
    staff = User.objects.filter(email__iexact=STAFF_EMAIL).first()
    if staff is None:
        return ""
    now = timezone.now()
    initiatives = Initiative.objects.in_bulk(
        [demo.initiative for demo in DEMO_STORIES] + [ASKED_INITIATIVE], field_name="ref"
    )
    made = 0
    for demo in DEMO_STORIES:
        initiative = initiatives.get(demo.initiative)
        if initiative is None or initiative.leader_id is None or _leader_story(initiative):
            continue
        stories_start(actor=staff, initiative=initiative)
        story = _leader_story(initiative)
        # The leader answers through the signed link (the invented people have no account).
        story_answer(
            story=story, actor=None, data=demo.answers, submit=True, link_story_id=story.pk
        )
        reviewed = now - timedelta(days=demo.days_ago or 0)
        Story.objects.filter(pk=story.pk).update(
            asked_at=reviewed - timedelta(days=12),
            last_mailed_at=reviewed - timedelta(days=12),
            saved_at=reviewed - timedelta(days=4),
            submitted_at=reviewed - timedelta(days=4),
        )
        if demo.days_ago is not None:
            story_review(story=story, actor=staff, approve=True, now=reviewed)
        made += 1
    asked = initiatives.get(ASKED_INITIATIVE)
    asker = User.objects.filter(email__iexact=ASKED_BY).first()
    if asked is not None and asker is not None and not _leader_story(asked):
        made += stories_start(actor=asker, initiative=asked)
    return f"{made} stories" if made else ""
