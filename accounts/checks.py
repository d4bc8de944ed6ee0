"""Start-up checks for accounts: the personal data plan must be computable."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from accounts.services import personal_data_plan


@checks.register()
def personal_data_plan_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A cycle or an unknown name in the apps' erasure steps stops `manage.py check`,
    `migrate` and the servers' start-up, not the first person who deletes their account."""
    try:
        personal_data_plan()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="accounts.E001")]
    return []
