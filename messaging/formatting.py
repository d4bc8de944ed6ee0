"""How a message is drawn: its body as small, safe HTML, and the message as one fragment.

The body is escaped first, then a handful of patterns become markup (links, **bold**,
_italic_, `code`, @mentions, line breaks), and nh3 sanitises the result against an allow
list, so nothing a sender types can become a script, a style or an attribute we did not
put there ourselves.

`message_html` draws a whole message (`templates/messaging/_message.html`) from its frame,
the one way a message is drawn: the conversation page includes it for its history, and
the socket carries it in the frame's `html` (docs/messaging.md, One way to draw a
message). It holds nothing of the viewer, so it is rendered once per message, not once
per recipient; the page shows the actions that are the viewer's by their
`data-author`.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import nh3
from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

ALLOWED_TAGS = {"a", "strong", "em", "code", "br", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_CLASSES = {"span": {"bruggen-mention"}}

# After escaping, `&` appears as `&amp;`; links stop at whitespace and at `<`/`"`.
_URL = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w/])_(?=\S)(.+?)(?<=\S)_(?![\w/])")
_CODE = re.compile(r"`([^`\n]+)`")
MENTION = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9._-]{0,79})", re.IGNORECASE)


def mention_refs(body: str) -> set[str]:
    """The person refs a body mentions with `@ref` (lower case)."""
    return {match.rstrip(".").lower() for match in MENTION.findall(body)}


def body_to_html(body: str, *, mentionable: Iterable[str] = ()) -> str:
    """Render a plain-text body; `mentionable` holds the refs that are highlighted."""
    mentionable = {ref.lower() for ref in mentionable}
    text = html.escape(body, quote=True)
    placeholders: list[str] = []

    def keep(fragment: str) -> str:
        placeholders.append(fragment)
        return f"\x00{len(placeholders) - 1}\x00"

    # Code spans and links first, so their contents are not formatted further.
    text = _CODE.sub(lambda m: keep(f"<code>{m.group(1)}</code>"), text)
    text = _URL.sub(lambda m: keep(f'<a href="{m.group(0)}">{m.group(0)}</a>'), text)

    def mention(match: re.Match) -> str:
        ref = match.group(1).rstrip(".")
        if ref.lower() not in mentionable:
            return match.group(0)
        rest = match.group(1)[len(ref) :]
        return keep(f'<span class="bruggen-mention">@{ref}</span>') + rest

    text = MENTION.sub(mention, text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITALIC.sub(r"<em>\1</em>", text)
    text = text.replace("\r\n", "\n").replace("\n", "<br>")
    text = re.sub("\x00(\\d+)\x00", lambda m: placeholders[int(m.group(1))], text)
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
    )


# Stand-ins for the ids in the reversed action URLs (digits no real path holds).
_CONVERSATION, _MESSAGE = 918273645, 546372819


@functools.cache
def _action_urls() -> dict[str, str]:
    """The message actions' URL patterns, reversed once per process: three `reverse()`
    calls per drawn message cost more than the rest of the drawing."""
    return {
        action: reverse(f"messaging:message_{action}", args=[_CONVERSATION, _MESSAGE])
        .replace(str(_CONVERSATION), "{conversation}")
        .replace(str(_MESSAGE), "{message}")
        for action in ("edit", "delete", "report")
    }


@functools.cache
def _labels(language: str) -> dict[str, str]:
    """The fragment's words in `language`, looked up once per process: `{% translate %}`
    in the template took a third of the drawing time."""
    with translation.override(language):
        return {
            "system": _("Bruggen"),
            "edited": _("(edited)"),
            "hidden": _("This message was hidden by a moderator."),
            "deleted": _("This message was deleted."),
            "edit": _("Edit"),
            "delete": _("Delete"),
            "report": _("Report"),
        }


@functools.lru_cache(maxsize=256)
def _when(minute: datetime, zone: str, language: str) -> str:
    """A message's time as the fragment prints it ("j b H:i": no seconds), formatted once
    per minute, time zone and language in this process rather than once per message."""
    return dateformat.format(timezone.localtime(minute), "j b H:i")


def message_html(frame: dict[str, Any], *, edit_window: timedelta) -> str:
    """The message's `<li>` (templates/messaging/_message.html) from its frame
    (services.message_frame), in the active language. Within `edit_window` of sending,
    the author's edit and delete actions are in it (the page shows them to the author).

    On the send path (docs/messaging.md, Speed): the template gets values ready to print,
    so that it only escapes and joins them."""
    sent_at = datetime.fromisoformat(frame["sent_at"])
    editable = (
        bool(frame["author"])
        and not frame["deleted"]
        and not frame["hidden"]
        and timezone.now() - sent_at <= edit_window
    )
    ids = {"conversation": frame["conversation"], "message": frame["id"]}
    language = translation.get_language() or settings.LANGUAGE_CODE
    minute = sent_at.replace(second=0, microsecond=0)
    return get_template("messaging/_message.html").render(
        {
            "m": frame,
            "when": _when(minute, timezone.get_current_timezone_name(), language),
            "editable": editable,
            "urls": {action: url.format(**ids) for action, url in _action_urls().items()},
            "labels": _labels(language),
        }
    )
