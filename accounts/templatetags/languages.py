from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def language_choices() -> list[tuple[str, str]]:
    """settings.LANGUAGES as written: each language in its own script. Django's
    {% get_available_languages %} would run the names through gettext ("English" in an
    Arabic page would become Arabic)."""
    return list(settings.LANGUAGES)
