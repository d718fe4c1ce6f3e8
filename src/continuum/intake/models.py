"""Signals of radicalisation, their attachments, the register of trained contact points, and the
record that makes the signal API idempotent.

A signal is intelligence: who sees it is decided in :mod:`continuum.access.policy.intake`
(``scope_signals``, ``get_signal``); where it goes is decided once, when it is recorded, by
``intake.services.signals.signal_record``.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.core.models import Agency, AgencyType, Membership, Person


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
    UNDER_INVESTIGATION = "under_investigation", _("Under investigation")
    ASSESSED = "assessed", _("Assessed")
    DISMISSED = "dismissed", _("Dismissed (no further action)")


class Routing(models.TextChoices):
    """Where a signal went when it was recorded, and why."""

    BUREAU = "bureau", _("To the institution's intelligence bureau")
    PASSED_ON = "passed_on", _("Passed on to the institution holding the person")
    COORDINATION = "coordination", _("To the coordination programme's queue")
    CENTRAL_UNIT = "central_unit", _("To the jurisdiction's central signals unit")


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
    investigation = models.ForeignKey(
        "Investigation",
        verbose_name=_("investigation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signals",
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


# --- configuration per jurisdiction -------------------------------------------------------


class JurisdictionSetting(models.Model):
    """How intake works in one jurisdiction. With a central signals unit (as in Catalonia),
    every signal of the jurisdiction goes to that unit instead of the institutions' bureaux."""

    jurisdiction = models.CharField(_("jurisdiction"), max_length=100, unique=True)
    central_signals_unit = models.ForeignKey(
        Agency,
        verbose_name=_("central signals unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"type": "intelligence_bureau"},
        help_text=_("An intelligence bureau that receives every signal of the jurisdiction."),
    )

    class Meta:
        ordering = ["jurisdiction"]
        verbose_name = _("jurisdiction setting")
        verbose_name_plural = _("jurisdiction settings")

    def __str__(self) -> str:
        return self.jurisdiction

    def clean(self) -> None:
        unit = self.central_signals_unit
        if unit is not None and unit.type != "intelligence_bureau":
            raise ValidationError(
                {"central_signals_unit": _("The central signals unit must be a bureau.")}
            )


class InclusionCriterion(models.Model):
    """One criterion a triage decision records as met or not. The list differs between
    jurisdictions; recording which were met makes those differences visible."""

    jurisdiction = models.CharField(_("jurisdiction"), max_length=100)
    code = models.SlugField(_("code"), max_length=60)
    label = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["jurisdiction", "position", "code"]
        verbose_name = _("inclusion criterion")
        verbose_name_plural = _("inclusion criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "code"], name="inclusion_criterion_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.label


# --- investigation --------------------------------------------------------------------------


class InvestigationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Investigation(models.Model):
    """The bureau's investigation of one person: it groups the signals about them, its
    findings and measures, and ends in a triage decision. All of it is intelligence."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="investigations"
    )
    bureau = models.ForeignKey(
        Agency, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="investigations"
    )
    opened_by = models.ForeignKey(
        Membership, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InvestigationStatus.choices,
        default=InvestigationStatus.OPEN,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")
        constraints = [
            # One open investigation per person and bureau: new signals join it.
            models.UniqueConstraint(
                fields=["person", "bureau"],
                condition=Q(status="open"),
                name="investigation_one_open_per_person_bureau",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | Q(status="open", closed_at__isnull=True),
                name="investigation_closed_at_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status == InvestigationStatus.OPEN


class Finding(models.Model):
    investigation = models.ForeignKey(
        Investigation,
        verbose_name=_("investigation"),
        on_delete=models.PROTECT,
        related_name="findings",
    )
    text = models.TextField(_("finding"), error_messages={"blank": _("Write down the finding.")})
    recorded_by = models.ForeignKey(
        Membership, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return f"{self.investigation} ({self.recorded_at:%Y-%m-%d})"


class MeasureType(models.TextChoices):
    TELEPHONE_MONITORING = "telephone_monitoring", _("Telephone monitoring")
    CELL_INSPECTION = "cell_inspection", _("Cell inspection")
    READING_MATERIAL = "reading_material", _("Supervision of reading material")
    VISITOR_REVIEW = "visitor_review", _("Review of visitors")
    JUDICIAL_FILE_REVIEW = "judicial_file_review", _("Review of the judicial file")
    INFORMATION_REQUEST = "information_request", _("Information request to police or prosecution")


class MeasureStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting authorisation")
    ACTIVE = "active", _("Authorised and running")
    ENDED = "ended", _("Ended")


class Measure(models.Model):
    """A measure of an investigation. It runs only once someone other than the requester
    authorised it, from the authorisation at the earliest. Past its end date it is overdue:
    flagged and listed until it is renewed (again by someone else) or ended."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    investigation = models.ForeignKey(
        Investigation,
        verbose_name=_("investigation"),
        on_delete=models.PROTECT,
        related_name="measures",
    )
    type = models.CharField(
        _("type"),
        max_length=30,
        choices=MeasureType.choices,
        error_messages={"blank": _("Choose the type of measure.")},
    )
    legal_basis = models.TextField(
        _("legal basis"),
        help_text=_("The provision that allows this measure, and why it applies."),
        error_messages={"blank": _("State the legal basis of the measure.")},
    )
    starts_on = models.DateField(
        _("starts on"), error_messages={"null": _("Enter the start date.")}
    )
    ends_on = models.DateField(_("ends on"), error_messages={"null": _("Enter the end date.")})
    status = models.CharField(
        _("status"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        Membership, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    authorised_by = models.ForeignKey(
        Membership,
        verbose_name=_("authorised by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    authorised_at = models.DateTimeField(_("authorised at"), null=True, blank=True)
    renewals = models.PositiveSmallIntegerField(_("renewals"), default=0)
    ended_by = models.ForeignKey(
        Membership,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["ends_on", "id"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="measure_ends_after_start"
            ),
            # No measure runs, or ran, without an authoriser, and nobody authorises their own.
            models.CheckConstraint(
                condition=(
                    Q(authorised_by__isnull=True, authorised_at__isnull=True) & ~Q(status="active")
                )
                | (
                    Q(authorised_by__isnull=False, authorised_at__isnull=False)
                    & ~Q(authorised_by=F("requested_by"))
                    & ~Q(status="requested")
                ),
                name="measure_authorised_by_another",
            ),
            models.CheckConstraint(
                condition=Q(status="ended", ended_at__isnull=False)
                | (~Q(status="ended") & Q(ended_at__isnull=True)),
                name="measure_ended_at_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.starts_on} to {self.ends_on})"

    @property
    def is_overdue(self) -> bool:
        """Past its end date and still running: to be renewed or ended."""
        return self.status == MeasureStatus.ACTIVE and self.ends_on < timezone.localdate()


# --- triage ----------------------------------------------------------------------------------


# Who a "notify" decision may reach: the stakeholders around a person, not the intelligence
# side, which already knows.
NOTIFIABLE_AGENCY_TYPES = frozenset(
    {
        AgencyType.MUNICIPALITY,
        AgencyType.PROBATION,
        AgencyType.POLICE,
        AgencyType.PROSECUTION,
        AgencyType.CUSTODIAL_INSTITUTION,
        AgencyType.HEALTH_SERVICE,
    }
)


class TriageOutcome(models.TextChoices):
    DOWNSCALE = "downscale", _("No further action (downscale)")
    MONITOR = "monitor", _("Monitor, with a review date")
    NOTIFY = "notify", _("Notify the municipality and other stakeholders")
    REFER = "refer", _("Refer to MAR")


class TriageStatus(models.TextChoices):
    AWAITING_SIGN_OFF = "awaiting_sign_off", _("Awaiting sign-off")
    IN_EFFECT = "in_effect", _("In effect")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TriageDecision(models.Model):
    """The decision on an investigation, taken together by the custodial side and the
    coordination programme: it takes effect with the second of two sign-offs."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    investigation = models.ForeignKey(
        Investigation,
        verbose_name=_("investigation"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=20,
        choices=TriageOutcome.choices,
        error_messages={"blank": _("Choose the outcome.")},
    )
    rationale = models.TextField(
        _("rationale"), error_messages={"blank": _("Give the rationale for the decision.")}
    )
    criteria_met = models.ManyToManyField(
        InclusionCriterion,
        verbose_name=_("inclusion criteria met"),
        related_name="decisions",
        blank=True,
    )
    review_on = models.DateField(_("review on"), null=True, blank=True)
    notify_agencies = models.ManyToManyField(
        Agency, verbose_name=_("agencies to notify"), related_name="+", blank=True
    )
    notice_text = models.TextField(
        _("what the stakeholders are told"),
        blank=True,
        help_text=_("Only this text reaches them, never the intelligence behind it."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=TriageStatus.choices,
        default=TriageStatus.AWAITING_SIGN_OFF,
    )
    proposed_by = models.ForeignKey(
        Membership, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    took_effect_at = models.DateTimeField(_("took effect at"), null=True, blank=True)
    case = models.ForeignKey(
        "core.Case",
        verbose_name=_("MAR case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("triage decision")
        verbose_name_plural = _("triage decisions")
        constraints = [
            # One decision at a time awaits sign-off on an investigation.
            models.UniqueConstraint(
                fields=["investigation"],
                condition=Q(status="awaiting_sign_off"),
                name="triage_one_pending_per_investigation",
            ),
            models.CheckConstraint(
                condition=Q(status="in_effect", took_effect_at__isnull=False)
                | (~Q(status="in_effect") & Q(took_effect_at__isnull=True)),
                name="triage_took_effect_at_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="monitor") | Q(review_on__isnull=False),
                name="triage_monitor_has_review_date",
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="triage_rationale_required"),
            models.CheckConstraint(
                condition=~Q(outcome="refer", status="in_effect") | Q(case__isnull=False),
                name="triage_referral_has_case",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class SignOffSide(models.TextChoices):
    CUSTODIAL = "custodial", _("Custodial institution")
    COORDINATION = "coordination", _("Coordination programme")


class TriageSignOff(models.Model):
    decision = models.ForeignKey(
        TriageDecision,
        verbose_name=_("triage decision"),
        on_delete=models.PROTECT,
        related_name="sign_offs",
    )
    side = models.CharField(_("on behalf of"), max_length=20, choices=SignOffSide.choices)
    membership = models.ForeignKey(
        Membership, verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="+"
    )
    # Copied from the membership so the database itself refuses a second sign-off by the same
    # user (acting in another membership) or the same agency.
    user = models.ForeignKey(
        "core.User", verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name = _("triage sign-off")
        verbose_name_plural = _("triage sign-offs")
        constraints = [
            models.UniqueConstraint(fields=["decision", "side"], name="sign_off_one_per_side"),
            models.UniqueConstraint(fields=["decision", "user"], name="sign_off_one_per_user"),
            models.UniqueConstraint(fields=["decision", "agency"], name="sign_off_one_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.decision} ({self.get_side_display()})"


class ReviewStatus(models.TextChoices):
    DUE = "due", _("To do")
    DONE = "done", _("Done")


class MonitoringReview(models.Model):
    """The task a "monitor" decision leaves: review the person on the review date."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    decision = models.OneToOneField(
        TriageDecision,
        verbose_name=_("triage decision"),
        on_delete=models.PROTECT,
        related_name="review",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("for"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DUE
    )
    completed_by = models.ForeignKey(
        Membership,
        verbose_name=_("completed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("monitoring review")
        verbose_name_plural = _("monitoring reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", completed_at__isnull=False)
                | Q(status="due", completed_at__isnull=True),
                name="review_completed_at_matches_status",
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision} ({self.due_on})"

    @property
    def is_due(self) -> bool:
        return self.status == ReviewStatus.DUE and self.due_on <= timezone.localdate()


class StakeholderNotice(models.Model):
    """What a "notify" decision tells a stakeholder agency: the person and the text agreed for
    them, never the intelligence behind it."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    decision = models.ForeignKey(
        TriageDecision,
        verbose_name=_("triage decision"),
        on_delete=models.PROTECT,
        related_name="stakeholder_notices",
    )
    recipient = models.ForeignKey(
        Agency,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="stakeholder_notices",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    acknowledged_by = models.ForeignKey(
        Membership,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stakeholder notice")
        verbose_name_plural = _("stakeholder notices")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "recipient"], name="stakeholder_notice_one_per_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.person}"
