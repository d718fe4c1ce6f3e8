"""Factories of the intake's records."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from continuum.core.models import Role
from continuum.intake.models import ContactPointTraining
from tests.factories import MembershipFactory


class ContactPointTrainingFactory(factory.django.DjangoModelFactory):
    """A training current today: from a year ago until a year from now."""

    class Meta:
        model = ContactPointTraining

    membership = factory.SubFactory(MembershipFactory, role=Role.CONTACT_POINT)
    trained_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    recorded_by = factory.SelfAttribute("membership")
