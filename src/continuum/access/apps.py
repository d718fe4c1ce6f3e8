from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "continuum.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self) -> None:
        from continuum.access.navigation import ENTRIES, TASK_SOURCES
        from continuum.core import navigation

        navigation.register_entries(ENTRIES)
        navigation.register_task_sources(TASK_SOURCES)
