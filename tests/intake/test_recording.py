"""Recording a signal: routing, the bias safeguard, the new person, the audit entry and who
reads the timeline event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from continuum.access import policy
from continuum.access import services as access_services
from continuum.access.policy import intake as intake_policy
from continuum.audit.models import AuditEntry
from continuum.core import selectors as core_selectors
from continuum.core import services as core_services
from continuum.core.exceptions import InvalidInput, NotFound
from continuum.core.models import AgencyType, Person, Role, Sensitivity, TimelineEvent
from continuum.intake import services
from continuum.intake.models import (
    JurisdictionSetting,
    Origin,
    Routing,
    Signal,
    SignalStatus,
)
from continuum.intake.timeline import IntakeKind
from tests.factories import AgencyFactory, CaseFactory, MembershipFactory, PlacementFactory
from tests.intake.conftest import BIAS, signal_data
from tests.intake.factories import ContactPointTrainingFactory


def test_it_routes_an_internal_signal_to_the_institutions_bureau(world, held_person):
    signal = services.signal_record(actor=world["contact_point"], data=signal_data(held_person))
    assert signal.reference.startswith("S-") and len(signal.reference) == 8
    assert (signal.origin, signal.routing) == (Origin.INTERNAL, Routing.BUREAU)
    assert signal.routed_to == world.bureau
    assert signal.reporting_agency == world.institution
    assert signal.status == SignalStatus.AWAITING_ASSESSMENT


def test_it_passes_an_external_signal_on_to_the_institution_holding_the_person(world):
    person = held_by_police_view(world)
    ContactPointTrainingFactory(membership=world["contact_point"])
    signal = services.signal_record(actor=world["police_liaison"], data=signal_data(person))
    assert (signal.origin, signal.routing) == (Origin.EXTERNAL, Routing.PASSED_ON)
    assert signal.routed_to == world.institution
    # The institution's trained contact points, its bureau and coordination see it.
    for role in ("contact_point", "bureau_analyst", "coordinator", "police_liaison"):
        assert intake_policy.scope_signals(world[role]).filter(pk=signal.pk).exists(), role
    event = TimelineEvent.objects.get(person=person, kind=IntakeKind.SIGNAL_PASSED_ON)
    assert event.details["routed_to"] == world.institution.name


def held_by_police_view(world) -> Person:
    """A person the police registered, now held at PI Alpha."""
    person = core_services.person_register(
        actor=world["police_liaison"],
        data={"given_names": "Testa", "family_name": "Synthheld", "custody_status": "pre_trial"},
    )
    PlacementFactory(person=person, institution=world.institution, ended_on=None)
    return person


def test_it_sends_an_external_signal_about_a_person_not_in_custody_to_coordination(
    world, free_person
):
    signal = services.signal_record(actor=world["police_liaison"], data=signal_data(free_person))
    assert (signal.routing, signal.routed_to) == (Routing.COORDINATION, world.coordination)
    assert not intake_policy.scope_signals(world["contact_point"]).filter(pk=signal.pk).exists()
    assert not intake_policy.scope_signals(world["bureau_analyst"]).filter(pk=signal.pk).exists()


def test_an_ended_placement_does_not_count_as_custody(world, free_person):
    PlacementFactory(
        person=free_person, institution=world.institution, ended_on=timezone.localdate()
    )
    signal = services.signal_record(actor=world["police_liaison"], data=signal_data(free_person))
    assert signal.routing == Routing.COORDINATION


def test_an_institution_without_a_bureau_keeps_its_internal_signals(world):
    from tests.factories import MembershipFactory

    contact = MembershipFactory(role="contact_point", agency=world.other_institution)
    person = core_services.person_register(
        actor=contact,
        data={"given_names": "Testa", "family_name": "Synthbeta", "custody_status": "sentenced"},
    )
    signal = services.signal_record(actor=contact, data=signal_data(person))
    assert signal.routed_to == world.other_institution


def test_the_bias_safeguard_refuses_an_unconfirmed_signal(world, held_person):
    with pytest.raises(InvalidInput) as refused:
        services.signal_record(
            actor=world["contact_point"],
            data=signal_data(held_person, rests_on_behaviour=False),
        )
    assert refused.value.message == BIAS
    assert refused.value.fields["rests_on_behaviour"] == [BIAS]
    assert not Signal.objects.exists()


def test_the_database_refuses_a_signal_without_the_confirmation(world, held_person):
    from django.db import IntegrityError, transaction

    signal = services.signal_record(actor=world["contact_point"], data=signal_data(held_person))
    with pytest.raises(IntegrityError), transaction.atomic():
        Signal.objects.filter(pk=signal.pk).update(rests_on_behaviour=False)


def test_it_registers_a_new_person_in_the_same_step(world):
    signal = services.signal_record(
        actor=world["police_liaison"],
        data=signal_data(),
        new_person={
            "given_names": "Nova",
            "family_name": "Synthnew",
            "custody_status": "not_in_custody",
        },
    )
    assert signal.person.family_name == "Synthnew"
    assert signal.person.registered_by == world.police
    kinds = set(signal.person.timeline.values_list("kind", flat=True))
    assert kinds == {TimelineEvent.Kind.PERSON_REGISTERED, IntakeKind.SIGNAL_RECORDED}


def test_a_refused_new_person_names_its_fields_and_stores_nothing(world):
    with pytest.raises(InvalidInput) as refused:
        services.signal_record(
            actor=world["police_liaison"],
            data=signal_data(),
            new_person={"given_names": "Nova", "family_name": "", "custody_status": ""},
        )
    assert "new_person.family_name" in refused.value.fields
    assert "new_person.custody_status" in refused.value.fields
    assert not Person.objects.exists()
    assert not Signal.objects.exists()


def test_a_hidden_person_is_answered_as_unknown(world, held_person):
    with pytest.raises(InvalidInput) as refused:
        services.signal_record(actor=world["prosecutor"], data=signal_data(held_person))
    assert refused.value.fields == {"person": ["No person with this reference is known to you."]}


@pytest.mark.parametrize(
    "role", ["coordinator", "mentor", "data_protection_officer", "evaluator", "administrator"]
)
def test_roles_that_do_not_report_are_refused(world, held_person, role):
    with pytest.raises(NotFound):
        services.signal_record(actor=world[role], data=signal_data(held_person))


def test_it_writes_an_audit_entry_without_the_reporters_words(world, held_person):
    signal = services.signal_record(actor=world["contact_point"], data=signal_data(held_person))
    entry = AuditEntry.objects.get(action="create", object_id=signal.reference)
    assert entry.person_reference == held_person.reference
    assert entry.changes["routed_to"]["after"] == str(world.bureau.pk)
    assert "observed_behaviour" not in entry.changes


def test_the_timeline_event_is_intelligence(world, held_person):
    services.signal_record(actor=world["contact_point"], data=signal_data(held_person))
    event = TimelineEvent.objects.get(kind=IntakeKind.SIGNAL_RECORDED)
    assert event.sensitivity == Sensitivity.INTELLIGENCE


def test_a_mentor_and_a_case_manager_do_not_see_signal_events_the_bureau_does(world, held_person):
    from tests.factories import CaseFactory

    case = CaseFactory(
        person=held_person, lead_agency=world.coordination, team=[world.municipality]
    )
    case.team_members.add(world["mentor"])
    services.signal_record(actor=world["contact_point"], data=signal_data(held_person))

    def kinds(role: str) -> set[str]:
        events = core_selectors.person_timeline(actor=world[role], person=held_person)
        return set(events.values_list("kind", flat=True))

    assert IntakeKind.SIGNAL_RECORDED in kinds("bureau_analyst")
    assert IntakeKind.SIGNAL_RECORDED in kinds("coordinator")
    assert IntakeKind.SIGNAL_RECORDED not in kinds("mentor")
    assert IntakeKind.SIGNAL_RECORDED not in kinds("case_manager")


def test_a_case_manager_sees_only_the_signals_their_municipality_reported(world, free_person):
    own = services.signal_record(
        actor=world["case_manager"], data=signal_data(free_person_of(world))
    )
    other = services.signal_record(actor=world["police_liaison"], data=signal_data(free_person))
    visible = set(intake_policy.scope_signals(world["case_manager"]).values_list("pk", flat=True))
    assert visible == {own.pk}
    assert other.pk not in visible


def free_person_of(world) -> Person:
    return core_services.person_register(
        actor=world["case_manager"],
        data={"given_names": "Testa", "family_name": "Synthmuni", "custody_status": "released"},
    )


def test_an_observation_in_the_future_is_refused(world, held_person):
    with pytest.raises(InvalidInput) as refused:
        services.signal_record(
            actor=world["contact_point"],
            data=signal_data(held_person, observed_at=timezone.now() + timedelta(hours=1)),
        )
    assert refused.value.fields == {"observed_at": ["The observation cannot be in the future."]}


def test_an_excluded_user_does_not_see_the_persons_signals(world, held_person):
    from continuum.access.models import CaseExclusion
    from tests.factories import CaseFactory

    signal = services.signal_record(actor=world["contact_point"], data=signal_data(held_person))
    case = CaseFactory(person=held_person, lead_agency=world.coordination)
    CaseExclusion.objects.create(
        case=case,
        user=world["bureau_analyst"].user,
        reason="x" * 40,
        created_by=world["coordinator"],
    )
    assert not intake_policy.scope_signals(world["bureau_analyst"]).filter(pk=signal.pk).exists()


def test_an_agency_elsewhere_is_not_used_for_routing(world, held_person):
    AgencyFactory(code="bureau-x", type="intelligence_bureau", parent=world.other_institution)
    signal = services.signal_record(actor=world["contact_point"], data=signal_data(held_person))
    assert signal.routed_to == world.bureau


def test_a_reference_is_found_whatever_its_case(world, held_person):
    data = signal_data(held_person, person=f"  {held_person.reference.lower()} ")
    signal = services.signal_record(actor=world["contact_point"], data=data)
    assert signal.person == held_person


def test_a_contact_point_whose_training_expired_does_not_receive_passed_on_signals(world):
    person = held_by_police_view(world)
    today = timezone.localdate()
    untrained = world["contact_point"]
    ContactPointTrainingFactory(
        membership=untrained,
        trained_on=today - timedelta(days=800),
        expires_on=today - timedelta(days=1),
    )
    trained = MembershipFactory(agency=world.institution, role=Role.CONTACT_POINT)
    ContactPointTrainingFactory(membership=trained)
    signal = services.signal_record(actor=world["police_liaison"], data=signal_data(person))
    assert intake_policy.scope_signals(trained).filter(pk=signal.pk).exists()
    assert not intake_policy.scope_signals(untrained).filter(pk=signal.pk).exists()
    # What their institution reported stays theirs to see.
    own = services.signal_record(actor=trained, data=signal_data(person))
    assert intake_policy.scope_signals(untrained).filter(pk=own.pk).exists()


def test_a_central_signals_unit_receives_every_signal_of_its_jurisdiction(world):
    unit = AgencyFactory(
        type=AgencyType.INTELLIGENCE_BUREAU, jurisdiction=world.institution.jurisdiction
    )
    JurisdictionSetting.objects.create(
        jurisdiction=world.institution.jurisdiction, central_signals_unit=unit
    )
    analyst = MembershipFactory(agency=unit, role=Role.BUREAU_ANALYST)
    person = held_by_police_view(world)
    internal = services.signal_record(actor=world["contact_point"], data=signal_data(person))
    external = services.signal_record(actor=world["police_liaison"], data=signal_data(person))
    for signal in (internal, external):
        assert (signal.routed_to, signal.routing) == (unit, Routing.CENTRAL_UNIT)
        assert intake_policy.scope_signals(analyst).filter(pk=signal.pk).exists()
        assert (
            not intake_policy.scope_signals(world["bureau_analyst"]).filter(pk=signal.pk).exists()
        )


def test_without_a_central_unit_in_its_jurisdiction_a_signal_goes_to_the_bureau(world):
    unit = AgencyFactory(type=AgencyType.INTELLIGENCE_BUREAU, jurisdiction="Elsewhere")
    JurisdictionSetting.objects.create(jurisdiction="Elsewhere", central_signals_unit=unit)
    person = held_by_police_view(world)
    signal = services.signal_record(actor=world["contact_point"], data=signal_data(person))
    assert (signal.routed_to, signal.routing) == (world.bureau, Routing.BUREAU)


def test_emergency_access_to_a_restricted_person_does_not_allow_recording_a_signal(world):
    manager, coordinator = world["case_manager"], world["coordinator"]
    case = CaseFactory(lead_agency=world.municipality, team=[world.institution])
    access_services.case_restrict_to(actor=coordinator, case=case, users=[coordinator.user])
    access_services.emergency_access_start(
        actor=manager,
        case_reference=case.reference,
        justification="Urgent question from the housing office about the person's return date.",
    )
    assert policy.scope_persons(manager).filter(pk=case.person_id).exists()
    with pytest.raises(InvalidInput) as refused:
        services.signal_record(actor=manager, data=signal_data(case.person))
    assert refused.value.fields["person"] == [
        "Emergency access is read-only: record no signal about this person."
    ]
    assert not Signal.objects.exists()


def test_emergency_access_to_a_restricted_person_does_not_allow_attaching(world):
    manager, coordinator = world["case_manager"], world["coordinator"]
    case = CaseFactory(lead_agency=world.municipality, team=[world.institution])
    signal = services.signal_record(actor=manager, data=signal_data(case.person))
    access_services.case_restrict_to(actor=coordinator, case=case, users=[coordinator.user])
    access_services.emergency_access_start(
        actor=manager,
        case_reference=case.reference,
        justification="Urgent question from the housing office about the person's return date.",
    )
    # Emergency access lets the manager read the signal again, but not add to it.
    assert intake_policy.scope_signals(manager).filter(pk=signal.pk).exists()
    upload = SimpleUploadedFile("note.txt", b"A synthetic note.", content_type="text/plain")
    with pytest.raises(NotFound):
        services.signal_attach(actor=manager, signal=signal, uploads=[upload])
    assert not signal.attachments.exists()
