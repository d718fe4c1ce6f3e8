"""The shared pieces of the access policy's base: the two helpers every read of one object and
every write go through (``get_visible``, ``lock_visible``), the condition that withholds every
record about an excluded or restricted person (``scope_about_person``), and the agencies on
whose side a membership works (``holding_agency_ids``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from continuum.access import policy, services
from continuum.core.exceptions import NotFound
from continuum.core.models import Case, Membership, Phase, Placement, Role
from tests.factories import CaseFactory, MembershipFactory, PersonFactory, PlacementFactory

REASON = "Knows the person privately from their neighbourhood."
EMERGENCY = "Person reported missing after leave; police need current placement details now."


@pytest.fixture
def team_case(world) -> Case:
    """A case of the municipality's team, about a person held at the world's institution."""
    person = PersonFactory(registered_by=world.institution)
    PlacementFactory(person=person, institution=world.institution)
    return CaseFactory(
        person=person, lead_agency=world.coordination, team=[world.institution, world.municipality]
    )


@pytest.fixture
def far_case(world) -> Case:
    """A case the municipality's case manager is not on."""
    return CaseFactory(lead_agency=world.coordination, team=[world.other_municipality])


# --- get_visible -----------------------------------------------------------------------------


def test_get_visible_answers_the_visible_object_with_its_relations(
    world, team_case, django_assert_num_queries
):
    case = policy.get_visible(
        policy.scope_cases, world["case_manager"], reference=team_case.reference, related=["person"]
    )
    assert case == team_case
    with django_assert_num_queries(0):
        assert case.person.reference == team_case.person.reference


def test_get_visible_answers_not_found_alike_for_a_missing_and_a_hidden_object(world, far_case):
    manager = world["case_manager"]
    with pytest.raises(NotFound) as missing:
        policy.get_visible(policy.scope_cases, manager, reference="MAR-DOES-NOT-EXIST")
    with pytest.raises(NotFound) as hidden:
        policy.get_visible(policy.scope_cases, manager, reference=far_case.reference)
    assert (missing.value.message, missing.value.fields) == (
        hidden.value.message,
        hidden.value.fields,
    )
    assert str(missing.value) == str(hidden.value)


def test_get_visible_hides_an_object_of_a_case_the_user_is_excluded_from(world, team_case):
    manager = world["case_manager"]
    services.case_exclude_user(
        actor=world["coordinator"], case=team_case, user=manager.user, reason=REASON
    )
    with pytest.raises(NotFound):
        policy.get_visible(policy.scope_cases, manager, reference=team_case.reference)
    with pytest.raises(NotFound):
        policy.get_visible(policy.scope_persons, manager, pk=team_case.person_id)


# --- lock_visible ----------------------------------------------------------------------------


@pytest.fixture
def steps(monkeypatch) -> list[str]:
    """What lock_visible did, in order: "scope" for each scope check, "lock" for each
    ``select_for_update`` (recorded on SQLite too, which drops the clause from the SQL)."""
    done: list[str] = []
    original = QuerySet.select_for_update

    def select_for_update(self: QuerySet[Case], *args: object, **kwargs: object) -> QuerySet[Case]:
        done.append("lock")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", select_for_update)
    return done


