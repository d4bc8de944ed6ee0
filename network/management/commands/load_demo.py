from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from network import demo


class Command(BaseCommand):
    help = "Load the demo network once (idempotent) and print the demo sign-ins on the embedded default."

    def handle(self, *args, **options) -> None:
        summary = demo.demo_load()
        self.stdout.write(summary.describe())
        if getattr(settings, "BRUGGEN_SHOW_DEMO_SIGNIN", False):
            self.stdout.write("")
            self.stdout.write(f"  Demo sign-ins (password for each: {demo.DEMO_PASSWORD}):")
            for account in demo.DEMO_ACCOUNTS:
                self.stdout.write(f"    {account.email:<32} {account.description}")
