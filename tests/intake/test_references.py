"""Measures, monitoring reviews and stakeholder notices are addressed by a random reference
(M-…, R-…, N-…) like every other intake record, never by their sequential database id, which
would leak how many there are: in the pages, the API, the audit log's lists and the tasks on
My work. The migration that introduced the references gave every existing row one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from continuum.audit.models import AuditEntry
from continuum.core import navigation
from continuum.core.models import REFERENCE_ALPHABET, Membership
from continuum.intake import services
from continuum.intake.models import (
    Investigation,
    Measure,
    MeasureStatus,
    MonitoringReview,
    ReviewStatus,
    StakeholderNotice,
    TriageDecision,
)
from tests.conftest import bearer
from tests.factories import PersonFactory, PlacementFactory
from tests.intake.conftest import decision_data, measure_data, signal_data

PREFIXES: dict[type[Model], str] = {Measure: "M", MonitoringReview: "R", StakeholderNotice: "N"}


def pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"{prefix}-[{REFERENCE_ALPHABET}]{{6}}")


def in_effect(world, investigation: Investigation, **overrides: Any) -> TriageDecision:
    decision = services.triage_propose(
        actor=world["bureau_analyst"],
        investigation=investigation,
        data=decision_data(criteria=[], **overrides),
    )
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    return services.triage_sign_off(actor=world["coordinator"], decision=decision)


def monitor(world, investigation: Investigation, days: int) -> TriageDecision:
    review_on = timezone.localdate() + timedelta(days=days)
    return in_effect(world, investigation, outcome="monitor", review_on=review_on)


@dataclass
class Records:
    measures: list[Measure]
    reviews: list[MonitoringReview]  # the first settled by the second decision, the last due
    notices: list[StakeholderNotice]  # to the municipality, probation and police

    def of(self, model: type[Model]) -> list[Any]:
        return {Measure: self.measures, MonitoringReview: self.reviews}.get(model, self.notices)


@pytest.fixture
def records(world, investigation) -> Records:
    """On the investigation: three measures awaiting authorisation and three "monitor"
    decisions, each leaving a monitoring review. On a second person's investigation, a
    "notify" decision to three agencies."""
    measures = [
        services.measure_request(
            actor=world["bureau_analyst"], investigation=investigation, data=measure_data()
        )
        for _ in range(3)
    ]
    for days in (10, 20, 30):
        monitor(world, investigation, days)
    other = PersonFactory(registered_by=world.institution)
    PlacementFactory(person=other, institution=world.institution, ended_on=None)
    signal = services.signal_record(actor=world["contact_point"], data=signal_data(other))
    notified = services.signal_investigate(actor=world["bureau_analyst"], signal=signal)
    in_effect(
        world,
        notified,
        outcome="notify",
        notify=[world.municipality.code, world.probation.code, world.police.code],
        notice_text="Please plan for a return to your municipality.",
    )
    return Records(
        measures=measures,
        reviews=list(MonitoringReview.objects.order_by("pk")),
        notices=list(StakeholderNotice.objects.order_by("pk")),
    )


# --- the references ----------------------------------------------------------------------------


@pytest.mark.parametrize("model", list(PREFIXES), ids=lambda m: m.__name__)
def test_it_gives_each_record_a_random_reference_of_its_own(records, model):
    references = [row.reference for row in records.of(model)]
    assert len(references) == 3
    assert all(pattern(PREFIXES[model]).fullmatch(r) for r in references), references
    assert len(set(references)) == len(references)
    # Not a counter: consecutive numbers would share all but their last characters. (Random
    # references share their first five with a chance of one in 32**5 per pair.)
    assert len({r[:-1] for r in references}) == len(references), references


@pytest.mark.parametrize("model", list(PREFIXES), ids=lambda m: m.__name__)
def test_the_database_refuses_two_records_with_one_reference(records, model):
    first, second, *_ = records.of(model)
    with pytest.raises(IntegrityError), transaction.atomic():
        model._default_manager.filter(pk=second.pk).update(reference=first.reference)


# --- the API and the audit log show references, not ids -------------------------------------


def api_list(client, membership: Membership, path: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/{path}", **bearer(membership))
    assert response.status_code == 200, response.content
    return response.json()["results"]


def last_list_entry() -> list[str]:
    return AuditEntry.objects.filter(action="list").latest("sequence").changes["shown"]


def test_the_api_shows_and_audits_references_instead_of_ids(client, world, records):
    measures = api_list(client, world["bureau_analyst"], "measures")
    assert {row["reference"] for row in measures} == {m.reference for m in records.measures}
    assert set(last_list_entry()) == {m.reference for m in records.measures}

    (review,) = api_list(client, world["bureau_analyst"], "monitoring-reviews")
    assert review["reference"] == records.reviews[-1].reference
    assert last_list_entry() == [records.reviews[-1].reference]

    (notice,) = api_list(client, world["case_manager"], "stakeholder-notices")
    to_municipality = StakeholderNotice.objects.get(recipient=world.municipality)
    assert notice["reference"] == to_municipality.reference
    assert last_list_entry() == [to_municipality.reference]

    investigation = records.measures[0].investigation
    detail = client.get(
        f"/api/v1/investigations/{investigation.reference}", **bearer(world["coordinator"])
    ).json()
    for row in [*measures, review, notice, *detail["measures"]]:
        assert "id" not in row, row


def test_the_pages_audit_the_references_they_list(act_as, world, records):
    act_as(world["bureau_analyst"]).get(reverse("intake:measure-list"))
    assert set(last_list_entry()) == {m.reference for m in records.measures}
    act_as(world["bureau_analyst"]).get(reverse("intake:monitoring-review-list"))
    assert last_list_entry() == [records.reviews[-1].reference]
    act_as(world["case_manager"]).get(reverse("intake:stakeholder-notice-list"))
    assert last_list_entry() == [
        StakeholderNotice.objects.get(recipient=world.municipality).reference
    ]


def test_the_audit_entries_of_a_record_name_its_reference(world, records, second_analyst):
    measure = services.measure_authorise(actor=second_analyst, measure=records.measures[0])
    entry = AuditEntry.objects.filter(object_type="intake.measure").latest("sequence")
    assert entry.object_id == measure.reference
    settled = AuditEntry.objects.filter(object_type="intake.monitoringreview").latest("sequence")
    assert settled.object_id == records.reviews[-2].reference


def test_the_tasks_carry_the_records_own_reference(world, records, second_analyst):
    def references(membership: Membership, source: str) -> set[str]:
        return {t.reference for t in navigation.tasks_for(membership) if t.source == source}

    # The bureau's own measures await another analyst of it.
    assert references(second_analyst, "intake-authorise") == {m.reference for m in records.measures}
    MonitoringReview.objects.filter(pk=records.reviews[-1].pk).update(due_on=timezone.localdate())
    assert references(world["bureau_analyst"], "intake-monitoring-review") == {
        records.reviews[-1].reference
    }
    assert references(world["case_manager"], "intake-stakeholder-notice") == {
        StakeholderNotice.objects.get(recipient=world.municipality).reference
    }


# --- an old id addresses nothing ---------------------------------------------------------------


@dataclass
class Route:
    page: str  # the page's URL name
    api: str  # the API path after the record, under /api/v1/<collection>/
    collection: str
    actor: str
    data: dict[str, str]


ROUTES = {
    "measure": Route("intake:measure-authorise", "authorise", "measures", "second", {}),
    "monitoring review": Route(
        "intake:monitoring-review-complete",
        "complete",
        "monitoring-reviews",
        "bureau_analyst",
        {"note": "Quiet on the wing."},
    ),
    "stakeholder notice": Route(
        "intake:stakeholder-notice-acknowledge",
        "acknowledge",
        "stakeholder-notices",
        "case_manager",
        {},
    ),
}


def target(records: Records, world, kind: str) -> Any:
    if kind == "measure":
        return records.measures[0]
    if kind == "monitoring review":
        return records.reviews[-1]
    return StakeholderNotice.objects.get(recipient=world.municipality)


def untouched(record: Any) -> bool:
    record.refresh_from_db()
    if isinstance(record, Measure):
        return record.status == MeasureStatus.REQUESTED
    if isinstance(record, MonitoringReview):
        return record.status == ReviewStatus.DUE
    return record.acknowledged_at is None


def form_data(route: Route, record: Any, address: str) -> dict[str, str]:
    """The page's form fields, prefixed as the page prefixes them (by the address used)."""
    if isinstance(record, MonitoringReview):
        return {f"monitoring-review-{address}-note": route.data["note"]}
    return {}


