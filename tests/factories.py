"""Factories for test data. Persons and cases that need their timeline and audit entries are
made through the services instead (see ``conftest.py``)."""

from __future__ import annotations

from datetime import date

import factory

from continuum.core.models import (
    Agency,
    AgencyType,
    Case,
    CustodyStatus,
    Membership,
    Person,
    Phase,
    Placement,
    Role,
    UnitType,
    User,
    new_reference,
)

PASSWORD = "a-long-test-password-1"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Test Agency {n}")
    type = AgencyType.MUNICIPALITY
    jurisdiction = "NL"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.CASE_MANAGER


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    reference = factory.LazyFunction(lambda: new_reference("P"))
    given_names = "Testa"
    family_name = factory.Sequence(lambda n: f"Synthperson{n}")
    custody_status = CustodyStatus.SENTENCED
    sentence_start = date(2024, 1, 10)
    expected_release = date(2027, 1, 10)
    registered_by = factory.SubFactory(AgencyFactory)


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    person = factory.SubFactory(PersonFactory)
    institution = factory.SubFactory(AgencyFactory, type=AgencyType.CUSTODIAL_INSTITUTION)
    unit_type = UnitType.REGULAR_WARD
    started_on = date(2024, 1, 10)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case
        skip_postgeneration_save = True

    reference = factory.LazyFunction(lambda: new_reference("MAR"))
    person = factory.SubFactory(PersonFactory)
    phase = Phase.IN_DETENTION
    lead_agency = factory.SubFactory(AgencyFactory, type=AgencyType.COORDINATION_PROGRAMME)

    @factory.post_generation
    def team(self, create: bool, extracted: list[Agency] | None, **kwargs: object) -> None:
        if create:
            self.team_agencies.set([self.lead_agency, *(extracted or [])])
