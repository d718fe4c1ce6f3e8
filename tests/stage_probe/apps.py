from __future__ import annotations

from django.apps import AppConfig

PROBE_AGENCY = "probe-agency"


class StageProbeConfig(AppConfig):
    name = "tests.stage_probe"
    label = "stage_probe"

    def ready(self) -> None:
        from continuum.core import navigation, periodic, routes, timeline
        from tests.stage_probe import stage

        routes.register(
            routes.StageRoutes(
                "stage-probe",
                prefix="probe/",
                urls="tests.stage_probe.urls",
                api_urls="tests.stage_probe.api_urls",
            )
        )
        timeline.register_kinds(stage.KINDS)
        navigation.register_entries(stage.ENTRIES)
        navigation.register_task_sources(stage.TASK_SOURCES)
        periodic.jobs.register(stage.JOB)