@pytest.mark.parametrize("kind", list(ROUTES))
def test_an_old_integer_id_no_longer_addresses_a_record_on_the_pages(
    act_as, world, records, second_analyst, kind
):
    route = ROUTES[kind]
    record = target(records, world, kind)
    actor = second_analyst if route.actor == "second" else world[route.actor]
    client = act_as(actor)
    by_id = client.post(reverse(route.page, args=[record.pk]), form_data(route, record, "x"))
    assert by_id.status_code == 404
    assert untouched(record)
    by_reference = reverse(route.page, args=[record.reference])
    assert client.post(by_reference, form_data(route, record, record.reference)).status_code == 302
    assert not untouched(record)


@pytest.mark.parametrize("kind", list(ROUTES))
def test_an_old_integer_id_no_longer_addresses_a_record_in_the_api(
    client, world, records, second_analyst, kind
):
    route = ROUTES[kind]
    record = target(records, world, kind)
    actor = second_analyst if route.actor == "second" else world[route.actor]
    token = bearer(actor)

    def post(address: str):
        path = f"/api/v1/{route.collection}/{address}/{route.api}"
        return client.post(path, route.data, content_type="application/json", **token)

    assert post(str(record.pk)).status_code == 404
    assert untouched(record)
    answer = post(record.reference)
    assert answer.status_code == 200
    assert answer.json()["reference"] == record.reference
    assert not untouched(record)


# --- the migration -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_existing_record_a_reference(records):
    """Back to before the references (the column is dropped), then forward again: migration
    0006 fills in a reference for every row that is already there."""
    counts = {model: model._default_manager.count() for model in PREFIXES}
    before = {model: {row.reference for row in records.of(model)} for model in PREFIXES}
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("intake", "0004_stakeholder_notice")])
        old = executor.loader.project_state([("intake", "0004_stakeholder_notice")]).apps
        old_measure = old.get_model("intake", "Measure")
        assert "reference" not in {f.name for f in old_measure._meta.get_fields()}
        assert old_measure.objects.count() == counts[Measure]
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    for model, prefix in PREFIXES.items():
        references = list(model._default_manager.values_list("reference", flat=True))
        assert len(references) == counts[model] == 3
        assert all(pattern(prefix).fullmatch(r) for r in references), references
        assert len(set(references)) == len(references)
        # New ones, drawn by the migration (the old column was dropped with its values).
        assert set(references) != before[model]
