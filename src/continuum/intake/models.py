"""Signals of radicalisation, their attachments, the register of trained contact points, and the
record that makes the signal API idempotent.

A signal is intelligence: who sees it is decided in :mod:`continuum.access.policy`
(``scope_signals``, ``get_signal``); where it goes is decided once, when it is recorded, by
``intake.services.signal_record``.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.core.models import Agency, Membership, Person


class Origin(models.TextChoices):
    INTERNAL = "internal", _("Internal (custodial staff)")
    EXTERNAL = "external", _("External (police, probation, municipality, prosecution)")


class Category(models.TextChoices):
    NETWORK = "network", _("Network of contacts")
    BELIEFS = "beliefs", _("Expressed ideological beliefs")
    OFFENCE = "offence", _("Extremist nature of the offence")
    CONTACTS_CHANGE = "contacts_change", _("Change in contacts or visitors")
    DEVIANT_BEHAVIOUR = "deviant_behaviour", _("Deviant behaviour")
    SEARCHING = "searching", _("Searching for extremist information")
    OTHER = "other", _("Other")


class Context(models.TextChoices):
    CELL = "cell", _("Cell")
    VISITS = "visits", _("Visits")
    TELEPHONE = "telephone", _("Telephone")
    WORK = "work", _("Work")
    EDUCATION = "education", _("Education")
    RELIGIOUS_SERVICES = "religious_services", _("Religious services")
    RECREATION = "recreation", _("Recreation")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    OUTSIDE_SOURCE = "outside_source", _("Outside source")


class Reliability(models.TextChoices):
    """The source's reliability (the A to F scale of the admiralty code)."""

    A = "A", _("A — completely reliable")
    B = "B", _("B — usually reliable")
    C = "C", _("C — fairly reliable")
    D = "D", _("D — not usually reliable")
    E = "E", _("E — unreliable")
    F = "F", _("F — reliability cannot be judged")


class Credibility(models.TextChoices):
    """The information's credibility (the 1 to 6 scale of the admiralty code)."""

    CONFIRMED = "1", _("1 — confirmed by other sources")
    PROBABLY_TRUE = "2", _("2 — probably true")
    POSSIBLY_TRUE = "3", _("3 — possibly true")
    DOUBTFUL = "4", _("4 — doubtful")
    IMPROBABLE = "5", _("5 — improbable")
    CANNOT_BE_JUDGED = "6", _("6 — truth cannot be judged")


class SignalStatus(models.TextChoices):
    AWAITING_ASSESSMENT = "awaiting_assessment", _("Awaiting assessment")
    ASSESSED = "assessed", _("Assessed")
    DISMISSED = "dismissed", _("Dismissed")


class Routing(models.TextChoices):
    """Where a signal went when it was recorded, and why."""

    BUREAU = "bureau", _("To the institution's intelligence bureau")
    PASSED_ON = "passed_on", _("Passed on to the institution holding the person")
    COORDINATION = "coordination", _("To the coordination programme's queue")


class Signal(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="signals"
    )
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices)
    reporting_agency = models.ForeignKey(
        Agency,
        verbose_name=_("reporting agency"),
        on_delete=models.PROTECT,
        related_name="reported_signals",
    )
    reported_by = models.ForeignKey(
        Membership, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(
        _("category"),
        max_length=30,
        choices=Category.choices,
        error_messages={"blank": _("Choose a category.")},
    )
    observed_behaviour = models.TextField(
        _("observed behaviour"),
        help_text=_("What you saw or heard, in your own words."),
        error_messages={"blank": _("Describe the behaviour you observed, in your own words.")},
    )
    context = models.CharField(
        _("context"),
        max_length=30,
        choices=Context.choices,
        error_messages={"blank": _("Choose the context in which the behaviour was observed.")},
    )
    observed_at = models.DateTimeField(
        _("observed at"),
        error_messages={"null": _("Enter when the behaviour was observed.")},
    )
    source_reliability = models.CharField(
        _("reliability of the source"),
        max_length=1,
        choices=Reliability.choices,
        error_messages={"blank": _("Grade the reliability of the source (A to F).")},
    )
    information_credibility = models.CharField(
        _("credibility of the information"),
        max_length=1,
        choices=Credibility.choices,
        error_messages={"blank": _("Grade the credibility of the information (1 to 6).")},
    )
    rests_on_behaviour = models.BooleanField(
        _("This signal rests on observed behaviour"), default=False
    )
    routed_to = models.ForeignKey(
        Agency, verbose_name=_("routed to"), on_delete=models.PROTECT, related_name="signals"
    )
    routing = models.CharField(_("routing"), max_length=20, choices=Routing.choices)
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=SignalStatus.choices,
        default=SignalStatus.AWAITING_ASSESSMENT,
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        constraints = [
            # The bias safeguard, backed by the database: no signal without the confirmation.
            models.CheckConstraint(
                condition=Q(rests_on_behaviour=True), name="signal_rests_on_behaviour"
            )
        ]

    def __str__(self) -> str:
        return self.reference


def _attachment_path(instance: SignalAttachment, filename: str) -> str:
    # A random name: the original file name may identify someone and stays in the database.
    return f"signals/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class SignalAttachment(models.Model):
    signal = models.ForeignKey(
        Signal, verbose_name=_("signal"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class ContactPointTraining(models.Model):
    """A contact point's training: current from ``trained_on`` until ``expires_on``."""

    membership = models.ForeignKey(
        Membership,
        verbose_name=_("contact point"),
        on_delete=models.CASCADE,
        related_name="contact_point_trainings",
    )
    trained_on = models.DateField(_("trained on"))
    expires_on = models.DateField(_("expires on"))
    recorded_by = models.ForeignKey(
        Membership, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-expires_on", "id"]
        verbose_name = _("contact-point training")
        verbose_name_plural = _("contact-point trainings")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("trained_on")), name="training_expires_after_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership} ({self.trained_on} to {self.expires_on})"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.trained_on <= today < self.expires_on


class SignalIntakeRequest(models.Model):
    """One ``Idempotency-Key`` of one membership: the first request's fingerprint and answer,
    so that a retry creates nothing twice and gets the same answer."""

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("idempotency key"), max_length=200)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    signal = models.ForeignKey(
        Signal,
        verbose_name=_("signal"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    status_code = models.PositiveSmallIntegerField(_("status code"), default=201)
    response = models.JSONField(_("response"), default=dict)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("signal intake request")
        verbose_name_plural = _("signal intake requests")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "key"], name="signal_intake_unique_membership_key"
            )
        ]

    def __str__(self) -> str:
        return self.key
