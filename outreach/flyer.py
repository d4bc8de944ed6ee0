"""The printable flyer of a key figure's invitation: one A4 page, PDF, drawn with ReportLab.
See docs/outreach.md.

Texts go through gettext under the flyer's language. ReportLab draws glyphs as they come and
does no shaping: Arabic is shaped with arabic-reshaper (joined letter forms) and put in
visual order with python-bidi, line by line after wrapping. The font (DejaVu Sans, in
outreach/fonts/ with its licence) has Latin, Turkish and Arabic glyphs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import arabic_reshaper
from bidi import get_display
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from outreach.models import Invitation

FONTS = Path(__file__).with_name("fonts")
REGULAR, BOLD = "BruggenSans", "BruggenSans-Bold"
BRAND = HexColor("#24578f")  # --bruggen-brand (Utrecht blue-35)
INK = HexColor("#1a1a1a")
MUTED = HexColor("#4a4a4a")
CLOSED = HexColor("#a4001c")  # a dark red with 7:1 on white
RTL_LANGUAGES = {"ar"}
MARGIN = 56
PAGE_WIDTH, PAGE_HEIGHT = A4


def _fonts_register() -> None:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))


@dataclass(frozen=True)
class FlyerTexts:
    """What the flyer says, already in its language."""

    heading: str
    title: str
    facts: list[tuple[str, str]]
    note: str
    invited_by: str
    scan: str
    link: str
    privacy: str
    valid_until: str
    closed: str  # empty while the invitation is open
    closed_detail: str


def _when(invitation: Invitation) -> str:
    start = timezone.localtime(invitation.starts_at)
    return _("%(date)s at %(time)s") % {
        "date": date_format(start, "l j F Y"),
        "time": date_format(start, "H:i"),
    }


def flyer_texts(invitation: Invitation, *, link: str) -> FlyerTexts:
    """The flyer's words in the active language (the caller overrides it)."""
    initiative = invitation.initiative
    organiser = initiative.title
    if initiative.organisation is not None:
        organiser = f"{initiative.title} ({initiative.organisation.name})"
    key_figure = invitation.key_figure.name if invitation.key_figure else ""
    closed = closed_detail = ""
    if invitation.is_withdrawn:
        closed = _("This invitation has been withdrawn.")
        closed_detail = _("The activity on this flyer no longer takes place through this link.")
    elif invitation.is_expired:
        closed = _("This invitation has expired.")
        closed_detail = _("The activity on this flyer is over. Ask for a new invitation.")
    return FlyerTexts(
        heading=_("You are invited!"),
        title=invitation.title,
        facts=[
            (_("When"), _when(invitation)),
            (_("Where"), invitation.place),
            (_("Organised by"), organiser),
        ],
        note=invitation.note,
        invited_by=_("Invited by %(name)s") % {"name": key_figure} if key_figure else "",
        scan=_("Scan the code with your phone, or go to:"),
        link=link,
        privacy=_(
            "You do not need an account. You leave only what you want: your first name "
            "and how to reach you, or nothing at all."
        ),
        valid_until=_("This invitation is valid until %(date)s.")
        % {"date": date_format(timezone.localtime(invitation.expires_at), "j F Y")},
        closed=closed,
        closed_detail=closed_detail,
    )


