"""The core domain: agencies, users and their memberships, persons, placements, cases, timeline.

Models hold data and invariants (field checks, database constraints). Rules that span rows, such
as overlapping placements or a second open case, live in ``services.py``.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable
from datetime import date, datetime

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.base import ModelBase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.core.fields import (
    BlindIndexField,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedTextField,
    SearchTokensField,
    with_derived_fields,
)

# Unambiguous characters for references that people read out on the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference(prefix: str) -> str:
    """A random, non-sequential reference: sequential numbers would leak case counts."""
    return prefix + "-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def unique_reference(model: type[models.Model], prefix: str) -> str:
    """A new reference not yet used by any row of ``model`` (its ``reference`` field)."""
    while True:
        reference = new_reference(prefix)
        if not model._default_manager.filter(reference=reference).exists():
            return reference


class AgencyType(models.TextChoices):
    CUSTODIAL_INSTITUTION = "custodial_institution", _("Custodial institution")
    INTELLIGENCE_BUREAU = "intelligence_bureau", _("Intelligence and safety bureau")
    COORDINATION_PROGRAMME = "coordination_programme", _("Coordination programme")
    MUNICIPALITY = "municipality", _("Municipality")
    PROBATION = "probation", _("Probation")
    POLICE = "police", _("Police")
    PROSECUTION = "prosecution", _("Prosecution")
    JUDICIARY = "judiciary", _("Judiciary")
    NGO = "ngo", _("NGO")
    HEALTH_SERVICE = "health_service", _("Health service")


class Agency(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=40, choices=AgencyType.choices)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        help_text=_("For example the custodial institution an intelligence bureau belongs to."),
    )
    safety_house = models.CharField(_("Safety House"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CONTACT_POINT = "contact_point", _("Contact point")
    BUREAU_ANALYST = "bureau_analyst", _("Bureau analyst")
    COORDINATOR = "coordinator", _("Coordinator")
    CASE_MANAGER = "case_manager", _("Municipal case manager")
    PROBATION_OFFICER = "probation_officer", _("Probation officer")
    POLICE_LIAISON = "police_liaison", _("Police liaison")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    MENTOR = "mentor", _("Mentor")
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("Data-protection officer")
    EVALUATOR = "evaluator", _("Evaluator")
    ADMINISTRATOR = "administrator", _("Administrator")


# Which kind of agency a role is held in; roles not listed may be held in any agency.
ROLE_AGENCY_TYPES: dict[str, set[str]] = {
    Role.CONTACT_POINT: {AgencyType.CUSTODIAL_INSTITUTION},
    Role.BUREAU_ANALYST: {AgencyType.INTELLIGENCE_BUREAU},
    Role.COORDINATOR: {AgencyType.COORDINATION_PROGRAMME},
    Role.CASE_MANAGER: {AgencyType.MUNICIPALITY},
    Role.PROBATION_OFFICER: {AgencyType.PROBATION},
    Role.POLICE_LIAISON: {AgencyType.POLICE},
    Role.PROSECUTOR: {AgencyType.PROSECUTION},
    Role.MENTOR: {AgencyType.NGO},
}


class User(AbstractUser):
    is_system_account = models.BooleanField(
        _("system account"),
        default=False,
        help_text=_("An agency system that uses the API with a token; it cannot sign in."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A user acting for one agency in one role. A user chooses which membership they act in."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["agency__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="membership_unique_user_agency_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.agency}"

    def clean(self) -> None:
        allowed = ROLE_AGENCY_TYPES.get(self.role)
        if allowed and self.agency_id and self.agency.type not in allowed:
            raise ValidationError(
                {
                    "role": _("The role %(role)s cannot be held in a %(type)s.")
                    % {"role": self.get_role_display(), "type": self.agency.get_type_display()}
                }
            )


class CustodyStatus(models.TextChoices):
    PRE_TRIAL = "pre_trial", _("In pre-trial detention")
    SENTENCED = "sentenced", _("Serving a sentence")
    RELEASED = "released", _("Released")
    NOT_IN_CUSTODY = "not_in_custody", _("Not in custody")


IN_CUSTODY = (CustodyStatus.PRE_TRIAL, CustodyStatus.SENTENCED)


class Person(models.Model):
    """The client. The interface shows the pseudonymous reference, not the name, wherever it can.

    The identifying fields are encrypted, each value bound to this row by ``reference``
    (see :mod:`continuum.core.fields`): ``reference`` is set before the first save and never
    changes. The national identifier is found and kept unique through its blind index; names
    and aliases are found through their search tokens.
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    given_names = EncryptedCharField(_("given names"), max_length=200)
    family_name = EncryptedCharField(_("family name"), max_length=200)
    aliases = EncryptedTextField(_("aliases"), blank=True, help_text=_("One alias per line."))
    date_of_birth = EncryptedDateField(_("date of birth"), null=True, blank=True)
    national_identifier = EncryptedCharField(
        _("national identifier"), max_length=32, null=True, blank=True
    )
    national_identifier_index = BlindIndexField(
        source="national_identifier", null=True, unique=True
    )
    search_tokens = SearchTokensField(sources=("given_names", "family_name", "aliases"))
    custody_status = models.CharField(
        _("custody status"), max_length=20, choices=CustodyStatus.choices
    )
    sentence_start = models.DateField(_("sentence start"), null=True, blank=True)
    expected_release = models.DateField(_("expected release"), null=True, blank=True)
    actual_release = models.DateField(_("actual release"), null=True, blank=True)
    is_veto = models.BooleanField(
        _("convicted of a terrorist offence"),
        default=False,
        help_text=_("A convicted VETO is a MAR case automatically."),
    )
    registered_by = models.ForeignKey(
        Agency, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["reference"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_release__isnull=True)
                | Q(sentence_start__isnull=True)
                | Q(expected_release__gte=F("sentence_start")),
                name="person_expected_release_after_start",
            ),
            models.CheckConstraint(
                condition=Q(actual_release__isnull=True)
                | Q(sentence_start__isnull=True)
                | Q(actual_release__gte=F("sentence_start")),
                name="person_actual_release_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(
        self,
        *,
        force_insert: bool | tuple[ModelBase, ...] = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None:
        # A partial save of an encrypted field must refresh the indexes computed from it.
        if update_fields is not None:
            update_fields = with_derived_fields(Person, update_fields)
        super().save(
            force_insert=force_insert,
            force_update=force_update,
            using=using,
            update_fields=update_fields,
        )

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    def validate_unique(self, exclude: Collection[str] | None = None) -> None:
        """The national identifier is unique through its blind index; the refusal is reported
        on the identifier, the field people fill in."""
        exclude = set(exclude or ())
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().validate_unique(exclude=exclude | {"national_identifier_index"})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "national_identifier" not in exclude and self._identifier_taken():
            errors.setdefault("national_identifier", []).append(
                ValidationError(
                    _("A person with this national identifier is already registered."),
                    code="unique",
                )
            )
        if errors:
            raise ValidationError(errors)

    def _identifier_taken(self) -> bool:
        if not self.national_identifier:
            return False
        index = Person._meta.get_field("national_identifier_index")
        others = Person.objects.filter(index.matching(self.national_identifier))
        return others.exclude(pk=self.pk).exists() if self.pk else others.exists()

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        for field in ("expected_release", "actual_release"):
            release = getattr(self, field)
            if release and self.sentence_start and release < self.sentence_start:
                errors[field] = ValidationError(
                    _("The release date cannot be before the sentence start (%(start)s).")
                    % {"start": self.sentence_start.isoformat()},
                    code="release_before_sentence_start",
                )
        if (self.expected_release or self.actual_release) and not self.sentence_start:
            errors["sentence_start"] = ValidationError(
                _("Enter the sentence start when you enter a release date."), code="required"
            )
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            errors["date_of_birth"] = ValidationError(
                _("The date of birth cannot be in the future."), code="future"
            )
        if errors:
            raise ValidationError(errors)


class UnitType(models.TextChoices):
    TERRORIST_WING = "terrorist_wing", _("Dedicated terrorist wing")
    REGULAR_WARD = "regular_ward", _("Regular ward")


class Placement(models.Model):
    """Where a person is or was held. An open placement (no end) is the current one."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="placements"
    )
    institution = models.ForeignKey(
        Agency,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="placements",
    )
    unit_type = models.CharField(_("unit"), max_length=20, choices=UnitType.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="placement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} ({self.started_on} to {self.ended_on or ''})"

    def clean(self) -> None:
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError(
                {"ended_on": _("A placement cannot end before it starts.")}, code="invalid"
            )
        if self.institution_id and self.institution.type != AgencyType.CUSTODIAL_INSTITUTION:
            raise ValidationError(
                {"institution": _("A placement must be in a custodial institution.")}
            )

    def overlaps(self, other: Placement) -> bool:
        """Placements are inclusive date ranges; a placement ending on day D and the next
        starting on D+1 do not overlap, but sharing day D does."""
        far = date.max
        return self.started_on <= (other.ended_on or far) and other.started_on <= (
            self.ended_on or far
        )


class Phase(models.TextChoices):
    REFERRED = "referred", _("Referred")
    IN_DETENTION = "in_detention", _("In detention")
    RELEASE_PREPARATION = "release_preparation", _("Release preparation")
    AFTERCARE = "aftercare", _("Aftercare")
    CLOSED = "closed", _("Closed")


class Case(models.Model):
    """A MAR case: one person, a lead agency and a team of agencies and named members."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases"
    )
    phase = models.CharField(_("phase"), max_length=24, choices=Phase.choices)
    lead_agency = models.ForeignKey(
        Agency, verbose_name=_("lead agency"), on_delete=models.PROTECT, related_name="led_cases"
    )
    team_agencies = models.ManyToManyField(
        Agency, verbose_name=_("team agencies"), related_name="team_cases", blank=True
    )
    team_members = models.ManyToManyField(
        Membership, verbose_name=_("named team members"), related_name="cases", blank=True
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            # The service refuses a second open case with a clear message; this index is the
            # backstop against two concurrent requests both passing that check.
            models.UniqueConstraint(
                fields=["person"],
                condition=~Q(phase="closed"),
                name="case_one_open_per_person",
                violation_error_message=_("This person already has an open case."),
            ),
            models.CheckConstraint(
                condition=Q(phase="closed", closed_at__isnull=False)
                | (~Q(phase="closed") & Q(closed_at__isnull=True)),
                name="case_closed_at_matches_phase",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.phase != Phase.CLOSED


class Sensitivity(models.TextChoices):
    """How widely a record may be seen (see the access policy). ``aggregate`` marks anonymised,
    small-cell-suppressed figures, never a record about a person."""

    INTELLIGENCE = "intelligence", _("Intelligence")
    CASE = "case", _("Case")
    MENTOR = "mentor", _("Mentor")
    AGGREGATE = "aggregate", _("Aggregate (anonymised figures)")


class TimelineEvent(models.Model):
    """One dated event in a person's continuum. Every stage adds its events here.

    The text is rendered from ``kind`` and ``details`` at display time so that it appears in
    the reader's language. ``kind`` has no ``choices``: the kinds are registered by the apps
    that record them (:mod:`continuum.core.timeline`), so a stage adds kinds without a core
    migration, and ``timeline_add`` refuses a kind nobody registered.
    """

    class Kind(models.TextChoices):
        """The core's own kinds; a stage names its kinds in its ``timeline.py``."""

        PERSON_REGISTERED = "person_registered", _("Person registered")
        SENTENCE_RECORDED = "sentence_recorded", _("Sentence recorded")
        PLACEMENT_STARTED = "placement_started", _("Placement started")
        PLACEMENT_ENDED = "placement_ended", _("Placement ended")
        CASE_OPENED = "case_opened", _("Case opened")
        PHASE_CHANGED = "phase_changed", _("Phase changed")
        TEAM_CHANGED = "team_changed", _("Team changed")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="timeline"
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="timeline",
    )
    kind = models.CharField(_("kind"), max_length=40)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    details = models.JSONField(_("details"), default=dict, blank=True)
    sensitivity = models.CharField(
        _("sensitivity"), max_length=20, choices=Sensitivity.choices, default=Sensitivity.CASE
    )
    actor = models.ForeignKey(
        Membership,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    held_by = models.ForeignKey(
        Agency,
        verbose_name=_("held by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "For intelligence: the agency whose intelligence this is. Besides coordination, "
            "only that agency (or, for an institution, its bureau) reads the event."
        ),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        indexes = [models.Index(fields=["person", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.kind} ({self.occurred_at:%Y-%m-%d})"


class ApiToken(models.Model):
    """A bearer token bound to one membership. Only a SHA-256 hash of the secret is stored;
    the secret has 256 bits of entropy, so a fast hash is enough (no offline guessing)."""

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.CASCADE, related_name="tokens"
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.prefix

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
