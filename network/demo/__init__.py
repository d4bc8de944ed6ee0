"""The demo network that `make run` loads once: demo sign-ins and, from network.jsonl, the
province's projects with their organisations, people and funds."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import User

DEMO_PASSWORD = "bruggen-demo"  # noqa: S105 - printed on purpose, only on the embedded default


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    description: str
    is_staff: bool = False


DEMO_ACCOUNTS = [
    DemoAccount("annelies@demo.bruggen.nl", "Annelies", "project leader (Eet Mee!)"),
    DemoAccount("karim@demo.bruggen.nl", "Karim", "mentor"),
    DemoAccount("hodan@demo.bruggen.nl", "Hodan", "key figure"),
    DemoAccount("sanne@demo.bruggen.nl", "Sanne", "volunteer"),
    DemoAccount("beheer@demo.bruggen.nl", "Beheer", "staff (manages the platform)", True),
]


@dataclass
class DemoSummary:
    accounts_created: int = 0

    def describe(self) -> str:
        if self.accounts_created:
            return f"Demo data loaded: {self.accounts_created} demo accounts."
        return "Demo data already loaded; nothing changed."


@transaction.atomic
def demo_load() -> DemoSummary:
    summary = DemoSummary()
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(email__iexact=account.email).exists():
            continue
        user = User.objects.create_user(
            email=account.email,
            password=DEMO_PASSWORD,
            name=account.name,
            is_staff=account.is_staff,
            is_superuser=account.is_staff,
        )
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        summary.accounts_created += 1
    return summary
