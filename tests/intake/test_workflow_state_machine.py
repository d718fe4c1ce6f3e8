"""The intake workflow as a state machine: random sequences of signals, investigations,
measures, triage proposals, sign-offs, withdrawals and reviews, by random memberships (the
right ones, the wrong ones, the same user in another membership, a second analyst of the same
agency), with the clock moving on. The services may refuse any step; whatever they do, the
database never holds an illegal state, and a refusal leaves no trace.

The machine runs inside the test's transaction: each example starts from a savepoint and
rolls back to it, so examples do not see each other's rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, TypeVar
from unittest import mock

import pytest
from django.db import transaction
from django.db.models import Count, Model
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from continuum.audit.models import AuditEntry
from continuum.audit.verify import verify
from continuum.core import services as core_services
from continuum.core.exceptions import Conflict, InvalidInput, NotFound
from continuum.core.models import (
    AgencyType,
    Case,
    Membership,
    Phase,
    Role,
    TimelineEvent,
)
from continuum.intake import services
from continuum.intake.models import (
    Investigation,
    InvestigationStatus,
    Measure,
    MeasureStatus,
    MeasureType,
    MonitoringReview,
    ReviewStatus,
    Signal,
    SignalStatus,
    SignOffSide,
    StakeholderNotice,
    TriageDecision,
    TriageOutcome,
    TriageSignOff,
    TriageStatus,
)
from continuum.intake.timeline import IntakeKind
from tests.conftest import World
from tests.factories import AgencyFactory, MembershipFactory, PersonFactory, PlacementFactory
from tests.intake.conftest import measure_data, signal_data

T = TypeVar("T")
# What the examples did, counted over the run, so the test can tell that it explored.
REACHED: Counter[str] = Counter()
REAL_NOW = timezone.now

# Who acts: the bureau's two analysts; the same user as the first analyst acting as a
# coordinator; another bureau's two analysts; two coordinators of the programme; and three
# who have no part in investigations.
ACTORS = (
    "analyst_a",
    "second_analyst_a",
    "analyst_a_as_coordinator",
    "analyst_b",
    "second_analyst_b",
    "coordinator",
    "second_coordinator",
    "contact_point",
    "case_manager",
    "mentor",
)
COORDINATORS = ["coordinator", "second_coordinator", "analyst_a_as_coordinator"]
REPORTERS = ("contact_point", "analyst_a", "analyst_b", "case_manager")
NOTIFIABLE = {"gem-a", "prob", "pol"}
OPEN_PHASES = [phase for phase in Phase.values if phase != Phase.CLOSED]
INDEX = st.integers(min_value=0, max_value=10_000)
# Mostly an object in a state where the step may succeed.
FRESH = st.one_of(st.just(True), st.just(True), st.booleans())
# Mostly someone who fits the step (one of the right analysts, or the parties to a decision),
# otherwise anyone at all.
FITTING = "fitting"
ACTOR = st.one_of(*[st.just(FITTING)] * 4, st.sampled_from(ACTORS))

RATIONALE = "Recruitment attempts on the wing, confirmed by two sources."
NOTICE = "Please plan for a return to your municipality."


def valid_proposal(outcome: str, review_in: int = 60) -> dict[str, Any]:
    return {
        "outcome": outcome,
        "rationale": RATIONALE,
        "criteria": ["ideology"] if outcome == TriageOutcome.REFER else [],
        "review_in": review_in if outcome == TriageOutcome.MONITOR else None,
        "notify": ["gem-a", "prob"] if outcome == TriageOutcome.NOTIFY else [],
        "notice_text": NOTICE if outcome == TriageOutcome.NOTIFY else "",
    }


PROPOSALS = st.one_of(
    st.builds(valid_proposal, st.sampled_from(TriageOutcome.values), st.sampled_from([1, 30, 60])),
    st.fixed_dictionaries(
        {
            "outcome": st.sampled_from([*TriageOutcome.values, "", "escalate"]),
            "rationale": st.sampled_from(["", "   ", RATIONALE]),
            "criteria": st.lists(
                st.sampled_from(["ideology", "violence", "elsewhere", "nonsense"]), max_size=3
            ),
            "review_in": st.sampled_from([None, -1, 0, 1, 60]),
            "notify": st.lists(
                st.sampled_from(["gem-a", "prob", "pol", "coord", "bureau-a"]), max_size=3
            ),
            "notice_text": st.sampled_from(["", NOTICE]),
        }
    ),
)
LEGAL_BASIS = "Synthetic rule 12: a reasoned suspicion."
MEASURES = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(MeasureType.values),
            "legal_basis": st.just(LEGAL_BASIS),
            "start": st.sampled_from([-3, 0, 2]),
            "length": st.just(1),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from([*MeasureType.values, ""]),
            "legal_basis": st.sampled_from(["", LEGAL_BASIS]),
            "start": st.sampled_from([-40, -3, 0, 2]),
            "length": st.sampled_from([0, 1, 2, 14, 28, 29, 30, 31, 90, 91]),
        }
    ),
)


def pick(objects: list[T], index: int) -> T:
    return objects[index % len(objects)]


class IntakeWorkflow(RuleBasedStateMachine):
    """Set ``world`` before running (the test does)."""

    world: ClassVar[World]

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.days = 0
        self.clock = mock.patch(
            "django.utils.timezone.now", lambda: REAL_NOW() + timedelta(days=self.days)
        )
        self.clock.start()
        world = self.world
        institution_b = world.other_institution
        self.bureau_b = AgencyFactory(
            code="bureau-b", type=AgencyType.INTELLIGENCE_BUREAU, parent=institution_b
        )
        analyst_a = world["bureau_analyst"]
        self.members: dict[str, Membership] = {
            "analyst_a": analyst_a,
            "second_analyst_a": MembershipFactory(agency=world.bureau, role=Role.BUREAU_ANALYST),
            "analyst_a_as_coordinator": MembershipFactory(
                user=analyst_a.user, agency=world.coordination, role=Role.COORDINATOR
            ),
            "analyst_b": MembershipFactory(agency=self.bureau_b, role=Role.BUREAU_ANALYST),
            "second_analyst_b": MembershipFactory(agency=self.bureau_b, role=Role.BUREAU_ANALYST),
            "coordinator": world["coordinator"],
            "second_coordinator": MembershipFactory(
                agency=world.coordination, role=Role.COORDINATOR
            ),
            "contact_point": world["contact_point"],
            "case_manager": world["case_manager"],
            "mentor": world["mentor"],
        }
        # Two persons held at PI Alpha; the second is known to the other bureau too, so both
        # bureaux investigate (and may refer) them.
        self.persons = [
            PersonFactory(registered_by=world.institution),
            PersonFactory(registered_by=self.bureau_b),
        ]
        for person in self.persons:
            PlacementFactory(person=person, institution=world.institution, ended_on=None)

    def teardown(self) -> None:
        self.clock.stop()
        transaction.savepoint_rollback(self.savepoint)

    # --- helpers ------------------------------------------------------------------------

    @property
    def today(self) -> date:
        return timezone.localdate()

    def footprint(self) -> tuple[Any, ...]:
        """Everything a refusal must leave as it was."""
        rows: list[Any] = [AuditEntry.objects.count(), TimelineEvent.objects.count()]
        for model in (
            Signal,
            Investigation,
            Measure,
            TriageDecision,
            MonitoringReview,
            Case,
        ):
            rows.append(
                sorted(model.objects.values_list("pk", "status" if model is not Case else "phase"))
            )
        rows.extend(
            [
                TriageSignOff.objects.count(),
                StakeholderNotice.objects.count(),
                sorted(Measure.objects.values_list("pk", "ends_on", "renewals")),
            ]
        )
        return tuple(rows)

    def attempt(self, service: Callable[..., T], *, insider: bool, **kwargs: Any) -> T | None:
        """Run a service. An outsider is answered "not found"; a refusal changes nothing;
        a success is audited."""
        before = self.footprint()
        audit_before = AuditEntry.objects.count()
        try:
            result = service(**kwargs)
        except NotFound:
            assert self.footprint() == before
            return None
        except (InvalidInput, Conflict) as refused:
            assert insider, f"an outsider was told more than 'not found': {refused}"
            assert self.footprint() == before
            return None
        assert insider, "an outsider changed the workflow"
        assert AuditEntry.objects.count() > audit_before, "a change without its audit entry"
        REACHED[service.__name__] += 1
        if isinstance(result, TriageDecision) and result.status == TriageStatus.IN_EFFECT:
            REACHED[f"{result.outcome} in effect"] += 1
        return result

    @staticmethod
    def analyst_of(membership: Membership, investigation: Investigation) -> bool:
        return (
            membership.role == Role.BUREAU_ANALYST
            and membership.agency_id == investigation.bureau_id
        )

    def party_to(self, membership: Membership, investigation: Investigation) -> bool:
        return membership.role == Role.COORDINATOR or self.analyst_of(membership, investigation)

    @staticmethod
    def objects(model: type[Model]) -> list[Any]:
        return list(model.objects.order_by("pk"))

    # --- rules --------------------------------------------------------------------------

    @initialize()
    def two_bureaux_investigate(self) -> None:
        """Bureau A investigates the first person, bureau B the second (whom bureau A may
        investigate too, from the signal left awaiting assessment)."""
        contact_point = self.members["contact_point"]
        first = services.signal_record(actor=contact_point, data=signal_data(self.persons[0]))
        services.signal_investigate(actor=self.members["analyst_a"], signal=first)
        second = services.signal_record(
            actor=self.members["analyst_b"], data=signal_data(self.persons[1])
        )
        services.signal_investigate(actor=self.members["analyst_b"], signal=second)
        services.signal_record(actor=contact_point, data=signal_data(self.persons[1]))

    def actor(self, choice: str, who: int, fitting: list[str]) -> Membership:
        return self.members[pick(fitting, who) if choice == FITTING else choice]

    @staticmethod
    def analysts(investigation: Investigation) -> list[str]:
        if investigation.bureau.code == "bureau-b":
            return ["analyst_b", "second_analyst_b"]
        return ["analyst_a", "second_analyst_a"]

    def parties(self, investigation: Investigation) -> list[str]:
        return [*self.analysts(investigation), *COORDINATORS]

    @staticmethod
    def choose(model: type[Model], index: int, fresh: bool, **state: Any) -> Any:
        """Mostly an object in a state where the step can succeed, sometimes any."""
        objects = list(model.objects.order_by("pk"))
        useful = list(model.objects.filter(**state).order_by("pk"))
        return pick(useful if fresh and useful else objects, index)

    @rule(days=st.integers(min_value=1, max_value=35))
    def time_passes(self, days: int) -> None:
        self.days += days

    @rule(
        reporter=st.sampled_from(REPORTERS),
        person=st.integers(min_value=0, max_value=1),
        confirmed=st.booleans(),
    )
    def record_signal(self, reporter: str, person: int, confirmed: bool) -> None:
        data = signal_data(self.persons[person], rests_on_behaviour=confirmed)
        before = self.footprint()
        try:
            signal = services.signal_record(actor=self.members[reporter], data=data)
        except (InvalidInput, NotFound, Conflict):
            assert self.footprint() == before
            return
        assert confirmed
        assert signal.status == SignalStatus.AWAITING_ASSESSMENT

    @rule(choice=ACTOR, who=INDEX, index=INDEX, fresh=FRESH)
    def investigate(self, choice: str, who: int, index: int, fresh: bool) -> None:
        signal = self.choose(Signal, index, fresh, status=SignalStatus.AWAITING_ASSESSMENT)
        bureau = "analyst_b" if signal.routed_to.code == "bureau-b" else "analyst_a"
        membership = self.actor(choice, who, [bureau])
        investigation = self.attempt(
            services.signal_investigate,
            actor=membership,
            signal=signal,
            insider=membership.role == Role.BUREAU_ANALYST,
        )
        if investigation is not None:
            assert investigation.bureau_id == membership.agency_id
            assert investigation.person_id == signal.person_id

    @rule(choice=ACTOR, who=INDEX, index=INDEX, fresh=FRESH, data=MEASURES)
    def request_measure(
        self, choice: str, who: int, index: int, fresh: bool, data: dict[str, Any]
    ) -> None:
        investigation = self.choose(Investigation, index, fresh, status=InvestigationStatus.OPEN)
        membership = self.actor(choice, who, self.analysts(investigation))
        starts_on = self.today + timedelta(days=data["start"])
        kind, legal_basis, length = data["type"], data["legal_basis"], data["length"]
        fields = measure_data(
            type=kind,
            legal_basis=legal_basis,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=length - 1),
        )
        measure = self.attempt(
            services.measure_request,
            actor=membership,
            investigation=investigation,
            data=fields,
            insider=self.analyst_of(membership, investigation),
        )
        if measure is not None:
            assert investigation.status == InvestigationStatus.OPEN
            assert kind and legal_basis and 1 <= length <= services.max_days(kind)
            assert measure.ends_on >= self.today
            assert measure.status == MeasureStatus.REQUESTED

    @rule(
        index=INDEX,
        kind=st.sampled_from(MeasureType.values),
        requester=st.integers(min_value=0, max_value=1),
        renewer=st.integers(min_value=0, max_value=1),
        renew_for=st.sampled_from([None, 1, 13, 27, 28, 29, 89, 90]),
    )
    def measure_runs(
        self, index: int, kind: str, requester: int, renewer: int, renew_for: int | None
    ) -> None:
        """A measure requested by one analyst and authorised by the other, in one step; then
        perhaps renewed (by either of them)."""
        investigation = self.choose(Investigation, index, True, status=InvestigationStatus.OPEN)
        analysts = self.analysts(investigation)
        today = self.today
        measure = self.attempt(
            services.measure_request,
            actor=self.members[analysts[requester]],
            investigation=investigation,
            data=measure_data(type=kind, starts_on=today, ends_on=today),
            insider=True,
        )
        if measure is None:
            return
        authorised = self.attempt(
            services.measure_authorise,
            actor=self.members[analysts[1 - requester]],
            measure=measure,
            insider=True,
        )
        if authorised is not None and renew_for is not None:
            renewed = self.attempt(
                services.measure_renew,
                actor=self.members[analysts[renewer]],
                measure=measure,
                ends_on=today + timedelta(days=renew_for),
                insider=True,
            )
            if renewed is not None:
                assert renewer != requester
                assert renew_for < services.max_days(kind)

    @precondition(lambda self: Case.objects.exclude(phase=Phase.CLOSED).exists())
    @rule(index=INDEX)
    def close_case(self, index: int) -> None:
        """Coordination closes a MAR case; a later referral opens a new one."""
        case = self.choose(Case, index, True, phase__in=OPEN_PHASES)
        self.attempt(
            core_services.case_change_phase,
            actor=self.members["coordinator"],
            case=case,
            phase=Phase.CLOSED,
            insider=True,
        )

    @precondition(lambda self: Measure.objects.exists())
    @rule(choice=ACTOR, who=INDEX, index=INDEX, fresh=FRESH)
    def authorise_measure(self, choice: str, who: int, index: int, fresh: bool) -> None:
        measure = self.choose(Measure, index, fresh, status=MeasureStatus.REQUESTED)
        others = [
            name
            for name in self.analysts(measure.investigation)
            if self.members[name].user_id != measure.requested_by.user_id
        ]
        membership = self.actor(choice, who, others)
        authorised = self.attempt(
            services.measure_authorise,
            actor=membership,
            measure=measure,
            insider=self.analyst_of(membership, measure.investigation),
        )
        if authorised is not None:
            assert measure.status == MeasureStatus.REQUESTED
            assert membership.user_id != measure.requested_by.user_id

    @precondition(lambda self: Measure.objects.exists())
    @rule(
        choice=ACTOR,
        who=INDEX,
        index=INDEX,
        fresh=FRESH,
        days=st.sampled_from([-1, 0, 1, 13, 27, 28, 29, 89, 90, 120]),
    )
    def renew_measure(self, choice: str, who: int, index: int, fresh: bool, days: int) -> None:
        measure = self.choose(Measure, index, fresh, status=MeasureStatus.ACTIVE)
        membership = self.actor(choice, who, self.analysts(measure.investigation))
        ends_on = self.today + timedelta(days=days)
        renewed = self.attempt(
            services.measure_renew,
            actor=membership,
            measure=measure,
            ends_on=ends_on,
            insider=self.analyst_of(membership, measure.investigation),
        )
        if renewed is not None:
            assert measure.status == MeasureStatus.ACTIVE
            assert membership.user_id != measure.requested_by.user_id
            assert ends_on > measure.ends_on
            assert days + 1 <= services.max_days(measure.type)

    @precondition(lambda self: Measure.objects.exists())
    @rule(choice=ACTOR, who=INDEX, index=INDEX, fresh=FRESH)
    def end_measure(self, choice: str, who: int, index: int, fresh: bool) -> None:
        measure = self.choose(Measure, index, fresh, status=MeasureStatus.ACTIVE)
        membership = self.actor(choice, who, self.analysts(measure.investigation))
        self.attempt(
            services.measure_end,
            actor=membership,
            measure=measure,
            insider=self.analyst_of(membership, measure.investigation),
        )

    @rule(choice=ACTOR, who=INDEX, index=INDEX, fresh=FRESH, proposal=PROPOSALS)
    def propose(
        self, choice: str, who: int, index: int, fresh: bool, proposal: dict[str, Any]
    ) -> None:
        investigation = self.choose(Investigation, index, fresh, status=InvestigationStatus.OPEN)
        membership = self.actor(choice, who, self.parties(investigation))
        review_in = proposal["review_in"]
        data = {
            **proposal,
            "review_on": None if review_in is None else self.today + timedelta(days=review_in),
        }
        decision = self.attempt(
            services.triage_propose,
            actor=membership,
            investigation=investigation,
            data=data,
            insider=self.party_to(membership, investigation),
        )
        if decision is None:
            return
        outcome, criteria = data["outcome"], set(data["criteria"])
        assert investigation.status == InvestigationStatus.OPEN
        assert outcome in TriageOutcome.values and data["rationale"].strip()
        assert criteria <= {"ideology", "violence"}
        assert set(decision.criteria_met.values_list("code", flat=True)) == criteria
        if outcome == TriageOutcome.REFER:
            assert criteria
        if outcome == TriageOutcome.MONITOR:
            assert review_in is not None and review_in > 0
        if outcome == TriageOutcome.NOTIFY:
            assert data["notify"] and set(data["notify"]) <= NOTIFIABLE
            assert data["notice_text"]
        assert decision.sign_offs.count() == 0

    @precondition(lambda self: TriageDecision.objects.exists())
    @rule(choice=ACTOR, who=INDEX, index=INDEX, fresh=FRESH)
    def sign_off(self, choice: str, who: int, index: int, fresh: bool) -> None:
        decision = self.choose(TriageDecision, index, fresh, status=TriageStatus.AWAITING_SIGN_OFF)
        signed_sides = set(decision.sign_offs.values_list("side", flat=True))
        fitting = (
            COORDINATORS
            if SignOffSide.CUSTODIAL in signed_sides
            else self.analysts(decision.investigation)
            if SignOffSide.COORDINATION in signed_sides
            else self.parties(decision.investigation)
        )
        membership = self.actor(choice, who, fitting)
        signed = self.attempt(
            services.triage_sign_off,
            actor=membership,
            decision=decision,
            insider=self.party_to(membership, decision.investigation),
        )
        if signed is not None:
            assert decision.status == TriageStatus.AWAITING_SIGN_OFF

    @rule(
        index=INDEX,
        outcome=st.sampled_from(TriageOutcome.values),
        custodial=INDEX,
        coordination=INDEX,
    )
    def decide(self, index: int, outcome: str, custodial: int, coordination: int) -> None:
        """A whole decision in one step (a proposal and both sign-offs, by whoever of each
        side), so that examples get past triage to what follows it."""
        investigation = self.choose(Investigation, index, True, status=InvestigationStatus.OPEN)
        proposal = valid_proposal(outcome)
        proposal["review_on"] = self.today + timedelta(days=60)
        decision = self.attempt(
            services.triage_propose,
            actor=self.members[pick(self.parties(investigation), custodial + coordination)],
            investigation=investigation,
            data=proposal,
            insider=True,
        )
        if decision is None:
            return
        for membership in (
            self.members[pick(self.analysts(investigation), custodial)],
            self.members[pick(COORDINATORS, coordination)],
        ):
            self.attempt(
                services.triage_sign_off, actor=membership, decision=decision, insider=True
            )

    @precondition(lambda self: TriageDecision.objects.exists())
    @rule(choice=ACTOR, who=INDEX, index=INDEX, fresh=FRESH)
    def withdraw(self, choice: str, who: int, index: int, fresh: bool) -> None:
        decision = self.choose(TriageDecision, index, fresh, status=TriageStatus.AWAITING_SIGN_OFF)
        membership = self.actor(choice, who, self.parties(decision.investigation))
        withdrawn = self.attempt(
            services.triage_withdraw,
            actor=membership,
            decision=decision,
            insider=self.party_to(membership, decision.investigation),
        )
        if withdrawn is not None:
            assert decision.status == TriageStatus.AWAITING_SIGN_OFF

    @precondition(lambda self: MonitoringReview.objects.exists())
    @rule(
        choice=ACTOR,
        who=INDEX,
        index=INDEX,
        fresh=FRESH,
        note=st.sampled_from(["", "Seen; calm.", "Seen; calm."]),
    )
    def complete_review(self, choice: str, who: int, index: int, fresh: bool, note: str) -> None:
        review = self.choose(MonitoringReview, index, fresh, status=ReviewStatus.DUE)
        investigation = review.decision.investigation
        membership = self.actor(choice, who, self.parties(investigation))
        done = self.attempt(
            services.monitoring_review_complete,
            actor=membership,
            review=review,
            note=note,
            insider=self.party_to(membership, investigation),
        )
        if done is not None:
            assert review.status == ReviewStatus.DUE and note

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def decisions_take_effect_only_with_two_proper_sign_offs(self) -> None:
        for decision in TriageDecision.objects.select_related("investigation__bureau"):
            sign_offs = list(decision.sign_offs.select_related("membership__agency"))
            audited = AuditEntry.objects.filter(
                action="sign_off", object_id=decision.reference
            ).count()
            assert audited == len(sign_offs), decision
            if decision.status != TriageStatus.IN_EFFECT:
                assert len(sign_offs) <= 1, decision
                assert decision.took_effect_at is None
                continue
            assert len(sign_offs) == 2, decision
            assert decision.took_effect_at is not None
            assert len({s.user_id for s in sign_offs}) == 2
            assert len({s.agency_id for s in sign_offs}) == 2
            sides = {s.side: s for s in sign_offs}
            assert set(sides) == {SignOffSide.CUSTODIAL, SignOffSide.COORDINATION}
            custodial, coordination = sides[SignOffSide.CUSTODIAL], sides[SignOffSide.COORDINATION]
            assert custodial.membership.role == Role.BUREAU_ANALYST
            assert custodial.agency_id == decision.investigation.bureau_id
            assert coordination.membership.role == Role.COORDINATOR
            assert coordination.agency.type == AgencyType.COORDINATION_PROGRAMME
            for sign_off in sign_offs:
                assert sign_off.user_id == sign_off.membership.user_id
                assert sign_off.agency_id == sign_off.membership.agency_id
            assert AuditEntry.objects.filter(
                action="change", object_id=decision.reference
            ).exists(), "taking effect is audited"

    @invariant()
    def outcomes_were_carried_out(self) -> None:
        for decision in TriageDecision.objects.filter(status=TriageStatus.IN_EFFECT):
            investigation = decision.investigation
            if decision.outcome == TriageOutcome.REFER:
                assert decision.case is not None
                assert decision.case.person_id == investigation.person_id
                assert TimelineEvent.objects.filter(
                    kind=IntakeKind.REFERRED_TO_MAR,
                    case=decision.case,
                    sensitivity="case",
                ).exists()
            else:
                assert decision.case is None
            if decision.outcome == TriageOutcome.MONITOR:
                assert decision.review.due_on == decision.review_on
                assert decision.review_on is not None and decision.took_effect_at is not None
                # The review date was in the future when the decision took effect.
                assert decision.review_on > timezone.localdate(decision.took_effect_at)
            else:
                assert not MonitoringReview.objects.filter(decision=decision).exists()
            notified = set(decision.stakeholder_notices.values_list("recipient", flat=True))
            if decision.outcome == TriageOutcome.NOTIFY:
                assert notified == set(decision.notify_agencies.values_list("pk", flat=True))
                assert notified
            else:
                assert not notified
            if decision.outcome == TriageOutcome.MONITOR:
                continue
            # Downscale, notify and refer close the investigation, once.
            assert investigation.status == InvestigationStatus.CLOSED
            assert investigation.closed_at is not None
            assert decision.took_effect_at is not None
            assert investigation.closed_at >= decision.took_effect_at
        for decision in TriageDecision.objects.exclude(status=TriageStatus.IN_EFFECT):
            assert decision.case is None
            assert not decision.stakeholder_notices.exists()
            assert not MonitoringReview.objects.filter(decision=decision).exists()

    @invariant()
    def one_open_case_per_person(self) -> None:
        open_cases = Case.objects.exclude(phase=Phase.CLOSED).values("person")
        assert not open_cases.annotate(n=Count("pk")).filter(n__gt=1).exists()
        referrals = Counter(
            TimelineEvent.objects.filter(kind=IntakeKind.REFERRED_TO_MAR).values_list(
                "case", flat=True
            )
        )
        in_effect = Counter(
            TriageDecision.objects.filter(
                status=TriageStatus.IN_EFFECT, outcome=TriageOutcome.REFER
            ).values_list("case", flat=True)
        )
        assert referrals == in_effect

    @invariant()
    def measures_run_only_as_authorised(self) -> None:
        for measure in Measure.objects.select_related("requested_by", "authorised_by"):
            assert measure.ends_on >= measure.starts_on
            if measure.status == MeasureStatus.REQUESTED:
                assert measure.authorised_by is None and measure.authorised_at is None
                continue
            if measure.status == MeasureStatus.ACTIVE:
                assert measure.authorised_by is not None and measure.authorised_at is not None
            if measure.authorised_by is None:
                assert measure.status == MeasureStatus.ENDED  # a request withdrawn or lapsed
                continue
            assert measure.authorised_by.user_id != measure.requested_by.user_id
            assert measure.authorised_by.agency_id == measure.investigation.bureau_id
            if measure.status != MeasureStatus.ACTIVE:
                continue
            assert measure.authorised_at is not None
            authorised_on = timezone.localdate(measure.authorised_at)
            assert authorised_on <= measure.ends_on, "authorised after its end date"
            runs_from = measure.starts_on if measure.renewals == 0 else authorised_on
            assert (measure.ends_on - runs_from).days + 1 <= services.max_days(measure.type)

    @invariant()
    def closed_investigations_hold_nothing_open(self) -> None:
        for investigation in Investigation.objects.filter(status=InvestigationStatus.CLOSED):
            assert not investigation.measures.exclude(status=MeasureStatus.ENDED).exists()
            assert not investigation.decisions.filter(
                status=TriageStatus.AWAITING_SIGN_OFF
            ).exists()
            closing = investigation.decisions.filter(status=TriageStatus.IN_EFFECT).exclude(
                outcome=TriageOutcome.MONITOR
            )
            assert closing.count() == 1
            assert not investigation.signals.filter(
                status__in=[SignalStatus.AWAITING_ASSESSMENT, SignalStatus.UNDER_INVESTIGATION]
            ).exists()
        for investigation in Investigation.objects.filter(status=InvestigationStatus.OPEN):
            assert investigation.closed_at is None
            assert (
                not investigation.decisions.filter(status=TriageStatus.IN_EFFECT)
                .exclude(outcome=TriageOutcome.MONITOR)
                .exists()
            )

    @invariant()
    def signals_belong_to_their_investigation(self) -> None:
        for signal in Signal.objects.select_related("investigation__bureau"):
            investigation = signal.investigation
            if investigation is None:
                assert signal.status == SignalStatus.AWAITING_ASSESSMENT
                continue
            assert signal.person_id == investigation.person_id
            bureau = investigation.bureau
            assert signal.routed_to_id in {bureau.pk, bureau.parent_id}
            assert signal.status != SignalStatus.AWAITING_ASSESSMENT
            if signal.status == SignalStatus.DISMISSED:
                assert investigation.decisions.filter(
                    status=TriageStatus.IN_EFFECT, outcome=TriageOutcome.DOWNSCALE
                ).exists()

    @invariant()
    def one_open_investigation_per_person_and_bureau(self) -> None:
        open_ones = Investigation.objects.filter(status=InvestigationStatus.OPEN)
        counts = open_ones.values("person", "bureau").annotate(n=Count("pk"))
        assert not counts.filter(n__gt=1).exists()

    @invariant()
    def the_audit_chain_verifies(self) -> None:
        report = verify()
        assert report.ok, [str(finding) for finding in report.findings]


@pytest.fixture
def audit_checkpoints_elsewhere(settings, tmp_path) -> None:
    settings.CONTINUUM_AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    settings.CONTINUUM_AUDIT_CHECKPOINT_EVERY = 10**9


@pytest.mark.usefixtures("criteria", "audit_checkpoints_elsewhere")
def test_the_workflow_never_reaches_an_illegal_state(world) -> None:
    IntakeWorkflow.world = world
    run_state_machine_as_test(
        IntakeWorkflow,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # The run got past the refusals: measures ran and decisions took effect.
    assert any(k.endswith(" in effect") for k in REACHED), REACHED
    assert REACHED["measure_authorise"] >= 1, REACHED


def test_the_clock_of_the_machine_is_the_services_clock() -> None:
    """The machine moves time by patching ``django.utils.timezone.now``; ``localdate`` and the
    services read the patched clock."""
    with mock.patch("django.utils.timezone.now", lambda: REAL_NOW() + timedelta(days=3)):
        assert (
            timezone.localdate()
            == (REAL_NOW() + timedelta(days=3)).astimezone(timezone.get_current_timezone()).date()
        )
    assert isinstance(timezone.now(), datetime)