def recording_scope(done: list[str]):
    def scope(membership: Membership, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
        done.append("scope")
        return policy.scope_cases(membership, cases)

    return scope


def test_lock_visible_refuses_a_hidden_object_before_locking_anything(world, far_case, steps):
    with transaction.atomic(), pytest.raises(NotFound):
        policy.lock_visible(recording_scope(steps), world["case_manager"], far_case)
    assert steps == ["scope"]


def test_lock_visible_checks_the_scope_then_locks(world, team_case, steps):
    with transaction.atomic():
        policy.lock_visible(recording_scope(steps), world["case_manager"], team_case)
    assert steps == ["scope", "lock"]


def test_lock_visible_answers_the_fresh_row_not_the_one_passed_in(world, team_case):
    stale = Case.objects.get(pk=team_case.pk)
    Case.objects.filter(pk=team_case.pk).update(phase=Phase.AFTERCARE)
    with transaction.atomic():
        locked = policy.lock_visible(
            policy.scope_cases, world["coordinator"], stale, related=("person",)
        )
    assert locked is not stale
    assert (locked.pk, locked.phase) == (team_case.pk, Phase.AFTERCARE)
    assert stale.phase != Phase.AFTERCARE


def test_lock_visible_answers_not_found_for_a_row_deleted_since_it_was_read(world, team_case):
    gone = CaseFactory(lead_agency=world.coordination, team=[world.municipality])
    Case.objects.filter(pk=gone.pk).delete()
    with transaction.atomic(), pytest.raises(NotFound):
        policy.lock_visible(policy.scope_cases, world["coordinator"], gone)


def test_on_postgresql_the_row_and_its_related_rows_are_locked_in_one_query(world, team_case):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks: it serialises every write.")
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        policy.lock_visible(policy.scope_cases, world["coordinator"], team_case, related=["person"])
    locks = [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == 1
    assert locks[0].endswith("FOR UPDATE") and '"core_person"' in locks[0]


@pytest.mark.django_db(transaction=True)
def test_lock_visible_runs_only_inside_the_writes_transaction(world, team_case):
    with pytest.raises(TransactionManagementError):
        policy.lock_visible(policy.scope_cases, world["coordinator"], team_case)


# --- scope_about_person ----------------------------------------------------------------------


def placements_of(membership: Membership, case: Case, *, for_writing: bool = False) -> bool:
    """Whether the placements of the case's person survive scope_about_person."""
    rows = Placement.objects.filter(person=case.person_id)
    return policy.scope_about_person(membership, rows, for_writing=for_writing).exists()


def test_scope_about_person_keeps_the_rows_about_a_person_nothing_withholds(world, team_case):
    assert placements_of(world["case_manager"], team_case)
    assert placements_of(world["case_manager"], team_case, for_writing=True)


def test_scope_about_person_hides_the_rows_about_an_excluded_person(world, team_case):
    manager = world["case_manager"]
    services.case_exclude_user(
        actor=world["coordinator"], case=team_case, user=manager.user, reason=REASON
    )
    assert not placements_of(manager, team_case)
    assert not placements_of(manager, team_case, for_writing=True)
    assert placements_of(world["probation_officer"], team_case)


def test_scope_about_person_hides_the_rows_about_a_person_restricted_away(world, team_case):
    coordinator, manager = world["coordinator"], world["case_manager"]
    services.case_restrict_to(actor=coordinator, case=team_case, users=[coordinator.user])
    assert not placements_of(manager, team_case)
    assert placements_of(coordinator, team_case)


def test_with_emergency_access_the_rows_are_read_but_not_written(world, team_case):
    coordinator, manager = world["coordinator"], world["case_manager"]
    services.case_restrict_to(actor=coordinator, case=team_case, users=[coordinator.user])
    services.emergency_access_start(
        actor=manager, case_reference=team_case.reference, justification=EMERGENCY
    )
    assert placements_of(manager, team_case)
    assert not placements_of(manager, team_case, for_writing=True)
    assert not policy.can_write_about_person(manager, team_case.person)


def test_emergency_access_does_not_lift_an_exclusion(world, team_case):
    police = world["police_liaison"]
    services.emergency_access_start(
        actor=police, case_reference=team_case.reference, justification=EMERGENCY
    )
    assert placements_of(police, team_case)
    services.case_exclude_user(
        actor=world["coordinator"], case=team_case, user=police.user, reason=REASON
    )
    assert not placements_of(police, team_case)


def test_scope_about_person_names_the_persons_field(world, team_case):
    manager = world["case_manager"]
    services.case_exclude_user(
        actor=world["coordinator"], case=team_case, user=manager.user, reason=REASON
    )
    of_cases = policy.scope_about_person(manager, Case.objects.filter(pk=team_case.pk))
    by_field = policy.scope_about_person(
        manager, Placement.objects.filter(person=team_case.person_id), field="person_id"
    )
    assert not of_cases.exists() and not by_field.exists()


# --- holding_agency_ids ----------------------------------------------------------------------


def test_a_bureau_analyst_works_on_the_side_of_the_bureau_and_its_institution(world):
    assert sorted(policy.holding_agency_ids(world["bureau_analyst"])) == sorted(
        [world.bureau.pk, world.institution.pk]
    )


def test_a_contact_point_works_on_the_side_of_their_institution_only(world):
    assert policy.holding_agency_ids(world["contact_point"]) == [world.institution.pk]


def test_a_coordinator_works_on_the_side_of_the_programme_only(world):
    """Coordination sees everything through is_coordinator, not through holding agencies."""
    assert policy.holding_agency_ids(world["coordinator"]) == [world.coordination.pk]


# --- is_coordinator --------------------------------------------------------------------------


def test_only_an_active_coordinator_of_the_programme_is_a_coordinator(world):
    coordinator = world["coordinator"]
    assert policy.is_coordinator(coordinator)
    assert not policy.is_coordinator(world["data_protection_officer"])  # same agency
    coordinator.is_active = False
    assert not policy.is_coordinator(coordinator)


def test_exclusion_applies_to_a_coordinator_too(world, team_case):
    other = MembershipFactory(agency=world.coordination, role=Role.COORDINATOR)
    services.case_exclude_user(
        actor=world["coordinator"], case=team_case, user=other.user, reason=REASON
    )
    assert policy.is_coordinator(other)
    with pytest.raises(NotFound):
        policy.get_visible(policy.scope_cases, other, reference=team_case.reference)
    assert not placements_of(other, team_case)


# --- the base knows no stage -----------------------------------------------------------------


def test_the_base_policy_imports_no_stage():
    """Stages plug in: the base module imports no stage app and no stage module of its own
    package, so removing a stage from INSTALLED_APPS removes it cleanly."""
    source = Path(policy.__file__).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    ours = {name for name in imported if name.startswith("continuum")}
    assert not any(name.startswith(".") for name in imported), imported
    for name in ours:
        assert name.split(".")[1] in {"access", "core"}, name
        assert not name.startswith("continuum.access.policy"), name
