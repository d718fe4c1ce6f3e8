"""The REST API over real HTTP handling: persons, cases, agencies, memberships, schema."""

from __future__ import annotations

import pytest

from continuum.core import services
from continuum.core.models import Person, Phase
from tests.conftest import bearer
from tests.factories import CaseFactory, PersonFactory, PlacementFactory


@pytest.fixture
def coordinator_headers(world):
    return bearer(world["coordinator"])


def test_it_registers_a_person_and_returns_the_pseudonymous_reference(client, world):
    response = client.post(
        "/api/v1/persons",
        {
            "given_names": "Api",
            "family_name": "Synthmade",
            "custody_status": "pre_trial",
            "national_identifier": "999123456",
        },
        content_type="application/json",
        **bearer(world["contact_point"]),
    )
    assert response.status_code == 201
    body = response.json()
    assert body["reference"].startswith("P-")
    assert body["registered_by"] == "pi-a"
    person = Person.objects.get(reference=body["reference"])
    assert person.timeline.filter(kind="person_registered").exists()


def test_it_searches_persons_by_name_alias_reference_and_identifier(
    client, world, coordinator_headers
):
    person = PersonFactory(
        family_name="Zoekbaar", aliases="De Vos\nTestalias", national_identifier="999555444"
    )
    PersonFactory(family_name="Anders")
    for query in ("zoekbaar", "testalias", person.reference, "999555444"):
        response = client.get("/api/v1/persons", {"q": query}, **coordinator_headers)
        assert [p["reference"] for p in response.json()] == [person.reference], query


def test_a_convicted_veto_is_a_mar_case_without_triage(client, world):
    response = client.post(
        "/api/v1/persons",
        {
            "given_names": "Veto",
            "family_name": "Synthcase",
            "custody_status": "sentenced",
            "sentence_start": "2025-01-01",
            "is_veto": True,
        },
        content_type="application/json",
        **bearer(world["contact_point"]),
    )
    person = Person.objects.get(reference=response.json()["reference"])
    case = person.cases.get()
    assert case.phase == Phase.IN_DETENTION
    assert case.lead_agency == world.coordination
    opened = person.timeline.get(kind="case_opened")
    assert opened.details["reason"] == "veto"


def test_it_lists_cases_with_filters(client, world, coordinator_headers):
    detained = CaseFactory(
        phase=Phase.IN_DETENTION, lead_agency=world.coordination, team=[world.municipality]
    )
    CaseFactory(phase=Phase.AFTERCARE, lead_agency=world.municipality)
    response = client.get("/api/v1/cases", {"phase": "in_detention"}, **coordinator_headers)
    assert [c["reference"] for c in response.json()["results"]] == [detained.reference]
    response = client.get("/api/v1/cases", {"team_agency": "gem-a"}, **coordinator_headers)
    references = {c["reference"] for c in response.json()["results"]}
    assert detained.reference in references
    assert len(references) == 2  # the aftercare case is led (so teamed) by gem-a too


def test_an_unknown_filter_value_is_a_400_with_field_errors(client, world, coordinator_headers):
    response = client.get("/api/v1/cases", {"phase": "sideways"}, **coordinator_headers)
    assert response.status_code == 400
    assert "phase" in response.json()["fields"]


def test_it_opens_a_case_and_changes_its_phase(client, world, coordinator_headers):
    person = PersonFactory()
    response = client.post(
        "/api/v1/cases",
        {"person": person.reference, "lead_agency": "coord", "team": ["gem-a", "prob"]},
        content_type="application/json",
        **coordinator_headers,
    )
    assert response.status_code == 201, response.json()
    reference = response.json()["reference"]
    assert set(response.json()["team_agencies"]) == {"coord", "gem-a", "prob"}
    response = client.post(
        f"/api/v1/cases/{reference}/phase",
        {"phase": "aftercare"},
        content_type="application/json",
        **coordinator_headers,
    )
    assert response.json()["phase"] == "aftercare"
    assert person.timeline.filter(kind="phase_changed").count() == 1


def test_a_closed_case_cannot_change_phase(client, world, coordinator_headers):
    case = CaseFactory(lead_agency=world.coordination)
    services.case_change_phase(actor=world["coordinator"], case=case, phase="closed")
    response = client.post(
        f"/api/v1/cases/{case.reference}/phase",
        {"phase": "aftercare"},
        content_type="application/json",
        **coordinator_headers,
    )
    assert response.status_code == 409
    assert response.json() == {"message": "A closed case cannot change phase.", "fields": {}}


def test_the_timeline_is_in_words(client, world, coordinator_headers):
    person = PersonFactory()
    PlacementFactory(person=person, institution=world.institution)
    services.case_open(actor=world["coordinator"], person=person, lead_agency=world.coordination)
    response = client.get(f"/api/v1/persons/{person.reference}/timeline", **coordinator_headers)
    texts = [event["text"] for event in response.json()]
    assert any("MAR case opened in phase Referred" in text for text in texts)


def test_agencies_and_my_memberships(client, world):
    headers = bearer(world["case_manager"])
    agencies = client.get("/api/v1/agencies", {"type": "municipality"}, **headers).json()
    assert {a["code"] for a in agencies["results"]} == {"gem-a", "gem-b"}
    mine = client.get("/api/v1/me/memberships", **headers).json()
    assert mine == [
        {
            "id": world["case_manager"].pk,
            "agency": mine[0]["agency"],
            "role": "case_manager",
            "current": True,
        }
    ]
    assert mine[0]["agency"]["code"] == "gem-a"


def test_the_openapi_schema_describes_the_api(client, world, coordinator_headers):
    response = client.get("/api/schema/", {"format": "json"}, **coordinator_headers)
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/persons",
        "/api/v1/cases",
        "/api/v1/agencies",
        "/api/v1/me/memberships",
        "/api/v1/persons/{reference}/placements",
    ):
        assert path in schema["paths"], path


def test_the_api_docs_are_served_without_outside_resources(act_as, world):
    response = act_as(world["coordinator"]).get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()


def test_malformed_json_is_a_400_not_a_500(client, world, coordinator_headers):
    response = client.post(
        "/api/v1/persons", "{not json", content_type="application/json", **coordinator_headers
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("JSON parse error")


def test_api_answers_are_not_kept_in_caches(client, world, coordinator_headers):
    person = PersonFactory()
    for path in ("/api/v1/persons", f"/api/v1/persons/{person.reference}", "/api/v1/cases"):
        response = client.get(path, **coordinator_headers)
        assert response["Cache-Control"] == "no-store, private", path
