"""The network import for staff, from the admin: upload a JSON Lines file and see the same
report as `manage.py import_network` gives (docs/import.md)."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import admin
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from accounts.admin import staff_area
from network.services.imports import ImportReport, network_import

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_PROBLEMS_SHOWN = 500


class UploadLimit(FileUploadHandler):
    """Stops reading a file past the limit, instead of storing all of it before the form
    can say it is too large."""

    def __init__(self, request: HttpRequest | None = None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class NetworkImportForm(forms.Form):
    file = forms.FileField(
        label=_("JSON Lines file"),
        required=False,  # clean_file says why a file is missing: none chosen, or too large
        help_text=_("UTF-8, one JSON object a line, at most 20 MB."),
        widget=forms.FileInput(attrs={"accept": ".jsonl,.ndjson,.json,.txt"}),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: only check the file, write nothing"), required=False, initial=True
    )

    def __init__(self, *args, upload_too_large: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.upload_too_large = upload_too_large

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.upload_too_large or (upload is not None and upload.size > MAX_UPLOAD_BYTES):
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB. Split it into smaller files."),
                code="too_large",
                params={"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        if not upload:
            raise forms.ValidationError(_("Choose a file to import."), code="required")
        return upload


@csrf_exempt  # checked by csrf_protect below, once the upload limit is in place
@staff_area
def network_import_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request, NetworkImportForm(), None)
    limit = UploadLimit(request, limit=MAX_UPLOAD_BYTES)
    request.upload_handlers.insert(0, limit)
    return _network_import_post(request, limit)


@csrf_protect
def _network_import_post(request: HttpRequest, limit: UploadLimit) -> HttpResponse:
    form = NetworkImportForm(request.POST, request.FILES, upload_too_large=limit.exceeded)
    if not form.is_valid():
        return _render(request, form, None, status=400)
    upload = form.cleaned_data["file"]
    upload.seek(0)
    # The raw file splits on "\n" only, as the command's does, so line numbers agree.
    report = network_import(lines=upload.file, dry_run=form.cleaned_data["dry_run"])
    logger.info(
        "network import by user %s of %r: %s", request.user.pk, upload.name, report.summary()
    )
    # After a clean dry run the next step is the real import; otherwise check first.
    next_dry_run = not (report.dry_run and report.ok)
    return _render(request, NetworkImportForm(initial={"dry_run": next_dry_run}), report)


def _render(
    request: HttpRequest, form: NetworkImportForm, report: ImportReport | None, status: int = 200
) -> TemplateResponse:
    problems = report.errors if report else []
    context = {
        **admin.site.each_context(request),
        "title": _("Import network data"),
        "form": form,
        "report": report,
        "problems": problems[:MAX_PROBLEMS_SHOWN],
        "problems_hidden": max(0, len(problems) - MAX_PROBLEMS_SHOWN),
    }
    return TemplateResponse(request, "admin/network/import.html", context, status=status)
