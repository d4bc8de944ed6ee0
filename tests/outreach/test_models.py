"""No ethnicity or religion, ever (docs/outreach.md, "What is never stored")."""

from __future__ import annotations

import pytest
from django.apps import apps

FORBIDDEN = ("ethnic", "religio", "faith", "origin", "nationality", "descent", "race", "belief")


@pytest.mark.parametrize("app_label", ["outreach", "network"])
def test_no_model_has_a_field_for_ethnicity_or_religion(app_label):
    for model in apps.get_app_config(app_label).get_models():
        for field in model._meta.get_fields():
            name = field.name.lower()
            assert not any(word in name for word in FORBIDDEN), f"{model.__name__}.{field.name}"


def test_a_response_keeps_at_most_a_first_name_and_a_way_to_be_reached():
    model = apps.get_model("outreach", "InvitationResponse")
    stored = {field.name for field in model._meta.concrete_fields}
    assert stored == {"id", "invitation", "first_name", "contact", "consented_at", "created_at"}
