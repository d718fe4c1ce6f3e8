"""Records the access policy reads besides the case team: emergency access, and per-case
exclusion and restriction lists."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.core.models import Case, Membership


class EmergencyAccessQuerySet(models.QuerySet["EmergencyAccess"]):
    def active(self, membership: Membership) -> EmergencyAccessQuerySet:
        now = timezone.now()
        return self.filter(membership=membership, started_at__lte=now, expires_at__gt=now)


class EmergencyAccess(models.Model):
    """Break-glass: time-limited access to one case, with a written justification, which the
    data-protection officer reviews."""

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="emergency_accesses"
    )
    justification = models.TextField(_("justification"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        Membership,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_note = models.TextField(_("review note"), blank=True)

    objects = EmergencyAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        indexes = [models.Index(fields=["membership", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("started_at")),
                name="emergency_access_expires_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} ({self.started_at:%Y-%m-%d %H:%M})"


class CaseExclusion(models.Model):
    """A named user who must not see one case, for example a staff member who knows the
    person privately. To them the case does not exist."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="exclusions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="case_exclusions",
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        Membership, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("case exclusion")
        verbose_name_plural = _("case exclusions")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_exclusion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.user}"


class CaseRestriction(models.Model):
    """A case with any restriction rows is visible only to the users named in them."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="restrictions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="case_restrictions",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        Membership, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("case restriction")
        verbose_name_plural = _("case restrictions")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_restriction_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.user}"
