"""The audit log's page costs a number of queries that does not grow with its entries."""

from __future__ import annotations

from django.urls import reverse

from continuum.audit import services
from continuum.audit.models import Action
from tests.querycount import assert_flat


def test_the_audit_log_page(act_as, world):
    def entries(n: int) -> None:
        for i in range(n):
            services.record(action=Action.CHANGE, actor=world["coordinator"], changes={"i": i})

    assert_flat(act_as(world["data_protection_officer"]), reverse("audit:entry-list"), entries)
