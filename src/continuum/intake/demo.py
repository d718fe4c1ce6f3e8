"""The intake's part of the demo world: inclusion criteria, contact-point trainings (one
expired), signals from internal and external reporters, investigations with findings and
measures (awaiting authorisation, running, overdue), and triage decisions of every outcome,
one awaiting the coordinator's sign-off. Registered from ``IntakeConfig.ready``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from continuum.access import policy
from continuum.core.demo import DemoWorld
from continuum.core.models import Agency, CustodyStatus, Membership, Person
from continuum.intake import services as intake
from continuum.intake.models import (
    InclusionCriterion,
    Investigation,
    Measure,
    Signal,
    TriageDecision,
)

# --- intake: signals, investigations, measures, triage --------------------------------------
#
# Everything below goes through the intake services, so routing, timelines and the audit log
# are real. Every observed behaviour is invented, marked "(synthetic)", and describes conduct
# only, never religion or identity.

CRITERIA = [
    (
        "ideology",
        "Ideological motive expressed",
        "The person states an extremist ideological motive for their conduct.",
    ),
    (
        "violence",
        "Readiness to use violence",
        "The person expresses or shows readiness to use or support violence.",
    ),
    (
        "network",
        "Links to an extremist network",
        "The person keeps contacts with an extremist network, inside or outside.",
    ),
    ("recruitment", "Recruitment of others", "The person tries to draw others into such views."),
]

BEHAVIOUR = {
    "deviant_behaviour": "(synthetic) Threatened a fellow detainee during recreation after an "
    "argument about the shared television; staff separated them.",
    "beliefs": "(synthetic) Told the teacher in class that attacks on officials are justified "
    "and repeated it when asked to stop.",
    "network": "(synthetic) Asked two other detainees to pass handwritten messages to a group "
    "outside during visits.",
    "contacts_change": "(synthetic) Stopped receiving family visits; three new visitors were "
    "registered within two weeks.",
    "searching": "(synthetic) Asked the library, twice, for manuals on making weapons, "
    "according to the library's request log.",
    "offence": "(synthetic) The police file of the current offence describes planning damage "
    "to a public building.",
}


@dataclass(frozen=True)
class _Cast:
    """The demo's intake actors."""

    contact: Membership
    contact_2: Membership
    contact_3: Membership
    analyst: Membership
    analyst_2: Membership
    analyst_3: Membership
    coordinator: Membership


def _signal(
    actor: Membership,
    person: Person | None,
    category: str,
    credibility: str,
    days_ago: int,
    *,
    context: str = "recreation",
    reliability: str = "B",
    new_person: dict[str, object] | None = None,
) -> Signal:
    data = {
        "person": person.reference if person else "",
        "category": category,
        "observed_behaviour": BEHAVIOUR[category],
        "context": context,
        "observed_at": timezone.now() - timedelta(days=days_ago, hours=3),
        "source_reliability": reliability,
        "information_credibility": credibility,
        "rests_on_behaviour": True,
    }
    return intake.signal_record(actor=actor, data=data, new_person=new_person)


def _investigate(analyst: Membership, signals: list[Signal], finding: str = "") -> Investigation:
    investigation = None
    for signal in signals:
        investigation = intake.signal_investigate(actor=analyst, signal=signal)
    assert investigation is not None  # noqa: S101 - every story has a signal
    if finding:
        intake.finding_add(actor=analyst, investigation=investigation, text=finding)
    return investigation


def _decide(
    analyst: Membership,
    coordinator: Membership | None,
    investigation: Investigation,
    data: dict[str, object],
) -> TriageDecision:
    """Propose a decision and sign it off for the custodial side; with a coordinator, the
    second sign-off makes it take effect."""
    decision = intake.triage_propose(actor=analyst, investigation=investigation, data=data)
    intake.triage_sign_off(actor=analyst, decision=decision)
    if coordinator is not None:
        intake.triage_sign_off(actor=coordinator, decision=decision)
    return decision


