"""The demo network that `make run` loads once: demo sign-ins and the province's projects
with their organisations, people and funds (network.jsonl, written from the province of
Utrecht's brochure on its 162 integration and participation projects; the people are
invented). Other apps add their own demo files (matching adds needs) with
`demo_file_register` from their AppConfig.ready(), and demo data that must go through their
services (stories' reviews, key figures' invitations) with `demo_step_register`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import User

DEMO_PASSWORD = "bruggen-demo"  # noqa: S105 - printed on purpose, only on the embedded default
NETWORK_FILE = Path(__file__).with_name("network.jsonl")


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    description: str
    is_staff: bool = False


DEMO_ACCOUNTS = [
    DemoAccount(
        "annelies@demo.bruggen.nl",
        "Annelies Verhoef",
        "project leader of Eet Mee! (Cultuurinzicht); a story waits for her answer",
    ),
    DemoAccount("karim@demo.bruggen.nl", "Karim El Amrani", "mentor"),
    DemoAccount("hodan@demo.bruggen.nl", "Hodan Warsame", "key figure; /reach/ has an invitation"),
    DemoAccount("sanne@demo.bruggen.nl", "Sanne de Groot", "volunteer"),
    DemoAccount(
        "beheer@demo.bruggen.nl", "Beheer", "staff (manages the platform; reviews stories)", True
    ),
]

_demo_files: list[Path] = [NETWORK_FILE]
# Steps run after the files, in the order registered: each writes what is missing through
# its app's services and returns what it did, or "" when everything was there already.
_demo_steps: dict[str, Callable[[], str]] = {}


def demo_file_register(path: Path) -> None:
    if path not in _demo_files:
        _demo_files.append(path)


def demo_step_register(name: str, step: Callable[[], str]) -> None:
    _demo_steps.setdefault(name, step)


@dataclass
class DemoSummary:
    accounts_created: int = 0
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = []
        if self.accounts_created:
            lines.append(f"Demo accounts created: {self.accounts_created}.")
        lines.extend(f"Demo data loaded from {name}: {summary}" for name, summary in self.files)
        lines.extend(
            f"Demo data from {name} was loaded before; left as it is." for name in self.skipped
        )
        return "\n".join(lines) or "Demo data already loaded; nothing changed."


def _first_ref(path: Path) -> tuple[str, str] | None:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                data = json.loads(line)
                return data["type"], data["ref"]
    return None


def _loaded_before(path: Path) -> bool:
    from network.services.imports import import_types

    first = _first_ref(path)
    if first is None:
        return False
    type_name, ref = first
    handler = import_types().get(type_name)
    return handler is not None and handler.model.objects.filter(ref=ref).exists()


@transaction.atomic
def demo_load() -> DemoSummary:
    """Idempotent: accounts are made once, and each file is imported only if its records
    are not there yet, so later edits to demo records survive the next `make run`."""
    from network.services.imports import network_import

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
    for path in _demo_files:
        if _loaded_before(path):
            summary.skipped.append(path.name)
            continue
        with path.open(encoding="utf-8") as lines:
            report = network_import(lines=lines, dry_run=False)
        if not report.ok:
            raise RuntimeError(
                f"The demo file {path} does not import:\n"
                + "\n".join(str(e) for e in report.errors)
            )
        summary.files.append((path.name, report.summary()))
    for name, step in _demo_steps.items():
        done = step()
        if done:
            summary.files.append((name, done))
        else:
            summary.skipped.append(name)
    return summary
