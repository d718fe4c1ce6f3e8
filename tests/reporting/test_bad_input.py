"""The bias report's period at the ends of the calendar, or not a date at all: a refusal on
its field, never a 500, and nothing is read or logged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from continuum.audit.models import AuditEntry

URL = "reporting:bias-report"
OUT_OF_RANGE = "Enter a date between the years 1900 and 2999."


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"until": "9999-12-31"}, "until"),
        ({"since": "0001-01-01"}, "since"),
        ({"since": "0001-01-01", "until": "9999-12-31"}, "since"),
        ({"since": "1899-12-31"}, "since"),
        ({"until": "3000-01-01"}, "until"),
    ],
)
def test_a_period_outside_the_years_is_refused_on_its_field(act_as, world, query, field):
    response = act_as(world["evaluator"]).get(reverse(URL), query)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [OUT_OF_RANGE]
    assert response.context["report"] is None
    assert OUT_OF_RANGE in response.text
    assert not AuditEntry.objects.filter(changes__report="reporting.bias").exists()


def test_a_period_at_the_ends_of_the_years_is_shown(act_as, world):
    response = act_as(world["evaluator"]).get(
        reverse(URL), {"since": "1900-01-01", "until": "2999-12-31"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert response.context["report"] is not None


@pytest.mark.parametrize("value", ["2026-01-01\x00", "not a date", "2026-02-30"])
def test_a_period_that_is_not_a_date_is_refused(act_as, world, value):
    response = act_as(world["evaluator"]).get(reverse(URL), {"since": value})
    assert response.status_code == 200
    assert response.context["form"].errors["since"] == ["Enter a valid date."]
    assert response.context["report"] is None
