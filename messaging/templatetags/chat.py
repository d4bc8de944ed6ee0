"""`{% message_html message %}`: a message drawn on a page the one way messages are drawn
(messaging.formatting.message_html), in the page's language."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from messaging import services
from messaging.formatting import message_html as draw
from messaging.models import Message

register = template.Library()


@register.simple_tag
def message_html(message: Message) -> SafeString:
    frame = services.message_frame(message, html=False)
    # The template escapes every value it puts in; body_html is nh3-sanitised.
    return mark_safe(draw(frame, edit_window=services.EDIT_WINDOW))  # noqa: S308
