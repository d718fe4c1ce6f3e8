"""Pages: sign-in, choosing a membership, person search, person page, cases."""

from __future__ import annotations

from datetime import date

from django.contrib.staticfiles import finders
from django.urls import reverse

from continuum.core import services
from continuum.core.middleware import SESSION_KEY
from continuum.core.models import Role
from tests.factories import PASSWORD, CaseFactory, MembershipFactory, PersonFactory


def test_sign_in_with_one_membership_acts_in_it(client, world):
    response = client.post(
        reverse("login"), {"username": "coordinator", "password": PASSWORD}, follow=True
    )
    # A coordinator has tasks (sign-offs, reviews): My work is the landing page.
    assert response.redirect_chain[-1][0] == reverse("core:my-work")
    assert client.session[SESSION_KEY] == world["coordinator"].pk


def test_a_role_without_tasks_lands_on_the_person_search(client, world):
    response = client.post(
        reverse("login"), {"username": "mentor", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("core:person-search")


def test_sign_in_errors_do_not_reveal_whether_the_account_exists(client, world):
    unknown = client.post(reverse("login"), {"username": "nobody", "password": "x" * 12})
    wrong = client.post(reverse("login"), {"username": "coordinator", "password": "x" * 12})
    assert unknown.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()


def test_a_user_with_several_memberships_chooses_one(client, world):
    second = MembershipFactory(
        user=world["case_manager"].user, agency=world.other_municipality, role=Role.CASE_MANAGER
    )
    response = client.post(
        reverse("login"), {"username": "case-manager", "password": PASSWORD}, follow=True
    )
    assert response.templates[0].name == "core/choose_membership.html"
    response = client.post(reverse("core:choose-membership"), {"membership": second.pk})
    assert client.session[SESSION_KEY] == second.pk
    assert response["Location"] == reverse("core:my-work")


def test_a_membership_of_someone_else_cannot_be_chosen(act_as, world):
    client = act_as(world["case_manager"])
    client.post(reverse("core:choose-membership"), {"membership": world["coordinator"].pk})
    assert client.session[SESSION_KEY] == world["case_manager"].pk


def test_case_pages_wait_for_a_membership(client, world):
    client.force_login(world["coordinator"].user)
    response = client.get(reverse("core:case-list"))
    assert response["Location"] == f"{reverse('core:choose-membership')}?next=/cases/"


def test_live_search_answers_htmx_with_a_fragment(act_as, world):
    person = PersonFactory(family_name="Fragmentia")
    response = act_as(world["coordinator"]).get(
        reverse("core:person-search"), {"q": "fragmentia"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert person.reference in html
    assert "<html" not in html


def test_the_person_page_shows_the_timeline(act_as, world):
    coordinator = world["coordinator"]
    person = services.person_register(
        actor=coordinator,
        data={
            "given_names": "Tijd",
            "family_name": "Lijn",
            "custody_status": "sentenced",
            "sentence_start": "2024-02-01",
            "expected_release": "2027-02-01",
        },
    )
    services.placement_add(
        actor=coordinator,
        person=person,
        institution=world.institution,
        unit_type="terrorist_wing",
        started_on=date(2024, 2, 1),
    )
    response = act_as(coordinator).get(reverse("core:person-detail", args=[person.reference]))
    html = response.content.decode()
    assert "Placed in PI Alpha (Dedicated terrorist wing)." in html
    assert "Sentence from 2024-02-01, expected release 2027-02-01." in html
    assert response["Cache-Control"] == "no-store, private"


def test_the_case_list_filters_by_phase(act_as, world):
    kept = CaseFactory(phase="aftercare", lead_agency=world.coordination)
    dropped = CaseFactory(phase="referred", lead_agency=world.coordination)
    html = (
        act_as(world["coordinator"])
        .get(reverse("core:case-list"), {"phase": "aftercare"})
        .content.decode()
    )
    assert kept.reference in html
    assert dropped.reference not in html


def test_changing_the_phase_in_the_form_records_it(act_as, world):
    case = CaseFactory(phase="referred", lead_agency=world.coordination)
    response = act_as(world["coordinator"]).post(
        reverse("core:case-phase", args=[case.reference]), {"phase": "in_detention"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.phase == "in_detention"


def test_a_named_member_must_belong_to_a_team_agency(act_as, world):
    case = CaseFactory(lead_agency=world.coordination)
    response = act_as(world["coordinator"]).post(
        reverse("core:case-team", args=[case.reference]),
        {"agencies": [world.municipality.pk], "members": [world["probation_officer"].pk]},
    )
    assert response.status_code == 400
    assert response.context["team_form"].errors["members"] == [
        f"{world['probation_officer'].user} ({world.probation}) does not belong to an agency "
        "on the team."
    ]
    assert not case.team_members.exists()


def test_editing_a_person_shows_the_current_values_and_saves(act_as, world):
    person = PersonFactory(registered_by=world.institution, family_name="Oud")
    client = act_as(world["contact_point"])
    url = reverse("core:person-edit", args=[person.reference])
    assert 'value="Oud"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "given_names": "Testa",
            "family_name": "Nieuw",
            "custody_status": "sentenced",
            "sentence_start": "2024-01-10",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.family_name == "Nieuw"


def test_the_style_sheet_and_htmx_are_served(client, db):
    for name in ("continuum/continuum.css", "continuum/htmx.min.js"):
        assert finders.find(name), name
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
