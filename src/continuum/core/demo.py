"""A fictional, clearly synthetic demo world. Every name here is invented; national
identifiers start with 999, a range no real register issues."""

from __future__ import annotations

import random
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from continuum.access import policy
from continuum.core import accounts, services
from continuum.core.models import (
    Agency,
    AgencyType,
    CustodyStatus,
    Membership,
    Person,
    Phase,
    Role,
    UnitType,
    User,
)
from continuum.intake import services as intake
from continuum.intake.models import (
    InclusionCriterion,
    Investigation,
    Measure,
    Signal,
    TriageDecision,
)

DEMO_PASSWORD = "continuum-demo-2026"  # noqa: S105 - printed for the demo on purpose
# One shared TOTP secret for every demo account, used only when a second factor is required
# (CONTINUUM_REQUIRE_2FA=true); printed by `continuum demo` for an authenticator app.
DEMO_TOTP_KEY = b"continuum-demo-totp!".hex()

INSTITUTIONS = ["Noordhaven", "Zuidmeer", "Oostwaard"]
MUNICIPALITIES = ["Aldenburg", "Brakelstad", "Corvelo", "Dijkmond", "Elsterhaven"]
GIVEN_NAMES = [
    "Avi",
    "Bo",
    "Cas",
    "Dani",
    "Eli",
    "Fen",
    "Gio",
    "Ilja",
    "Jip",
    "Kai",
    "Lou",
    "Mika",
    "Noa",
    "Oli",
    "Pim",
    "Quin",
    "Rian",
    "Sam",
    "Tijn",
    "Vic",
]
FAMILY_NAMES = [
    "Synthveld",
    "Demohoven",
    "Testerbeek",
    "Fictiesma",
    "Proefdijk",
    "Nepstra",
    "Voorbeeldt",
    "Oefenaar",
    "Schijnhout",
    "Probeersma",
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    agency: str


def _agency(
    code: str, name: str, type_: str, parent: Agency | None = None, safety_house: str = ""
) -> Agency:
    return Agency.objects.create(
        code=code,
        name=name,
        type=type_,
        jurisdiction="NL",
        parent=parent,
        safety_house=safety_house,
    )


def _agencies() -> dict[str, Agency]:
    a: dict[str, Agency] = {}
    for name in INSTITUTIONS:
        key = name.lower()
        a[f"pi-{key}"] = _agency(f"pi-{key}", f"PI {name} (demo)", AgencyType.CUSTODIAL_INSTITUTION)
        a[f"bureau-{key}"] = _agency(
            f"bureau-{key}",
            f"Bureau I&V {name} (demo)",
            AgencyType.INTELLIGENCE_BUREAU,
            parent=a[f"pi-{key}"],
        )
    a["coordination"] = _agency(
        "coordination", "National Coordination Programme (demo)", AgencyType.COORDINATION_PROGRAMME
    )
    for name in MUNICIPALITIES:
        key = name.lower()
        a[f"gemeente-{key}"] = _agency(
            f"gemeente-{key}",
            f"Gemeente {name} (demo)",
            AgencyType.MUNICIPALITY,
            safety_house=f"Veiligheidshuis {name} (demo)",
        )
    a["reclassering-noord"] = _agency(
        "reclassering-noord", "Probation Region North (demo)", AgencyType.PROBATION
    )
    a["reclassering-zuid"] = _agency(
        "reclassering-zuid", "Probation Region South (demo)", AgencyType.PROBATION
    )
    a["politie"] = _agency("politie", "Police Unit Demoland (demo)", AgencyType.POLICE)
    a["om"] = _agency("om", "Public Prosecution Demoland (demo)", AgencyType.PROSECUTION)
    a["rechtbank"] = _agency("rechtbank", "District Court Demoland (demo)", AgencyType.JUDICIARY)
    a["brugwerk"] = _agency("brugwerk", "Stichting Brugwerk (demo NGO)", AgencyType.NGO)
    a["ggz"] = _agency("ggz", "Mental Health Service Demoland (demo)", AgencyType.HEALTH_SERVICE)
    return a


# username, first name, role, agency code — the first of each role is named after the role.
USERS = [
    ("contact-point", "Contact Point", Role.CONTACT_POINT, "pi-noordhaven"),
    ("bureau-analyst", "Bureau Analyst", Role.BUREAU_ANALYST, "bureau-noordhaven"),
    ("coordinator", "Coordinator", Role.COORDINATOR, "coordination"),
    ("case-manager", "Case Manager", Role.CASE_MANAGER, "gemeente-aldenburg"),
    ("probation-officer", "Probation Officer", Role.PROBATION_OFFICER, "reclassering-noord"),
    ("police-liaison", "Police Liaison", Role.POLICE_LIAISON, "politie"),
    ("prosecutor", "Prosecutor", Role.PROSECUTOR, "om"),
    ("mentor", "Mentor", Role.MENTOR, "brugwerk"),
    ("dpo", "Data Protection Officer", Role.DATA_PROTECTION_OFFICER, "coordination"),
    ("evaluator", "Evaluator", Role.EVALUATOR, "coordination"),
    ("admin", "Administrator", Role.ADMINISTRATOR, "coordination"),
    ("contact-point-2", "Contact Point Two", Role.CONTACT_POINT, "pi-zuidmeer"),
    ("contact-point-3", "Contact Point Three", Role.CONTACT_POINT, "pi-oostwaard"),
    ("bureau-analyst-2", "Bureau Analyst Two", Role.BUREAU_ANALYST, "bureau-zuidmeer"),
    # A second analyst of Noordhaven's bureau: a measure is authorised by someone else.
    ("bureau-analyst-3", "Bureau Analyst Three", Role.BUREAU_ANALYST, "bureau-noordhaven"),
    ("case-manager-2", "Case Manager Two", Role.CASE_MANAGER, "gemeente-corvelo"),
    ("probation-officer-2", "Probation Officer Two", Role.PROBATION_OFFICER, "reclassering-zuid"),
]
# A second membership, so the demo shows choosing which one to act in.
EXTRA_MEMBERSHIPS = [("case-manager", Role.CASE_MANAGER, "gemeente-brakelstad")]


def _users(agencies: dict[str, Agency]) -> dict[str, Membership]:
    memberships: dict[str, Membership] = {}
    for username, first_name, role, code in USERS:
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            first_name=first_name,
            last_name="(demo)",
            is_staff=role == Role.ADMINISTRATOR,
            is_superuser=role == Role.ADMINISTRATOR,
        )
        memberships[username] = Membership.objects.create(
            user=user, agency=agencies[code], role=role
        )
    for username, role, code in EXTRA_MEMBERSHIPS:
        Membership.objects.create(user=memberships[username].user, agency=agencies[code], role=role)
    system = User.objects.create_user(
        username="police-system",
        first_name="Police system",
        last_name="(demo)",
        is_system_account=True,
    )
    system.set_unusable_password()
    system.save(update_fields=["password"])
    Membership.objects.create(user=system, agency=agencies["politie"], role=Role.POLICE_LIAISON)
    return memberships


