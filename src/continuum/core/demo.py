"""A fictional, clearly synthetic demo world. Every name here is invented; national
identifiers start with 999, a range no real register issues."""

from __future__ import annotations

import random
from base64 import b32encode
from binascii import unhexlify
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

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
from continuum.core.registry import Registry

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


@dataclass(frozen=True)
class DemoWorld:
    """The shared world every stage seeds its part into: the agencies by code, the demo
    memberships by username, the persons held now per institution code (those without a MAR
    case first), the day the demo is seeded for, and the random generator."""

    agencies: dict[str, Agency]
    members: dict[str, Membership]
    held: dict[str, list[Person]]
    today: date
    rng: random.Random


@dataclass(frozen=True)
class Seeder:
    """A stage's part of the demo, registered from its ``AppConfig.ready()``; seeders run in
    ``INSTALLED_APPS`` order, after the shared world, in the same transaction."""

    key: str
    seed: Callable[[DemoWorld], None]


seeders: Registry[Seeder] = Registry("demo seeders")


@transaction.atomic
def seed(today: date | None = None, rng_seed: int = 2026) -> list[DemoLogin]:
    """Create the demo world through the services, so that audit and timeline are real: the
    shared world first, then each stage's part."""
    world = seed_world(today or timezone.localdate(), random.Random(rng_seed))
    for seeder in seeders:
        seeder.seed(world)
    return logins()


def seed_world(today: date, rng: random.Random) -> DemoWorld:
    """Agencies, accounts, persons with their placements, and MAR cases in every phase."""
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
    return DemoWorld(agencies=agencies, members=m, held=held, today=today, rng=rng)


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
