"""Messages of Django and allauth that Bruggen's own pages show, listed so that
`makemessages` keeps them in locale/nl, where they say "je" like the rest of Bruggen.

Django's Dutch for the password rules says "u" ("Uw wachtwoord moet..."); the sign-up,
password change and reset pages show them. A project catalogue (LOCALE_PATHS) wins over an
app's, so the entries made from this module replace Django's wording. Nothing imports this
module at run time: it exists for the translation tools (docs/development.md,
Translations), and tests/test_translations.py checks the result.
"""

from __future__ import annotations

# ruff: noqa: RUF001 - Django spells these with a typographic apostrophe; the msgid must match.
from django.utils.translation import gettext_noop, ngettext_lazy

BORROWED = [
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
]

BORROWED_PLURAL = [
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
]