# (phase or None for no case, how many, convicted VETO)
PLAN = [
    (None, 8, False),
    (Phase.REFERRED, 6, False),
    (Phase.IN_DETENTION, 5, True),
    (Phase.IN_DETENTION, 5, False),
    (Phase.RELEASE_PREPARATION, 6, True),
    (Phase.AFTERCARE, 6, True),
    (Phase.CLOSED, 4, False),
]
PHASE_ORDER = [
    Phase.REFERRED,
    Phase.IN_DETENTION,
    Phase.RELEASE_PREPARATION,
    Phase.AFTERCARE,
    Phase.CLOSED,
]


@transaction.atomic
def seed(today: date | None = None, rng_seed: int = 2026) -> list[DemoLogin]:
    """Create the demo world through the services, so that audit and timeline are real."""
    today = today or timezone.localdate()
    rng = random.Random(rng_seed)
    agencies = _agencies()
    m = _users(agencies)
    institutions = [m["contact-point"], m["contact-point-2"], m["contact-point-3"]]
    municipalities = [agencies[f"gemeente-{n.lower()}"] for n in MUNICIPALITIES]
    probation = [agencies["reclassering-noord"], agencies["reclassering-zuid"]]
    # The persons held now, per institution, those without a MAR case first (PLAN's order).
    held: dict[str, list[Person]] = {contact.agency.code: [] for contact in institutions}
    number = 0
    for phase, count, veto in PLAN:
        for _ in range(count):
            number += 1
            contact = rng.choice(institutions)
            person = _person(rng, number, phase, veto, contact, today)
            _placements(rng, person, phase, veto, contact, agencies, today)
            if phase not in (Phase.AFTERCARE, Phase.CLOSED):
                held[contact.agency.code].append(person)
            if phase is not None:
                _case(
                    m,
                    person,
                    phase,
                    contact,
                    rng.choice(municipalities),
                    rng.choice(probation),
                    mentored=rng.random() < 0.5,
                )
    _intake(m, held, today)
    return logins()


