"""Mixed-direction text: an Arabic name in a Dutch sentence, a Dutch name in an Arabic one.

`{{ name|bdi }}` wraps a person's name or text in <bdi> so its direction cannot reorder
the words around it; it works inside {% blocktranslate %} without changing the msgid
(docs/languages.md)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def bdi(value) -> str:
    if value is None or value == "":
        return ""
    return format_html("<bdi>{}</bdi>", value)
