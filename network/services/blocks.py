from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from network.events import profile_changed
from network.models import Block, Person


@transaction.atomic
def block_create(*, blocker: Person, blocked: Person) -> Block:
    if blocker.pk == blocked.pk:
        raise ValidationError(_("You cannot block yourself."))
    block, _created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    profile_changed("person", blocked.pk)
    return block


@transaction.atomic
def block_remove(*, blocker: Person, blocked: Person) -> None:
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    profile_changed("person", blocked.pk)