def seed(world: DemoWorld) -> None:
    m, held, today = world.members, world.held, world.today
    cast = _Cast(
        contact=m["contact-point"],
        contact_2=m["contact-point-2"],
        contact_3=m["contact-point-3"],
        analyst=m["bureau-analyst"],
        analyst_2=m["bureau-analyst-2"],
        analyst_3=m["bureau-analyst-3"],
        coordinator=m["coordinator"],
    )
    for position, (code, label, description) in enumerate(CRITERIA, start=1):
        # Configuration, kept by the administrator on the admin site; no service of its own.
        InclusionCriterion.objects.create(
            jurisdiction="NL", code=code, label=label, description=description, position=position
        )
    _trainings(cast, today)
    _noordhaven(cast, held[cast.contact.agency.code], m["case-manager"].agency, today)
    _zuidmeer(cast, held[cast.contact_2.agency.code])
    _oostwaard_and_external(cast, held[cast.contact_3.agency.code], m)


def _trainings(cast: _Cast, today: date) -> None:
    """Noordhaven's and Oostwaard's contact points are trained; Zuidmeer's training expired,
    so the register flags it and Zuidmeer's queue stays with its bureau."""
    intake.contact_point_training_add(
        actor=cast.analyst,
        contact_point=cast.contact,
        trained_on=today - timedelta(days=120),
        expires_on=today + timedelta(days=610),
    )
    intake.contact_point_training_add(
        actor=cast.coordinator,
        contact_point=cast.contact_2,
        trained_on=today - timedelta(days=800),
        expires_on=today - timedelta(days=35),
    )
    intake.contact_point_training_add(
        actor=cast.coordinator,
        contact_point=cast.contact_3,
        trained_on=today - timedelta(days=30),
        expires_on=today + timedelta(days=700),
    )


def _noordhaven(cast: _Cast, persons: list[Person], municipality: Agency, today: date) -> None:
    """Seven persons held at PI Noordhaven, one story each: referred to MAR, downscaled
    twice, monitored, notified, under investigation with measures, and a decision that
    awaits the coordinator's sign-off."""
    refer, quiet, quarrel, watch, notify, open_, pending = persons[:7]
    contact, analyst, coordinator = cast.contact, cast.analyst, cast.coordinator
    investigation = _investigate(
        analyst,
        [
            _signal(contact, refer, "deviant_behaviour", "2", 40),
            _signal(contact, refer, "beliefs", "2", 35, context="education"),
        ],
        "(synthetic) Two staff members independently confirm the statements and the threat.",
    )
    _decide(
        analyst,
        coordinator,
        investigation,
        {
            "outcome": "refer",
            "rationale": "(synthetic) Stated motive and a threat of violence, confirmed twice.",
            "criteria": ["ideology", "violence"],
        },
    )
    for person, grades in ((quiet, ("4", "6")), (quarrel, ("3", "5"))):
        investigation = _investigate(
            analyst,
            [
                _signal(contact, person, "deviant_behaviour", grades[0], 30, reliability="C"),
                _signal(contact, person, "deviant_behaviour", grades[1], 26, reliability="C"),
            ],
        )
        _decide(
            analyst,
            coordinator,
            investigation,
            {
                "outcome": "downscale",
                "rationale": "(synthetic) A personal conflict on the wing; no extremist "
                "motive found.",
            },
        )
    investigation = _investigate(
        analyst,
        [
            _signal(contact, watch, "deviant_behaviour", "3", 22),
            _signal(contact, watch, "network", "2", 20, context="visits"),
        ],
    )
    _decide(
        analyst,
        coordinator,
        investigation,
        {
            "outcome": "monitor",
            "rationale": "(synthetic) Unclear whether the messages continue; look again.",
            "review_on": today + timedelta(days=21),
        },
    )
    investigation = _investigate(
        analyst, [_signal(contact, notify, "contacts_change", "2", 18, context="visits")]
    )
    _decide(
        analyst,
        coordinator,
        investigation,
        {
            "outcome": "notify",
            "rationale": "(synthetic) New visitors known to the municipality; release is near.",
            "notify": [municipality.code],
            "notice_text": "(synthetic) Please include this person in the safety "
            "house's release consultation.",
        },
    )
    _measures(cast, open_, today)
    investigation = _investigate(
        analyst,
        [_signal(contact, pending, "beliefs", "2", 8, context="education")],
        "(synthetic) The statements were repeated in two lessons, per the teacher's notes.",
    )
    _decide(
        analyst,
        None,
        investigation,
        {
            "outcome": "refer",
            "rationale": "(synthetic) A repeated stated motive; refer for a joint assessment.",
            "criteria": ["ideology"],
        },
    )
    # One more signal of the pending person, still awaiting assessment in the bureau's queue.
    _signal(contact, pending, "deviant_behaviour", "2", 2, context="work")


