from __future__ import annotations

import secrets

from network.models import Fund, Initiative, Organisation, Person, RetiredRef

REF_MODELS = (Organisation, Person, Initiative, Fund)


def ref_in_use(ref: str) -> bool:
    """Taken by a live record of any type, or retired: a ref is never reused (§1)."""
    if RetiredRef.objects.filter(ref=ref).exists():
        return True
    return any(model.objects.filter(ref=ref).exists() for model in REF_MODELS)


def ref_generate(prefix: str) -> str:
    """A new ref for a record made in the web UI or API, e.g. `org-3f9c2a1b`."""
    while True:
        ref = f"{prefix}-{secrets.token_hex(4)}"
        if not ref_in_use(ref):
            return ref


def ref_retire(*, ref: str, kind: str) -> None:
    RetiredRef.objects.get_or_create(ref=ref, defaults={"kind": kind})