class _Writer:
    """Draws wrapped lines from the top down, left to right or right to left."""

    def __init__(self, canvas: Canvas, *, rtl: bool) -> None:
        self.canvas = canvas
        self.rtl = rtl
        self.y = PAGE_HEIGHT - MARGIN
        self.width = PAGE_WIDTH - 2 * MARGIN

    def visual(self, text: str) -> str:
        if not self.rtl:
            return text
        return get_display(arabic_reshaper.reshape(text), base_dir="R")

    def lines(self, text: str, font: str, size: float) -> list[str]:
        """Wrap in logical order, measuring each line as it will be drawn."""
        result: list[str] = []
        for paragraph in text.splitlines() or [""]:
            line = ""
            for word in paragraph.split():
                candidate = f"{line} {word}" if line else word
                if line and pdfmetrics.stringWidth(self.visual(candidate), font, size) > self.width:
                    result.append(line)
                    line = word
                else:
                    line = candidate
            result.append(line)
        return result

    def write(
        self,
        text: str,
        *,
        font: str = REGULAR,
        size: float = 12,
        color: Color = INK,
        gap: float = 0.0,
        centred: bool = False,
    ) -> None:
        self.canvas.setFont(font, size)
        self.canvas.setFillColor(color)
        for line in self.lines(text, font, size):
            self.y -= size * 1.35
            if centred:
                self.canvas.drawCentredString(PAGE_WIDTH / 2, self.y, self.visual(line))
            elif self.rtl:
                self.canvas.drawRightString(PAGE_WIDTH - MARGIN, self.y, self.visual(line))
            else:
                self.canvas.drawString(MARGIN, self.y, line)
        self.y -= gap


def flyer_pdf(invitation: Invitation, *, link: str, language: str) -> bytes:
    """One A4 page: the activity, who invites, a QR code of `link` and what is kept. A
    withdrawn or expired invitation gets a page that says so, without the code."""
    _fonts_register()
    with translation.override(language):
        texts = flyer_texts(invitation, link=link)
        title = _("Invitation: %(title)s") % {"title": invitation.title}
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, lang=language, invariant=True)
    canvas.setTitle(title)
    canvas.setAuthor("Bruggen")
    canvas.setSubject(texts.heading)
    rtl = language in RTL_LANGUAGES
    writer = _Writer(canvas, rtl=rtl)

    band = 64
    canvas.setFillColor(BRAND)
    canvas.rect(0, PAGE_HEIGHT - band, PAGE_WIDTH, band, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(BOLD, 22)
    canvas.drawString(MARGIN, PAGE_HEIGHT - 42, "Bruggen")
    writer.y = PAGE_HEIGHT - band - 24

    if texts.closed:
        writer.write(texts.closed, font=BOLD, size=26, color=CLOSED, gap=8)
        writer.write(texts.closed_detail, size=14, gap=24)
        writer.write(texts.title, font=BOLD, size=18, color=MUTED, gap=6)
        for label, value in texts.facts:
            writer.write(f"{label}: {value}", size=12, color=MUTED)
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    writer.write(texts.heading, font=BOLD, size=30, color=BRAND, gap=6)
    writer.write(texts.title, font=BOLD, size=22, gap=10)
    for label, value in texts.facts:
        writer.write(f"{label}: {value}", size=14, gap=2)
    if texts.invited_by:
        writer.write(texts.invited_by, size=14, color=MUTED, gap=0)
    if texts.note:
        writer.y -= 6
        writer.write(texts.note, size=13, color=MUTED)  # no quotes: they do not mirror

    qr_size = 250
    qr_top = writer.y - 28
    widget = QrCodeWidget(link, barLevel="M", barBorder=4)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(
        qr_size, qr_size, transform=[qr_size / (x1 - x0), 0, 0, qr_size / (y1 - y0), 0, 0]
    )
    drawing.add(widget)
    qr_x = (PAGE_WIDTH - qr_size) / 2
    renderPDF.draw(drawing, canvas, qr_x, qr_top - qr_size)
    canvas.linkURL(link, (qr_x, qr_top - qr_size, qr_x + qr_size, qr_top), relative=0)

    writer.y = qr_top - qr_size - 8
    writer.write(texts.scan, size=12, gap=2, centred=True)
    canvas.setFont(REGULAR, 10)
    canvas.setFillColor(BRAND)
    writer.y -= 14
    link_width = pdfmetrics.stringWidth(link, REGULAR, 10)
    link_x = (PAGE_WIDTH - link_width) / 2
    canvas.drawString(link_x, writer.y, link)
    canvas.linkURL(link, (link_x, writer.y - 3, link_x + link_width, writer.y + 10), relative=0)
    writer.y -= 22
    writer.write(texts.privacy, size=11, color=MUTED, gap=4)
    writer.write(texts.valid_until, size=11, color=MUTED)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
