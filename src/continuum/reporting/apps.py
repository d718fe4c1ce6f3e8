from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "continuum.reporting"
    label = "reporting"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from continuum.access import policy
        from continuum.core import navigation, routes

        routes.register(
            routes.StageRoutes("reporting", prefix="reports/", urls="continuum.reporting.urls")
        )

        navigation.register_entries(
            [
                navigation.NavEntry(
                    "reporting-bias",
                    _("Bias monitoring"),
                    "reporting:bias-report",
                    policy.may_read_aggregates,
                    order=80,
                )
            ]
        )