def _measures(cast: _Cast, person: Person, today: date) -> None:
    """An open investigation with a finding and three measures: one awaiting authorisation,
    one running, one overdue."""
    analyst, second = cast.analyst, cast.analyst_3
    investigation = _investigate(
        analyst,
        [_signal(cast.contact, person, "searching", "3", 12, context="education")],
        "(synthetic) The library's log shows two requests; no material was handed out.",
    )
    basis = "(synthetic) Demo penitentiary rule 12: supervision on a reasoned suspicion."
    awaiting, running, overdue = (
        intake.measure_request(
            actor=analyst,
            investigation=investigation,
            data={"type": kind, "legal_basis": basis, "starts_on": starts, "ends_on": ends},
        )
        for kind, starts, ends in (
            ("reading_material", today, today + timedelta(days=59)),
            ("telephone_monitoring", today, today + timedelta(days=20)),
            ("visitor_review", today, today),
        )
    )
    del awaiting  # stays awaiting authorisation
    intake.measure_authorise(actor=second, measure=running)
    intake.measure_authorise(actor=second, measure=overdue)
    # The services refuse an end date in the past, rightly. To show an overdue measure, the
    # demo moves this one's dates back after the fact (the audit log keeps the dates as
    # recorded today): it ran 40 days and should have ended 5 days ago.
    requested = timezone.now() - timedelta(days=40)
    Measure.objects.filter(pk=overdue.pk).update(
        starts_on=today - timedelta(days=45),
        ends_on=today - timedelta(days=5),
        requested_at=requested,
        authorised_at=requested + timedelta(hours=2),
    )


def _zuidmeer(cast: _Cast, persons: list[Person]) -> None:
    """Five signals of deviant behaviour from PI Zuidmeer, all downscaled: with
    Noordhaven's, enough for the bias report to show both units' rates."""
    grades = [("4", "5"), ("6", "4"), ("2",)]
    for days, (person, person_grades) in enumerate(zip(persons[:3], grades, strict=True)):
        signals = [
            _signal(cast.contact_2, person, "deviant_behaviour", grade, 50 - 3 * days - i)
            for i, grade in enumerate(person_grades)
        ]
        investigation = _investigate(cast.analyst_2, signals)
        _decide(
            cast.analyst_2,
            cast.coordinator,
            investigation,
            {
                "outcome": "downscale",
                "rationale": "(synthetic) Conduct explained by a dispute over work shifts.",
            },
        )


def _oostwaard_and_external(cast: _Cast, persons: list[Person], m: dict[str, Membership]) -> None:
    """Signals awaiting assessment: from PI Oostwaard, from probation and a municipality
    (passed on to the institution holding the person), and from the police about a person
    not in custody (coordination's queue, one of which coordination dismisses)."""
    _signal(cast.contact_3, persons[0], "beliefs", "3", 6, context="work")
    _signal(cast.contact_3, persons[1], "network", "4", 4, context="telephone", reliability="C")
    for username, category in (("probation-officer", "network"), ("case-manager", "offence")):
        reporter = m[username]
        held = policy.scope_persons(reporter).filter(placements__ended_on__isnull=True)
        # By registration, not by the random reference: the demo is the same every time.
        person = held.order_by("pk").first()
        if person is not None:
            _signal(reporter, person, category, "3", 9, context="outside_source")
    police = m["police-liaison"]
    first = _signal(
        police,
        None,
        "searching",
        "5",
        15,
        context="outside_source",
        reliability="D",
        new_person={
            "given_names": "Zeno",
            "family_name": "Demovries",
            "date_of_birth": date(1999, 4, 17),
            "national_identifier": "999900001",
            "custody_status": CustodyStatus.NOT_IN_CUSTODY,
        },
    )
    _signal(police, first.person, "searching", "3", 3, context="outside_source")
    intake.signal_dismiss(
        actor=cast.coordinator,
        signal=first,
        reason="(synthetic) The searches were for a school assignment, confirmed by the school.",
    )
