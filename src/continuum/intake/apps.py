from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "continuum.intake"
    label = "intake"
    verbose_name = _("Signals, investigation and triage")

    def ready(self) -> None:
        """Plug the stage in: its routes, timeline kinds, navigation, tasks, demo, periodic."""
        from continuum.core import demo, navigation, periodic, routes, timeline
        from continuum.intake import demo as intake_demo
        from continuum.intake import navigation as intake_navigation
        from continuum.intake import periodic as intake_periodic
        from continuum.intake.timeline import KINDS

        routes.register(
            routes.StageRoutes(
                "intake",
                prefix="intake/",
                urls="continuum.intake.urls",
                api_urls="continuum.intake.api_urls",
            )
        )
        timeline.register_kinds(KINDS)
        navigation.register_entries(intake_navigation.ENTRIES)
        navigation.register_task_sources(intake_navigation.TASK_SOURCES)
        demo.seeders.register(demo.Seeder("intake", intake_demo.seed))
        for job in intake_periodic.JOBS:
            periodic.jobs.register(job)
