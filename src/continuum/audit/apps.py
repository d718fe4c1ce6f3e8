from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "continuum.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        # Load the audit key now, so that a server without one (in production) refuses to
        # start instead of failing on its first audited request.
        from continuum.audit.keys import keyring

        keyring()

        from continuum.access import policy
        from continuum.audit.periodic import JOBS
        from continuum.core import navigation, periodic

        for job in JOBS:
            periodic.jobs.register(job)

        navigation.register_entries(
            [
                navigation.NavEntry(
                    "audit-log", _("Audit log"), "audit:entry-list", policy.can_view_audit, order=90
                )
            ]
        )
