"""The flyer is a real PDF whose QR code opens the invitation (decoded from the rendered
page), in Dutch and in the key figure's language, and says so when the invitation closed."""

from __future__ import annotations

import arabic_reshaper
import pypdfium2
import pytest
import zxingcpp
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outreach import flyer, services
from outreach.models import Invitation
from tests.outreach.factories import invitation_make

pytestmark = pytest.mark.django_db


def _render(pdf: bytes):
    document = pypdfium2.PdfDocument(pdf)
    try:
        assert len(document) == 1
        page = document[0]
        text = page.get_textpage().get_text_range()
        image = page.render(scale=2).to_pil()
        return text, image
    finally:
        document.close()


def _qr_texts(image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("language", ["nl", "en", "tr", "ar"])
def test_the_flyer_is_a_pdf_whose_qr_code_opens_the_invitation(language):
    invitation = invitation_make(title="Koffieochtend voor ouders", language=language)
    link = services.invitation_link(invitation)
    pdf = flyer.flyer_pdf(invitation, link=link, language=language)
    assert pdf.startswith(b"%PDF-")
    text, image = _render(pdf)
    assert _qr_texts(image) == [link]
    assert link in text.replace("\r", "").replace("\n", "")
    assert link.encode() in pdf  # the clickable link annotation


def test_the_dutch_flyer_speaks_dutch_and_names_the_activity_and_the_key_figure():
    invitation = invitation_make(title="Koffieochtend voor ouders", place="Buurthuis De Bron")
    text, _image = _render(
        flyer.flyer_pdf(invitation, link=services.invitation_link(invitation), language="nl")
    )
    with translation.override("nl"):
        heading = _("You are invited!")
    assert heading in text
    assert "Koffieochtend voor ouders" in text
    assert "Buurthuis De Bron" in text
    assert invitation.key_figure.name in text


def test_every_character_of_the_arabic_flyer_has_a_glyph_in_its_font():
    invitation = invitation_make(
        title="لقاء القهوة للأهل", place="مركز الحي De Bron", note="أهلاً وسهلاً", language="ar"
    )
    link = services.invitation_link(invitation)
    pdf = flyer.flyer_pdf(invitation, link=link, language="ar")
    text, image = _render(pdf)
    assert _qr_texts(image) == [link]
    with translation.override("ar"):
        texts = flyer.flyer_texts(invitation, link=link)
    flyer._fonts_register()
    from reportlab.pdfbase import pdfmetrics

    for font_name in (flyer.REGULAR, flyer.BOLD):
        glyphs = pdfmetrics.getFont(font_name).face.charToGlyph
        words = [texts.heading, texts.title, texts.note, texts.privacy, *sum(texts.facts, ())]
        shaped = arabic_reshaper.reshape(" ".join(words))
        missing = {char for char in shaped if not char.isspace() and ord(char) not in glyphs}
        assert missing == set(), font_name
    # Drawn shaped and in visual order, the PDF's text layer reads back as the title.
    assert "لقاء القهوة للأهل" in text


@pytest.mark.parametrize("state", ["withdrawn", "expired"])
def test_a_flyer_of_a_closed_invitation_says_so_and_has_no_code(state):
    invitation = invitation_make()
    if state == "withdrawn":
        services.invitation_withdraw(actor=invitation.key_figure.user, invitation=invitation)
    else:
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
        invitation.refresh_from_db()
    link = services.invitation_link(invitation)
    text, image = _render(flyer.flyer_pdf(invitation, link=link, language="nl"))
    with translation.override("nl"):
        expected = (
            _("This invitation has been withdrawn.")
            if state == "withdrawn"
            else _("This invitation has expired.")
        )
    assert expected in text.replace("\r\n", " ").replace("\n", " ")
    assert _qr_texts(image) == []
    assert link not in text
