"""Sign-in attempts in the log (docs/security.md, ASVS 16.3.1): every success and failure,
with the client's address, so that password guessing shows up in monitoring.

A failure names the account by a short hash of the address typed, never the address
itself: the log may travel further than the database, and a typo in an address is still
personal data. The same address always gives the same hash, so repeated attempts on one
account can be counted.
"""

from __future__ import annotations

import hashlib
import logging

logger = logging.getLogger("accounts.audit")


def _client(request) -> str:
    return request.META.get("REMOTE_ADDR", "-") if request is not None else "-"


def address_hash(address: str) -> str:
    return hashlib.sha256(address.strip().casefold().encode("utf-8", "replace")).hexdigest()[:12]


def signed_in(sender, request=None, user=None, **kwargs) -> None:
    logger.info("sign-in succeeded: user=%s client=%s", getattr(user, "pk", "-"), _client(request))


def sign_in_failed(sender, credentials=None, request=None, **kwargs) -> None:
    credentials = credentials or {}
    typed = str(credentials.get("email") or credentials.get("username") or "")
    logger.warning(
        "sign-in failed: account=%s client=%s",
        address_hash(typed) if typed else "-",
        _client(request),
    )
