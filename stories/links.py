"""The signed link to one questionnaire: it opens that story, and only that one, without
signing in, for LINK_MAX_AGE (docs/stories.md). Every mail carries a fresh link."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

LINK_SALT = "bruggen.stories.questionnaire"
LINK_MAX_AGE = timedelta(days=30)


class StoryLinkExpired(Exception):
    """The link was real but is older than LINK_MAX_AGE."""


class StoryLinkInvalid(Exception):
    """The link was changed, cut short or made up."""


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=LINK_SALT)


def story_link_token(story_id: int) -> str:
    return _signer().sign(str(story_id))


def story_id_from_token(token: str) -> int:
    """The story the token opens; StoryLinkExpired or StoryLinkInvalid otherwise."""
    try:
        value = _signer().unsign(token, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise StoryLinkExpired from error
    except signing.BadSignature as error:
        raise StoryLinkInvalid from error
    if not value.isdigit():
        raise StoryLinkInvalid
    return int(value)
