"""Attachments: only files that are what their name says, served only to participants,
and gone from storage once their row is (docs/messaging.md, Files)."""

from __future__ import annotations

import importlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import clear_url_caches

from messaging import services
from messaging.models import Attachment, Message
from tests.messaging.conftest import client_for


def _zip(entries: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (name, data) in enumerate(entries):
            kind = zipfile.ZIP_STORED if stored_first and number == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=kind)
    return buffer.getvalue()


def _office(main_part: str) -> bytes:
    return _zip([("[Content_Types].xml", b"<Types/>"), (main_part, b"<document/>")])


def _open_document(mimetype: str) -> bytes:
    return _zip(
        [("mimetype", mimetype.encode()), ("content.xml", b"<office:document/>")],
        stored_first=True,
    )


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x000\x01\x00\x9d\x01\x2a\x01\x00"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x44\xac\x00\x00"
AVI = b"RIFF\x24\x00\x00\x00AVI LIST\x10\x00\x00\x00hdrlavih\x38\x00\x00\x00"
TEXT_UTF8 = "Notulen van de buurtmaaltijd: café, Özdemir, عائشة\r\n".encode()
TEXT_WINDOWS = "Notulen: café en crème\n".encode("cp1252")
TEXT_UTF16 = "Notulen: Özdemir\n".encode("utf-16")  # with its byte order mark
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00"
HTML = b"<!doctype html><script>alert(1)</script>"
DOCX = _office("word/document.xml")
XLSX = _office("xl/workbook.xml")
PPTX = _office("ppt/presentation.xml")
ODT = _open_document("application/vnd.oasis.opendocument.text")
ODS = _open_document("application/vnd.oasis.opendocument.spreadsheet")
PLAIN_ZIP = _zip([("foto.jpg", JPEG)])

# For every allowed extension: real files that must pass, and wrong ones that must not.
REAL = {
    "pdf": [PDF],
    "png": [PNG],
    "jpg": [JPEG],
    "jpeg": [JPEG],
    "gif": [GIF, b"GIF87a\x01\x00\x01\x00"],
    "webp": [WEBP],
    "txt": [TEXT_UTF8, TEXT_WINDOWS, TEXT_UTF16],
    "docx": [DOCX],
    "xlsx": [XLSX],
    "pptx": [PPTX],
    "odt": [ODT],
    "ods": [ODS],
}
WRONG = {
    "pdf": [HTML, PNG, b"%PD"],
    "png": [JPEG, b"\x89PNG", HTML],
    "jpg": [PNG, b"\xff\xd8", HTML],
    "jpeg": [GIF, HTML],
    "gif": [PNG, b"GIF90a\x01\x00", HTML],
    "webp": [WAV, AVI, b"RIFF\x24\x00\x00\x00", PNG],
    "txt": [EXECUTABLE, PNG, b"tekst\x00met NUL"],
    "docx": [XLSX, PLAIN_ZIP, ODT, PDF],
    "xlsx": [DOCX, PLAIN_ZIP, b"PK\x03\x04 kapot"],
    "pptx": [DOCX, PLAIN_ZIP],
    "odt": [ODS, DOCX, PLAIN_ZIP],
    "ods": [ODT, XLSX, PLAIN_ZIP],
}


def test_every_allowed_type_has_real_and_wrong_samples():
    assert set(REAL) == set(WRONG) == set(services.ALLOWED_ATTACHMENT_TYPES)


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("extension", "data"),
    [(extension, data) for extension, samples in REAL.items() for data in samples],
)
def test_a_real_file_of_each_allowed_type_is_accepted(extension, data):
    name, content_type = services._attachment_check(_upload(f"bestand.{extension}", data))
    assert name == f"bestand.{extension}"
    assert content_type == services.ALLOWED_ATTACHMENT_TYPES[extension]


