"""Conversations, their participants and messages (docs/messaging.md).

A message's `seq` counts up from 1 per conversation without gaps: it is allocated under a
row lock on the conversation (`Conversation.last_seq`), so clients can ask for everything
after the last `seq` they saw and know they have it all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.after_commit import on_commit_safe
from network.models import Organisation, Person, Theme


class MessagingSettings(models.Model):
    """A person's choices about who may start a conversation with them and about mail."""

    class WhoMayMessage(models.TextChoices):
        ANYONE = "anyone", _("Anyone who is signed in")
        CONNECTED = (
            "connected",
            _("Only people I share an organisation, a conversation or a match with"),
        )

    class EmailFrequency(models.TextChoices):
        IMMEDIATELY = "immediately", _("At once (after 10 minutes unread)")
        DAILY = "daily", _("A daily digest")
        NEVER = "never", _("Never")

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="messaging_settings"
    )
    who_may_message = models.CharField(
        _("who may start a conversation with me"),
        max_length=12,
        choices=WhoMayMessage.choices,
        default=WhoMayMessage.ANYONE,
    )
    email_frequency = models.CharField(
        _("email me about unread messages"),
        max_length=12,
        choices=EmailFrequency.choices,
        default=EmailFrequency.IMMEDIATELY,
    )
    digest_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("messaging settings")
        verbose_name_plural = _("messaging settings")

    def __str__(self) -> str:
        return f"{self.person}: {self.who_may_message}, {self.email_frequency}"


class Conversation(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct")
        GROUP = "group", _("Group")
        INTRODUCTION = "introduction", _("Introduction")
        TEAM = "team", _("Organisation team")
        TOPIC = "topic", _("Topic channel")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    last_seq = models.PositiveBigIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    people = models.ManyToManyField(Person, through="Participant", related_name="conversations")

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(kind="team"), name="conversation_one_team"
            ),
            models.UniqueConstraint(
                fields=["theme"], condition=Q(kind="topic"), name="conversation_one_topic"
            ),
        ]
        # No index on last_message_at: every message updates it, and an index on it would
        # make each of those updates write every index of the row (no HOT update); the
        # conversation list sorts a person's own few conversations, which needs none.

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.pk}"


class Participant(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="participations")
    joined_at = models.DateTimeField(default=timezone.now)
    last_read_seq = models.PositiveBigIntegerField(default=0)
    # Up to which seq this person was emailed about unread messages (never twice).
    emailed_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "person"], name="participant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.conversation}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveBigIntegerField()
    # Null for a system message (an introduction's opening line).
    author = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    client_id = models.CharField(max_length=64, blank=True)
    body = models.TextField()
    body_html = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    mentions = models.ManyToManyField(Person, blank=True, related_name="mentioned_in")

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(
                fields=["conversation", "author", "client_id"],
                condition=~Q(client_id=""),
                name="message_client_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq}"

    @property
    def is_system(self) -> bool:
        return self.author_id is None


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"messaging/{instance.message.conversation_id}/{timezone.now():%Y%m}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


# A signal, not a service (docs/development.md, style §1 prefers services): Attachment rows also go by
# cascade (a message, a conversation, a person), by queryset.delete() and by account
# erasure, and no service sees those. Django sends post_delete for each of them (a model
# with a receiver is never fast-deleted). The file goes only once the deletion commits: a
# rolled-back delete keeps its file, and a failing storage is logged, not raised
# (`robust`), since the row is gone by then either way.
@receiver(post_delete, sender=Attachment, dispatch_uid="messaging_attachment_file_delete")
def _attachment_file_delete_on_commit(sender, instance: Attachment, using: str, **kwargs) -> None:
    name, storage = instance.file.name, instance.file.storage
    if name:
        on_commit_safe(lambda: storage.delete(name), using=using)


class Report(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HIDDEN = "hidden", _("Message hidden")
        DISMISSED = "dismissed", _("Dismissed")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="report_once"),
        ]

    def __str__(self) -> str:
        return f"report on {self.message}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", _("Mentioned you")
        CONVERSATION = "conversation", _("New conversation")
        INTRODUCTION = "introduction", _("Introduction")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["person", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.person}"
