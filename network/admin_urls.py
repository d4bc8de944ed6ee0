"""The network's staff pages next to the admin; config/urls.py includes them under
`admin/network/`, before the admin's own URLs."""

from __future__ import annotations

from django.urls import path

from network.admin_import import network_import_view

urlpatterns = [
    path("import/", network_import_view, name="network_import"),
]