@pytest.mark.parametrize(
    ("extension", "data"),
    [(extension, data) for extension, samples in WRONG.items() for data in samples],
)
def test_a_wrong_file_with_an_allowed_name_is_refused(extension, data):
    with pytest.raises(services.Invalid) as refused:
        services._attachment_check(_upload(f"bestand.{extension}", data))
    assert f"bestand.{extension}" in refused.value.detail
    assert f".{extension}" in refused.value.detail


@pytest.mark.django_db
def test_a_wav_uploaded_as_webp_is_refused_on_the_page_with_a_clear_message(alice, bob, direct):
    response = client_for(alice).post(
        f"/conversations/{direct.pk}/",
        {"body": "", "client_id": "wav", "attachment": _upload("geluid.webp", WAV)},
    )
    assert response.status_code == 422
    with override_settings(LANGUAGE_CODE="en"):
        page = client_for(alice).post(
            f"/conversations/{direct.pk}/",
            {"body": "", "client_id": "wav", "attachment": _upload("geluid.webp", WAV)},
            headers={"accept-language": "en"},
        )
    assert "geluid.webp is not a WebP image" in page.content.decode()
    assert not Message.objects.exists() and not Attachment.objects.exists()


# Files leave storage with their row ----------------------------------------------------


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _send_file(conversation, author, name="notulen.pdf", data=PDF) -> Attachment:
    message = services.message_send(
        conversation_id=conversation.pk,
        author=author,
        body="Met bijlage",
        client_id=f"file-{name}",
        attachments=[_upload(name, data)],
    ).message
    return Attachment.objects.get(message=message)


def _on_disk(attachment: Attachment, media_root: Path) -> bool:
    return (media_root / attachment.file.name).exists()


@pytest.mark.django_db(transaction=True)
def test_deleting_a_message_removes_its_file_once_committed(alice, direct, media_root):
    attachment = _send_file(direct, alice)
    assert _on_disk(attachment, media_root)
    services.message_delete(message_id=attachment.message_id, editor=alice)
    assert not Attachment.objects.exists()
    assert not _on_disk(attachment, media_root)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_delete_keeps_the_file(alice, direct, media_root):
    attachment = _send_file(direct, alice)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.message_delete(message_id=attachment.message_id, editor=alice)
        raise RuntimeError("something later in the same transaction failed")
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert _on_disk(attachment, media_root)


@pytest.mark.django_db(transaction=True)
def test_cascades_and_queryset_deletes_remove_files(alice, bob, direct, media_root):
    """Account erasure deletes its attachment rows through the ORM as well (accounts'
    erasure plan), so this receiver removes those files too."""
    by_cascade = _send_file(direct, alice, "een.pdf")
    by_queryset = _send_file(
        services.conversation_start(creator=alice, participants=[bob], title="Groep"),
        bob,
        "twee.png",
        PNG,
    )
    Attachment.objects.filter(pk=by_queryset.pk).delete()
    assert not _on_disk(by_queryset, media_root)
    direct.delete()  # the conversation, its messages, their attachments
    assert not _on_disk(by_cascade, media_root)


# Served only through the participant-checked view --------------------------------------


@pytest.fixture
def debug_urls():
    """The URL conf as `make run` builds it (DEBUG=True in local settings)."""
    import config.urls

    with override_settings(DEBUG=True):
        importlib.reload(config.urls)
        clear_url_caches()
        yield
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_media_urls_are_not_served_even_with_debug(alice, bob, carol, direct, debug_urls):
    attachment = _send_file(direct, alice, "foto.png", PNG)
    assert attachment.file.url.startswith("/media/")
    for person in (alice, bob, carol):
        assert client_for(person).get(attachment.file.url).status_code == 404
    view = f"/conversations/{direct.pk}/attachments/{attachment.pk}/"
    assert client_for(carol).get(view).status_code == 404  # not a participant
    served = client_for(bob).get(view)
    assert served.status_code == 200 and b"".join(served.streaming_content) == PNG
