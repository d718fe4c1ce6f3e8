"""Every validation rule of the core domain, refused in the form and in the API with its
message, and nothing stored."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from continuum.core import services
from continuum.core.models import Case, Membership, Person, Placement, Role
from tests.conftest import bearer
from tests.factories import PersonFactory, PlacementFactory, UserFactory

RELEASE_BEFORE_START = "The release date cannot be before the sentence start (2024-05-01)."
DUPLICATE_ID = "A person with this national identifier is already registered."


def person_form(**overrides: object) -> dict[str, object]:
    data = {
        "given_names": "Testa",
        "family_name": "Synthform",
        "custody_status": "sentenced",
        "sentence_start": "2024-05-01",
        "expected_release": "2026-05-01",
        "national_identifier": "999000111",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def contact(world):
    return world["contact_point"]


def test_release_before_sentence_start_is_refused_in_the_form(act_as, contact):
    response = act_as(contact).post(
        reverse("core:person-register"), person_form(expected_release="2024-04-30")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["expected_release"] == [RELEASE_BEFORE_START]
    assert not Person.objects.exists()


def test_actual_release_before_sentence_start_is_refused_in_the_api(client, contact):
    response = client.post(
        "/api/v1/persons",
        person_form(actual_release="2024-01-01"),
        content_type="application/json",
        **bearer(contact),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["fields"]["actual_release"] == [RELEASE_BEFORE_START]
    assert body["message"] == RELEASE_BEFORE_START
    assert not Person.objects.exists()


def test_release_without_sentence_start_is_refused(client, contact):
    response = client.post(
        "/api/v1/persons",
        person_form(sentence_start=None),
        content_type="application/json",
        **bearer(contact),
    )
    assert response.status_code == 400
    assert response.json()["fields"]["sentence_start"] == [
        "Enter the sentence start when you enter a release date."
    ]


def test_future_date_of_birth_is_refused(act_as, contact):
    response = act_as(contact).post(
        reverse("core:person-register"), person_form(date_of_birth="2999-01-01")
    )
    assert response.context["form"].errors["date_of_birth"] == [
        "The date of birth cannot be in the future."
    ]


def test_duplicate_national_identifier_is_refused_in_the_form(act_as, contact):
    PersonFactory(national_identifier="999000111", registered_by=contact.agency)
    response = act_as(contact).post(reverse("core:person-register"), person_form())
    assert response.context["form"].errors["national_identifier"] == [DUPLICATE_ID]
    assert Person.objects.count() == 1


def test_duplicate_national_identifier_is_refused_in_the_api(client, contact):
    PersonFactory(national_identifier="999000111", registered_by=contact.agency)
    response = client.post(
        "/api/v1/persons", person_form(), content_type="application/json", **bearer(contact)
    )
    assert response.status_code == 400
    assert response.json()["fields"]["national_identifier"] == [DUPLICATE_ID]
    assert Person.objects.count() == 1


def test_duplicate_national_identifier_is_refused_on_change(client, contact):
    PersonFactory(national_identifier="999000111", registered_by=contact.agency)
    other = PersonFactory(national_identifier="999000222", registered_by=contact.agency)
    response = client.patch(
        f"/api/v1/persons/{other.reference}",
        {"national_identifier": "999000111"},
        content_type="application/json",
        **bearer(contact),
    )
    assert response.status_code == 400
    assert response.json()["fields"]["national_identifier"] == [DUPLICATE_ID]
    other.refresh_from_db()
    assert other.national_identifier == "999000222"


def test_blank_national_identifiers_do_not_collide(contact):
    for name in ("One", "Two"):
        services.person_register(
            actor=contact,
            data={
                "given_names": name,
                "family_name": "X",
                "custody_status": "not_in_custody",
                "national_identifier": "  ",
            },
        )
    assert Person.objects.filter(national_identifier__isnull=True).count() == 2


@pytest.fixture
def held_person(world, contact):
    person = PersonFactory(registered_by=contact.agency)
    PlacementFactory(
        person=person,
        institution=world.institution,
        started_on=date(2024, 1, 10),
        ended_on=date(2024, 6, 30),
    )
    return person


OVERLAP = "This placement overlaps the placement at PI Alpha from 2024-01-10 to 2024-06-30."


def test_overlapping_placement_is_refused_in_the_form(act_as, world, contact, held_person):
    response = act_as(contact).post(
        reverse("core:placement-add", args=[held_person.reference]),
        {
            "institution": world.other_institution.pk,
            "unit_type": "regular_ward",
            "started_on": "2024-06-30",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["started_on"] == [OVERLAP]
    assert held_person.placements.count() == 1


def test_overlapping_placement_is_refused_in_the_api(client, world, contact, held_person):
    response = client.post(
        f"/api/v1/persons/{held_person.reference}/placements",
        {
            "institution": "pi-b",
            "unit_type": "terrorist_wing",
            "started_on": "2023-12-01",
            "ended_on": "2024-02-01",
        },
        content_type="application/json",
        **bearer(contact),
    )
    assert response.status_code == 400
    assert response.json()["fields"]["started_on"] == [OVERLAP]
    assert held_person.placements.count() == 1


def test_adjacent_placement_is_accepted(client, world, contact, held_person):
    response = client.post(
        f"/api/v1/persons/{held_person.reference}/placements",
        {"institution": "pi-b", "unit_type": "terrorist_wing", "started_on": "2024-07-01"},
        content_type="application/json",
        **bearer(contact),
    )
    assert response.status_code == 201, response.json()
    assert held_person.placements.count() == 2


def test_placement_ending_before_it_starts_is_refused(client, world, contact, held_person):
    response = client.post(
        f"/api/v1/persons/{held_person.reference}/placements",
        {
            "institution": "pi-b",
            "unit_type": "regular_ward",
            "started_on": "2025-03-01",
            "ended_on": "2025-02-01",
        },
        content_type="application/json",
        **bearer(contact),
    )
    assert response.status_code == 400
    assert response.json()["fields"]["ended_on"] == ["A placement cannot end before it starts."]


def test_placement_outside_a_custodial_institution_is_refused(world, contact, held_person):
    with pytest.raises(services.InvalidInput) as refused:
        services.placement_add(
            actor=contact,
            person=held_person,
            institution=world.municipality,
            unit_type="regular_ward",
            started_on=date(2025, 1, 1),
        )
    assert refused.value.fields == {
        "institution": ["A placement must be in a custodial institution."]
    }


@pytest.fixture
def open_case(world):
    person = PersonFactory(registered_by=world.institution)
    return services.case_open(
        actor=world["coordinator"], person=person, lead_agency=world.coordination
    )


def test_second_open_case_is_refused_in_the_form(act_as, world, open_case):
    response = act_as(world["coordinator"]).post(
        reverse("core:case-open", args=[open_case.person.reference]),
        {"lead_agency": world.coordination.pk, "phase": "referred"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["__all__"] == [
        f"This person already has an open case ({open_case.reference})."
    ]
    assert Case.objects.count() == 1


def test_second_open_case_is_refused_in_the_api(client, world, open_case):
    response = client.post(
        "/api/v1/cases",
        {"person": open_case.person.reference, "lead_agency": "coord"},
        content_type="application/json",
        **bearer(world["coordinator"]),
    )
    assert response.status_code == 400
    assert response.json()["fields"]["person"] == [
        f"This person already has an open case ({open_case.reference})."
    ]
    assert Case.objects.count() == 1


def test_a_new_case_may_follow_a_closed_one(world, open_case):
    coordinator = world["coordinator"]
    services.case_change_phase(actor=coordinator, case=open_case, phase="closed")
    again = services.case_open(
        actor=coordinator, person=open_case.person, lead_agency=world.coordination
    )
    assert again.is_open
    assert Case.objects.count() == 2


def test_membership_role_must_fit_the_agency(world):
    membership = Membership(user=UserFactory(), agency=world.municipality, role=Role.CONTACT_POINT)
    with pytest.raises(services.ValidationError) as refused:
        membership.full_clean()
    assert refused.value.message_dict["role"] == [
        "The role Contact point cannot be held in a Municipality."
    ]


def test_unknown_field_types_are_refused_with_field_errors(client, contact):
    response = client.post(
        "/api/v1/persons",
        person_form(sentence_start="not a date", custody_status="on holiday"),
        content_type="application/json",
        **bearer(contact),
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert "sentence_start" in fields
    assert fields["custody_status"] == ['"on holiday" is not a valid choice.']
    assert not Person.objects.exists()


def test_bad_institution_code_is_a_field_error(client, contact, held_person):
    response = client.post(
        f"/api/v1/persons/{held_person.reference}/placements",
        {"institution": "gem-a", "unit_type": "regular_ward", "started_on": "2025-01-01"},
        content_type="application/json",
        **bearer(contact),
    )
    assert response.status_code == 400
    assert response.json()["fields"]["institution"] == ["Object with code=gem-a does not exist."]
    assert Placement.objects.count() == 1
