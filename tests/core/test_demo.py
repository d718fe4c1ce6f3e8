"""The demo world: synthetic, complete enough for a tour, and one login per role. The shared
world is seeded by the core (``continuum.core.demo``); each stage seeds its part, tested with
the stage (``tests/intake/test_demo.py``)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from continuum.core import demo
from continuum.core.models import Agency, AgencyType, Case, Person, Phase, Role, User

ROLE_USERNAMES = {
    Role.CONTACT_POINT: "contact-point",
    Role.BUREAU_ANALYST: "bureau-analyst",
    Role.COORDINATOR: "coordinator",
    Role.CASE_MANAGER: "case-manager",
    Role.PROBATION_OFFICER: "probation-officer",
    Role.POLICE_LIAISON: "police-liaison",
    Role.PROSECUTOR: "prosecutor",
    Role.MENTOR: "mentor",
    Role.DATA_PROTECTION_OFFICER: "dpo",
    Role.EVALUATOR: "evaluator",
    Role.ADMINISTRATOR: "admin",
}


def test_the_demo_has_the_agencies_of_the_brief(seeded):
    count = {t: Agency.objects.filter(type=t).count() for t in AgencyType.values}
    assert count[AgencyType.CUSTODIAL_INSTITUTION] == 3
    assert count[AgencyType.INTELLIGENCE_BUREAU] == 3
    assert count[AgencyType.COORDINATION_PROGRAMME] == 1
    assert count[AgencyType.MUNICIPALITY] == 5
    assert count[AgencyType.PROBATION] == 2
    for kind in (AgencyType.POLICE, AgencyType.PROSECUTION, AgencyType.JUDICIARY, AgencyType.NGO):
        assert count[kind] == 1
    assert all(b.parent is not None for b in Agency.objects.filter(type="intelligence_bureau"))


def test_the_demo_spreads_about_forty_persons_over_every_phase(seeded):
    assert 35 <= Person.objects.count() <= 45
    assert set(Case.objects.values_list("phase", flat=True)) == set(Phase.values)
    assert Person.objects.filter(cases__isnull=True).exists()


def test_the_demo_data_is_synthetic(seeded):
    # Encrypted values are read through their instances (values_list cannot decrypt).
    identifiers = [person.national_identifier for person in Person.objects.all()]
    assert all(identifier.startswith("999") for identifier in identifiers)
    assert all(a.name.endswith(")") and "demo" in a.name for a in Agency.objects.all())


def test_every_role_has_a_login_named_after_it(seeded):
    for role, username in ROLE_USERNAMES.items():
        # The lockout backend (django-axes) needs the request, as every sign-in has one.
        request = RequestFactory().post("/login/")
        user = authenticate(request, username=username, password=demo.DEMO_PASSWORD)
        assert user is not None, username
        assert user.memberships.filter(role=role).exists(), username
        assert username in seeded


def test_the_demo_prints_the_password_and_one_user_may_choose_between_memberships(seeded):
    assert demo.DEMO_PASSWORD in seeded
    assert User.objects.get(username="case-manager").memberships.count() == 2


def test_the_demo_world_went_through_the_services(seeded):
    person = Person.objects.filter(cases__phase=Phase.AFTERCARE).first()
    kinds = set(person.timeline.values_list("kind", flat=True))
    assert {"person_registered", "placement_started", "case_opened", "phase_changed"} <= kinds


def test_seeding_twice_does_not_duplicate(seeded):
    out = StringIO()
    call_command("demo", "--seed-only", stdout=out)
    assert "already present" in out.getvalue()
    assert Agency.objects.filter(type=AgencyType.MUNICIPALITY).count() == 5


def test_the_demo_never_runs_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never runs"):
        call_command("demo", "--seed-only", stdout=StringIO())
    assert not Agency.objects.exists()


def test_each_stage_seeds_its_part_after_the_shared_world_in_one_transaction(db):
    """The seeders run in registration order with the shared world; one that fails undoes the
    whole demo."""
    seen: list[str] = []

    def first(world: demo.DemoWorld) -> None:
        seen.append(f"first saw {len(world.members)} members")

    def failing(world: demo.DemoWorld) -> None:
        seen.append("failing")
        raise RuntimeError("a stage's seeding failed")

    with demo.seeders.registered(demo.Seeder("t-first", first), demo.Seeder("t-fail", failing)):
        keys = [seeder.key for seeder in demo.seeders]
        assert keys.index("t-first") < keys.index("t-fail")
        with pytest.raises(RuntimeError):
            demo.seed()
    assert seen[0] == f"first saw {len(demo.USERS)} members"
    assert seen[-1] == "failing"
    assert not Agency.objects.exists()
