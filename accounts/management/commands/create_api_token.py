from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import User


class Command(BaseCommand):
    help = "Make a new API token for the account with EMAIL and print its secret (once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="command line")
        parser.add_argument(
            "--days", type=int, default=None, help="valid for this many days (default: no expiry)"
        )
        parser.add_argument(
            "--scope",
            action="append",
            choices=services.API_TOKEN_SCOPES,
            dest="scopes",
            help="what the token may do: read or write; repeat for both (default: both)",
        )

    def handle(
        self,
        *args,
        email: str,
        name: str,
        days: int | None,
        scopes: list[str] | None,
        **options,
    ) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account with email {email!r}.")
        if not user.is_active:
            raise CommandError(f"The account {email!r} is deactivated.")
        if days is not None and days <= 0:
            raise CommandError("--days must be a positive number.")
        try:
            _token, secret = services.api_token_create(
                user=user,
                name=name,
                expires_in_days=days,
                scopes=scopes or services.API_TOKEN_SCOPES,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(secret)
