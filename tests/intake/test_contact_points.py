"""The register of trained contact points: who keeps it, its rules, and who reads it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from continuum.access.policy import intake as intake_policy
from continuum.core.exceptions import InvalidInput, NotFound
from continuum.intake import selectors, services
from continuum.intake.models import ContactPointTraining


def add(world, actor_role: str = "bureau_analyst", **dates: date) -> ContactPointTraining:
    today = timezone.localdate()
    return services.contact_point_training_add(
        actor=world[actor_role],
        contact_point=world["contact_point"],
        trained_on=dates.get("trained_on", today - timedelta(days=30)),
        expires_on=dates.get("expires_on", today + timedelta(days=335)),
    )


@pytest.mark.parametrize("role", ["bureau_analyst", "coordinator"])
def test_the_bureau_and_coordination_keep_the_register(world, role):
    training = add(world, role)
    assert training.is_current
    assert intake_policy.has_current_training(world["contact_point"])


@pytest.mark.parametrize(
    "role", ["contact_point", "case_manager", "police_liaison", "mentor", "administrator"]
)
def test_others_do_not_keep_it(world, role):
    with pytest.raises(NotFound):
        add(world, role)


def test_expiry_must_follow_the_training(world):
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as refused:
        add(world, trained_on=today, expires_on=today)
    assert refused.value.fields == {
        "expires_on": ["The training must expire after the training date."]
    }


def test_a_training_in_the_future_is_refused(world):
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as refused:
        add(world, trained_on=today + timedelta(days=1), expires_on=today + timedelta(days=9))
    assert refused.value.fields == {"trained_on": ["The training date cannot be in the future."]}


def test_only_a_contact_point_is_registered(world):
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as refused:
        services.contact_point_training_add(
            actor=world["coordinator"],
            contact_point=world["case_manager"],
            trained_on=today,
            expires_on=today + timedelta(days=1),
        )
    assert refused.value.fields == {
        "contact_point": ["Choose an active contact point of the institution."]
    }


def test_the_bureau_keeps_only_its_own_institutions_register(world):
    from tests.factories import MembershipFactory

    elsewhere = MembershipFactory(role="contact_point", agency=world.other_institution)
    today = timezone.localdate()
    with pytest.raises(NotFound):
        services.contact_point_training_add(
            actor=world["bureau_analyst"],
            contact_point=elsewhere,
            trained_on=today,
            expires_on=today + timedelta(days=1),
        )


def test_an_expired_training_is_not_current(world):
    today = timezone.localdate()
    training = add(world, trained_on=today - timedelta(days=400), expires_on=today)
    assert not training.is_current
    assert not intake_policy.has_current_training(world["contact_point"])


def test_the_register_shows_the_institutions_the_reader_may_read(world):
    add(world)
    register = dict(selectors.contact_point_register(actor=world["bureau_analyst"]))
    assert list(register) == [world.institution]
    assert len(register[world.institution]) == 1
    assert {i for i, _ in selectors.contact_point_register(actor=world["coordinator"])} == {
        world.institution,
        world.other_institution,
    }
    assert selectors.contact_point_register(actor=world["case_manager"]) == []


def test_the_register_page_flags_expired_trainings(act_as, world):
    today = timezone.localdate()
    add(world, trained_on=today - timedelta(days=800), expires_on=today - timedelta(days=1))
    response = act_as(world["contact_point"]).get(reverse("intake:contact-points"))
    assert response.status_code == 200
    assert 'class="expired"' in response.text
    assert "Expired" in response.text


def test_the_register_page_refuses_a_training_that_expires_first(act_as, world):
    today = timezone.localdate()
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:contact-points"),
        {
            "contact_point": world["contact_point"].pk,
            "trained_on": today.isoformat(),
            "expires_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["expires_on"] == [
        "The training must expire after the training date."
    ]


def test_a_contact_point_without_current_training_is_told_on_the_queue(act_as, world):
    response = act_as(world["contact_point"]).get(reverse("intake:signal-queue"))
    assert "Your contact-point training is not current." in response.text
    add(world)
    response = act_as(world["contact_point"]).get(reverse("intake:signal-queue"))
    assert "Your contact-point training is not current." not in response.text
