"""A process that holds a matching index, driven over stdin and stdout (one JSON object a
line), for tests/matching/test_cross_process.py: what a Gunicorn or Celery worker does
with its index, without the server around it.

    {"rank": need_id}                    -> {"ids": [[kind, id], ...], "builds": n}
    {"hide": person_id}                  -> {"done": true}   (through the service, committed)
    {"bio": [person_id, "new text"]}     -> {"done": true}
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from matching import index as matching_index  # noqa: E402
from matching.models import Need  # noqa: E402
from network.models import Person  # noqa: E402
from network.services import people as people_services  # noqa: E402


def _staff():
    user, _created = get_user_model().objects.get_or_create(
        email="staf-proces@voorbeeld.nl", defaults={"is_staff": True}
    )
    return user


def main() -> None:
    matching_index.index_warm()  # as the server hooks do, before traffic
    print(json.dumps({"ready": True, "builds": matching_index.index_builds()}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if "rank" in command:
            need = Need.objects.get(pk=command["rank"])
            result = matching_index.index_rank(matching_index.need_query(need, limit=50))
            answer = {
                "ids": [[p.kind, p.id] for p in result.proposals],
                "scores": [round(p.score, 6) for p in result.proposals],
                "builds": matching_index.index_builds(),
            }
        elif "hide" in command:
            person = Person.objects.get(pk=command["hide"])
            people_services.person_update(
                person=person, actor=_staff(), data={"visibility": Person.Visibility.HIDDEN}
            )
            answer = {"done": True}
        elif "bio" in command:
            pk, bio = command["bio"]
            person = Person.objects.get(pk=pk)
            people_services.person_update(person=person, actor=_staff(), data={"bio": bio})
            answer = {"done": True}
        else:
            answer = {"error": "unknown command"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