def _person(
    rng: random.Random, number: int, phase: str | None, veto: bool, actor: Membership, today: date
) -> Person:
    start = today - timedelta(days=rng.randint(200, 1800))
    released = phase in (Phase.AFTERCARE, Phase.CLOSED)
    expected = start + timedelta(days=rng.randint(400, 2400))
    if released:
        expected = today - timedelta(days=rng.randint(30, 400))
        start = min(start, expected - timedelta(days=365))
    elif phase == Phase.RELEASE_PREPARATION:
        expected = today + timedelta(days=rng.randint(30, 170))
    elif expected <= today:
        expected = today + timedelta(days=rng.randint(200, 900))
    data = {
        "given_names": rng.choice(GIVEN_NAMES),
        "family_name": rng.choice(FAMILY_NAMES),
        "aliases": rng.choice(["", "", f"Alias-{number:02d}"]),
        "date_of_birth": date(rng.randint(1975, 2004), rng.randint(1, 12), rng.randint(1, 28)),
        "national_identifier": f"999{number:06d}",
        "custody_status": (
            CustodyStatus.RELEASED
            if released
            else CustodyStatus.SENTENCED
            if veto or phase
            else CustodyStatus.PRE_TRIAL
        ),
        "sentence_start": start,
        "expected_release": expected,
        "actual_release": expected if released else None,
        "is_veto": veto,
    }
    return services.person_register(actor=actor, data=data)


def _placements(
    rng: random.Random,
    person: Person,
    phase: str | None,
    veto: bool,
    actor: Membership,
    agencies: dict[str, Agency],
    today: date,
) -> None:
    assert person.sentence_start is not None  # noqa: S101 - set by _person
    unit = UnitType.TERRORIST_WING if veto else UnitType.REGULAR_WARD
    moved = person.sentence_start + timedelta(days=rng.randint(60, 180))
    earlier = rng.choice(
        [a for k, a in agencies.items() if k.startswith("pi-") and a != actor.agency]
    )
    services.placement_add(
        actor=actor,
        person=person,
        institution=earlier,
        unit_type=unit,
        started_on=person.sentence_start,
        ended_on=moved,
    )
    ended = person.actual_release
    services.placement_add(
        actor=actor,
        person=person,
        institution=actor.agency,
        unit_type=unit,
        started_on=moved + timedelta(days=1),
        ended_on=ended,
    )


def _case(
    m: dict[str, Membership],
    person: Person,
    phase: str,
    contact: Membership,
    municipality: Agency,
    probation: Agency,
    mentored: bool,
) -> None:
    coordinator = m["coordinator"]
    case = person.cases.first() or services.case_open(
        actor=coordinator, person=person, lead_agency=coordinator.agency, phase=Phase.REFERRED
    )
    members = []
    if municipality == m["case-manager"].agency:
        members.append(m["case-manager"])
    if probation == m["probation-officer"].agency:
        members.append(m["probation-officer"])
    if phase in (Phase.AFTERCARE, Phase.CLOSED) and mentored:
        members.append(m["mentor"])
    agencies = [contact.agency, municipality, probation]
    if phase in (Phase.AFTERCARE, Phase.CLOSED):
        agencies.append(m["mentor"].agency)
    services.case_set_team(actor=coordinator, case=case, agencies=agencies, members=members)
    start, end = PHASE_ORDER.index(Phase(case.phase)), PHASE_ORDER.index(Phase(phase))
    for step in PHASE_ORDER[start + 1 : end + 1]:
        services.case_change_phase(actor=coordinator, case=case, phase=step)


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


def _intake(m: dict[str, Membership], held: dict[str, list[Person]], today: date) -> None:
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
            "notification_text": "(synthetic) Please include this person in the safety "
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
        person = policy.scope_persons(reporter).filter(placements__ended_on__isnull=True).first()
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


def logins() -> list[DemoLogin]:
    rows = []
    for username, _first, role, code in USERS:
        rows.append(DemoLogin(username=username, role=str(Role(role).label), agency=code))
    return rows


def demo_totp_secret() -> str:
    """The shared demo TOTP secret as an authenticator app takes it (base32)."""
    return b32encode(unhexlify(DEMO_TOTP_KEY)).decode()


@transaction.atomic
def enrol_totp() -> int:
    """Give every demo account that signs in a confirmed TOTP device with the shared demo
    secret, unless it has one. Returns how many were enrolled."""
    enrolled = 0
    for username, *_rest in USERS:
        user = User.objects.filter(username=username).first()
        if user is None or accounts.totp_device_of(user) is not None:
            continue
        TOTPDevice.objects.create(
            user=user, name=accounts.DEVICE_NAME, key=DEMO_TOTP_KEY, confirmed=True
        )
        enrolled += 1
    return enrolled
