from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "continuum.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from continuum.access import policy
        from continuum.core import navigation, timeline

        timeline.register_kinds(timeline.CORE_KINDS)
        navigation.register_entries(
            [
                navigation.NavEntry(
                    "core-persons",
                    _("Persons"),
                    "core:person-search",
                    policy.may_read_case_content,
                    order=10,
                ),
                navigation.NavEntry(
                    "core-cases",
                    _("Cases"),
                    "core:case-list",
                    policy.may_read_case_content,
                    order=20,
                ),
            ]
        )
