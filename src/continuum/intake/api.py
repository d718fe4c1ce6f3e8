"""The intake API.

Signals: ``POST /api/v1/signals`` for agency systems (with an ``Idempotency-Key`` header, a
retried request creates nothing twice and gets the first answer), ``GET /api/v1/signals``, the
signals the token's membership may see, one signal, adding attachments to it, taking it into an
investigation, and coordination's dismissal.

Investigation and triage: investigations with their findings, measures and triage decisions;
the measures' authorisation, renewal and end; triage decisions' sign-off and withdrawal; the
stakeholder notices a "notify" decision sends and the monitoring reviews a "monitor" decision
leaves.

The views are thin: a serializer checks types, the access policy (through selectors) finds the
object or answers 404, one service writes. Every read is recorded in the audit log."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar, cast

from django.db.models import Model, QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from continuum.access.policy import intake as intake_policy
from continuum.audit import services as audit
from continuum.core.exceptions import NotFound
from continuum.core.forms import outside_years, within_years
from continuum.core.middleware import acting_membership
from continuum.core.models import Agency, Case, CustodyStatus, Membership, Person
from continuum.intake import selectors, services
from continuum.intake.models import (
    Category,
    Context,
    Credibility,
    Finding,
    InclusionCriterion,
    Investigation,
    Measure,
    MonitoringReview,
    Reliability,
    Signal,
    SignalAttachment,
    SignalStatus,
    StakeholderNotice,
    TriageDecision,
    TriageOutcome,
    TriageSignOff,
)
from continuum.intake.services.attachments import signal_attach

_M = TypeVar("_M", bound=Model)


class NewPersonSerializer(serializers.Serializer[Any]):
    """A person registered in the same step. The rules are the service's, with its messages."""

    given_names = serializers.CharField(required=False, allow_blank=True, max_length=200)
    family_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    date_of_birth = serializers.DateField(
        required=False, allow_null=True, validators=[within_years]
    )
    custody_status = serializers.ChoiceField(
        choices=CustodyStatus.choices, required=False, allow_blank=True
    )
    national_identifier = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=32
    )


class DateTimeWithinYears(serializers.DateTimeField):
    """A date and time within the years the forms accept. DRF's own time-zone check overflows
    on the first and last moments of the calendar (a 500); those are refused like any other
    date outside the years."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validators=[within_years], **kwargs)

    def to_internal_value(self, value: Any) -> Any:
        try:
            return super().to_internal_value(value)
        except OverflowError as error:
            raise serializers.ValidationError(outside_years().messages) from error


class SignalInputSerializer(serializers.Serializer[Any]):
    """Types only: what is required, and why, is decided by the service (the same messages as
    the web form)."""

    person = serializers.CharField(
        required=False, allow_blank=True, help_text="The reference of a registered person."
    )
    new_person = NewPersonSerializer(required=False, allow_null=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)
    observed_behaviour = serializers.CharField(required=False, allow_blank=True)
    # DRF lifts declared fields off the class, so "context" does not shadow Field.context.
    context = serializers.ChoiceField(  # type: ignore[assignment]
        choices=Context.choices, required=False, allow_blank=True
    )
    observed_at = DateTimeWithinYears(required=False, allow_null=True)
    source_reliability = serializers.ChoiceField(
        choices=Reliability.choices, required=False, allow_blank=True
    )
    information_credibility = serializers.ChoiceField(
        choices=Credibility.choices, required=False, allow_blank=True
    )
    rests_on_behaviour = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The reporter confirms that the signal rests on observed behaviour: religious "
        "practice or identity alone is not a sign. Required to be true.",
    )


class AttachmentSerializer(serializers.ModelSerializer[SignalAttachment]):
    class Meta:
        model = SignalAttachment
        fields = ["original_name", "content_type", "size", "sha256"]


class SignalSerializer(serializers.ModelSerializer[Signal]):
    person: serializers.SlugRelatedField[Person] = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    reporting_agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    routed_to: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    attachments = AttachmentSerializer(many=True, read_only=True)
    status = serializers.SerializerMethodField(
        help_text="Where the signal's assessment stands (awaiting assessment, under "
        "investigation, assessed, dismissed), shown only to those who receive it (the agency it "
        "was routed to, its bureau, coordination). Null for the reporter: a recorded signal was "
        "received, and how it was assessed is not theirs to know."
    )
    investigation = serializers.SerializerMethodField(
        help_text="The investigation the signal is part of, shown only to those who may read "
        "it (the bureau holding it and coordination)."
    )

    class Meta:
        model = Signal
        fields = [
            "reference",
            "person",
            "origin",
            "reporting_agency",
            "category",
            "observed_behaviour",
            "context",
            "observed_at",
            "source_reliability",
            "information_credibility",
            "rests_on_behaviour",
            "routed_to",
            "routing",
            "status",
            "attachments",
            "investigation",
            "created_at",
        ]

    def _actor(self) -> Membership | None:
        """Whom the signal is shown to: ``actor`` in the context, else the request's."""
        actor: Membership | None = self.context.get("actor")
        if actor is None and "request" in self.context:
            actor = acting_membership(self.context["request"])
        return actor

    @extend_schema_field(serializers.ChoiceField(choices=SignalStatus.choices, allow_null=True))
    def get_status(self, signal: Signal) -> str | None:
        if hasattr(signal, "assessment_visible"):  # annotated by selectors.signal_list
            return str(signal.status) if signal.assessment_visible else None
        actor = self._actor()
        if actor is None or not intake_policy.may_see_assessment(actor, signal):
            return None
        return str(signal.status)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_investigation(self, signal: Signal) -> str | None:
        if signal.investigation_id is None:
            return None
        if hasattr(signal, "visible_investigation"):  # annotated by selectors.signal_list
            return cast(str | None, signal.visible_investigation)
        actor = self._actor()
        if actor is None:
            return None
        visible = intake_policy.scope_investigations(actor).filter(pk=signal.investigation_id)
        return visible.values_list("reference", flat=True).first()


class SignalListCreate(generics.ListAPIView[Signal]):
    serializer_class = SignalSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn without a request
            return Signal.objects.none()
        return selectors.signal_list(actor=acting_membership(self.request)).prefetch_related(
            "attachments"
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        audit.record_list(
            actor=acting_membership(request),
            object_type="intake.signal",
            shown=[row["reference"] for row in response.data["results"]],
            query=request.query_params.dict(),
        )
        return response

    @extend_schema(
        request=SignalInputSerializer,
        responses={201: SignalSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                location=OpenApiParameter.HEADER,
                required=False,
                description="A retried request with the same key creates nothing twice and "
                "gets the first answer; the same key with a different body is refused (409).",
            )
        ],
    )
    def post(self, request: Request) -> Response:
        actor = acting_membership(request)
        if not intake_policy.can_record_signal(actor):
            raise NotFound
        serializer = SignalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        new_person = data.pop("new_person", None)

        def record() -> Signal:
            return services.signal_record(
                actor=actor, data=data, new_person=dict(new_person) if new_person else None
            )

        def respond(signal: Signal) -> dict[str, Any]:
            # Shown as to the reporter; a replay answers the same actor (keys are per
            # membership), so it shows what the first answer showed.
            return dict(SignalSerializer(signal, context={"actor": actor}).data)

        key = request.headers.get("Idempotency-Key")
        if key is None:
            return Response(respond(record()), status=status.HTTP_201_CREATED)
        intake = services.signal_record_once(
            actor=actor,
            key=key,
            request_fingerprint=services.fingerprint(request.data),
            record=record,
            respond=respond,
        )
        response = Response(intake.response, status=intake.status_code)
        if intake.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


# --- one signal ------------------------------------------------------------------------------


def _signal_answer(actor: Membership, signal: Signal, code: int = status.HTTP_200_OK) -> Response:
    signal = Signal.objects.select_related("person", "reporting_agency", "routed_to").get(
        pk=signal.pk
    )
    return Response(SignalSerializer(signal, context={"actor": actor}).data, status=code)


class SignalDetail(APIView):
    @extend_schema(responses=SignalSerializer)
    def get(self, request: Request, reference: str) -> Response:
        actor = acting_membership(request)
        signal = selectors.signal_get(actor=actor, reference=reference)
        audit.record_read(actor=actor, obj=signal, person=signal.person)
        return _signal_answer(actor, signal)


class AttachmentUploadSerializer(serializers.Serializer[Any]):
    file = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        required=False,
        help_text="One or more files (repeat the field): pdf, jpg, jpeg, png or txt by default.",
    )


class SignalAttachments(APIView):
    """Add attachments to a signal the caller's agency reported, while it awaits assessment."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: SignalSerializer},
    )
    def post(self, request: Request, reference: str) -> Response:
        actor = acting_membership(request)
        signal = selectors.signal_get(actor=actor, reference=reference)
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        signal = signal_attach(
            actor=actor, signal=signal, uploads=serializer.validated_data.get("file", [])
        )
        return _signal_answer(actor, signal, status.HTTP_201_CREATED)


class DismissSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SignalDismiss(APIView):
    @extend_schema(request=DismissSerializer, responses=SignalSerializer)
    def post(self, request: Request, reference: str) -> Response:
        actor = acting_membership(request)
        signal = selectors.signal_get(actor=actor, reference=reference)
        serializer = DismissSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        signal = services.signal_dismiss(
            actor=actor, signal=signal, reason=serializer.validated_data["reason"]
        )
        return _signal_answer(actor, signal)


# --- investigation ---------------------------------------------------------------------------


class FindingSerializer(serializers.ModelSerializer[Finding]):
    recorded_by = serializers.CharField(
        source="recorded_by.agency.code", read_only=True, help_text="The recording agency."
    )

    class Meta:
        model = Finding
        fields = ["id", "text", "recorded_by", "recorded_at"]


class MeasureSerializer(serializers.ModelSerializer[Measure]):
    """A measure; as input, its ``type``, ``legal_basis``, ``starts_on`` and ``ends_on``."""

    investigation: serializers.SlugRelatedField[Investigation] = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Running past its end date: to be renewed or ended."
    )

    class Meta:
        model = Measure
        fields = [
            "reference",
            "investigation",
            "type",
            "legal_basis",
            "starts_on",
            "ends_on",
            "status",
            "requested_at",
            "authorised_at",
            "renewals",
            "ended_at",
            "is_overdue",
        ]
        read_only_fields = [
            "reference",
            "status",
            "requested_at",
            "authorised_at",
            "renewals",
            "ended_at",
        ]
        # Types only: what is required, and the longest duration per type, is the service's,
        # with the same messages as the pages.
        extra_kwargs: ClassVar[dict[str, dict[str, Any]]] = {
            "type": {"required": False, "allow_blank": True},
            "legal_basis": {"required": False, "allow_blank": True},
            "starts_on": {"required": False, "allow_null": True, "validators": [within_years]},
            "ends_on": {"required": False, "allow_null": True, "validators": [within_years]},
        }


class SignOffSerializer(serializers.ModelSerializer[TriageSignOff]):
    agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = TriageSignOff
        fields = ["side", "agency", "signed_at"]


class TriageDecisionSerializer(serializers.ModelSerializer[TriageDecision]):
    investigation: serializers.SlugRelatedField[Investigation] = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    criteria: serializers.SlugRelatedField[InclusionCriterion] = serializers.SlugRelatedField(
        source="criteria_met", slug_field="code", many=True, read_only=True
    )
    notify: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        source="notify_agencies", slug_field="code", many=True, read_only=True
    )
    case: serializers.SlugRelatedField[Case] = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    sign_offs = SignOffSerializer(many=True, read_only=True)

    class Meta:
        model = TriageDecision
        fields = [
            "reference",
            "investigation",
            "outcome",
            "rationale",
            "criteria",
            "review_on",
            "notify",
            "notice_text",
            "status",
            "proposed_at",
            "took_effect_at",
            "case",
            "sign_offs",
        ]


def _triage_decisions(decisions: QuerySet[TriageDecision]) -> QuerySet[TriageDecision]:
    return decisions.select_related("investigation", "case").prefetch_related(
        "criteria_met", "notify_agencies", "sign_offs__agency"
    )


class InvestigationSerializer(serializers.ModelSerializer[Investigation]):
    person: serializers.SlugRelatedField[Person] = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    bureau: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Investigation
        fields = ["reference", "person", "bureau", "status", "opened_at", "closed_at"]


class InvestigationDetailSerializer(serializers.Serializer[Any]):
    """An investigation and what the caller may read of it."""

    investigation = InvestigationSerializer(read_only=True)
    signals = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The signals' references."
    )
    findings = FindingSerializer(many=True, read_only=True)
    measures = MeasureSerializer(many=True, read_only=True)
    triage_decisions = TriageDecisionSerializer(many=True, read_only=True)


class _AuditedList(generics.ListAPIView[_M]):
    """A list whose shown rows (by ``shown_key``) and query land in the audit log."""

    object_type = ""
    shown_key = "reference"

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        audit.record_list(
            actor=acting_membership(request),
            object_type=self.object_type,
            shown=[str(row[self.shown_key]) for row in response.data["results"]],
            query=request.query_params.dict(),
        )
        return response


class InvestigationList(_AuditedList[Investigation]):
    """The investigations of the caller's bureau, or every one for coordination."""

    serializer_class = InvestigationSerializer
    object_type = "intake.investigation"

    def get_queryset(self) -> QuerySet[Investigation]:
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn without a request
            return Investigation.objects.none()
        return selectors.investigation_list(actor=acting_membership(self.request))


class InvestigationDetail(APIView):
    @extend_schema(responses=InvestigationDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        actor = acting_membership(request)
        investigation = selectors.investigation_get(actor=actor, reference=reference)
        audit.record_read(actor=actor, obj=investigation, person=investigation.person)
        signals = selectors.investigation_signals(actor=actor, investigation=investigation)
        contents = {
            "investigation": investigation,
            "signals": [signal.reference for signal in signals],
            "findings": selectors.investigation_findings(actor=actor, investigation=investigation),
            "measures": selectors.investigation_measures(
                actor=actor, investigation=investigation
            ).select_related("investigation"),
            "triage_decisions": _triage_decisions(
                selectors.investigation_triage_decisions(actor=actor, investigation=investigation)
            ),
        }
        return Response(InvestigationDetailSerializer(contents).data)


class SignalInvestigate(APIView):
    """Take a signal into the bureau's open investigation of its person (opened when there is
    none); the answer is that investigation."""

    @extend_schema(request=None, responses=InvestigationSerializer)
    def post(self, request: Request, reference: str) -> Response:
        actor = acting_membership(request)
        signal = selectors.signal_get(actor=actor, reference=reference)
        investigation = services.signal_investigate(actor=actor, signal=signal)
        return Response(InvestigationSerializer(investigation).data)


class FindingInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(required=False, allow_blank=True, default="")


class FindingCreate(APIView):
    @extend_schema(request=FindingInputSerializer, responses={201: FindingSerializer})
    def post(self, request: Request, reference: str) -> Response:
        actor = acting_membership(request)
        investigation = selectors.investigation_get(actor=actor, reference=reference)
        serializer = FindingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        finding = services.finding_add(
            actor=actor, investigation=investigation, text=serializer.validated_data["text"]
        )
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)


class MeasureCreate(APIView):
    @extend_schema(request=MeasureSerializer, responses={201: MeasureSerializer})
    def post(self, request: Request, reference: str) -> Response:
        actor = acting_membership(request)
        investigation = selectors.investigation_get(actor=actor, reference=reference)
        serializer = MeasureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        measure = services.measure_request(
            actor=actor, investigation=investigation, data=dict(serializer.validated_data)
        )
        return Response(MeasureSerializer(measure).data, status=status.HTTP_201_CREATED)


class MeasureQuerySerializer(serializers.Serializer[Any]):
    overdue = serializers.BooleanField(required=False, default=False)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter(
                "overdue",
                bool,
                description="Only running measures past their end date (to renew or end). "
                "Without it: the measures awaiting authorisation or running.",
            )
        ]
    )
)
class MeasureList(_AuditedList[Measure]):
    serializer_class = MeasureSerializer
    object_type = "intake.measure"

    def get_queryset(self) -> QuerySet[Measure]:
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn without a request
            return Measure.objects.none()
        query = MeasureQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        actor = acting_membership(self.request)
        if query.validated_data["overdue"]:
            measures = selectors.measures_overdue(actor=actor)
        else:
            measures = selectors.measures_running(actor=actor)
        return measures.select_related("investigation")


class MeasureAuthorise(APIView):
    @extend_schema(request=None, responses=MeasureSerializer)
    def post(self, request: Request, reference: str) -> Response:
        actor = acting_membership(request)
        measure = selectors.measure_get(actor=actor, reference=reference)
        measure = services.measure_authorise(actor=actor, measure=measure)
        return Response(MeasureSerializer(measure).data)


class RenewSerializer(serializers.Serializer[Any]):
    ends_on = serializers.DateField(required=False, allow_null=True, validators=[within_years])


class MeasureRenew(APIView):
    @extend_schema(request=RenewSerializer, responses=MeasureSerializer)
    def post(self, request: Request, reference: str) -> Response:
        actor = acting_membership(request)
        measure = selectors.measure_get(actor=actor, reference=reference)
        serializer = RenewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        measure = services.measure_renew(
            actor=actor, measure=measure, ends_on=serializer.validated_data.get("ends_on")
        )
        return Response(MeasureSerializer(measure).data)


class MeasureEnd(APIView):
    @extend_schema(request=None, responses=MeasureSerializer)
    def post(self, request: Request, reference: str) -> Response:
        actor = acting_membership(request)
        measure = selectors.measure_get(actor=actor, reference=reference)
        measure = services.measure_end(actor=actor, measure=measure)
        return Response(MeasureSerializer(measure).data)


# --- triage ----------------------------------------------------------------------------------


class CodeListField(serializers.ListField):
    """A bounded list of codes. Too many is refused before any item is read, and a bad item's
    message is given once, flat (not keyed by the item's position)."""

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, list) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)

    def run_child_validation(self, data: list[Any]) -> list[Any]:
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError as error:
            detail = error.detail.values() if isinstance(error.detail, dict) else [error.detail]
            messages = [
                str(m) for item in detail for m in (item if isinstance(item, list) else [item])
            ]
            raise serializers.ValidationError(list(dict.fromkeys(messages))) from error


# The most criteria, and agencies to notify, one decision names. Each code is at most as long
# as the model's field allows.
MAX_CODES = 50


class TriageDecisionInputSerializer(serializers.Serializer[Any]):
    """Types only: what each outcome requires is the service's (the same messages as the
    pages)."""

    outcome = serializers.ChoiceField(
        choices=TriageOutcome.choices, required=False, allow_blank=True
    )
    rationale = serializers.CharField(required=False, allow_blank=True)
    criteria = CodeListField(
        child=serializers.CharField(
            max_length=InclusionCriterion._meta.get_field("code").max_length
        ),
        required=False,
        max_length=MAX_CODES,
        help_text="Codes of the jurisdiction's inclusion criteria that are met "
        f"(at most {MAX_CODES}).",
    )
    review_on = serializers.DateField(
        required=False,
        allow_null=True,
        validators=[within_years],
        help_text="Required to monitor.",
    )
    notify = CodeListField(
        child=serializers.CharField(max_length=Agency._meta.get_field("code").max_length),
        required=False,
        max_length=MAX_CODES,
        help_text=f"Codes of the agencies to notify (to notify; at most {MAX_CODES}).",
    )
    notice_text = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="What the notified agencies are told; they never see the rationale.",
    )


class TriageDecisionCreate(APIView):
    @extend_schema(request=TriageDecisionInputSerializer, responses={201: TriageDecisionSerializer})
    def post(self, request: Request, reference: str) -> Response:
        actor = acting_membership(request)
        investigation = selectors.investigation_get(actor=actor, reference=reference)
        serializer = TriageDecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = services.triage_propose(
            actor=actor, investigation=investigation, data=dict(serializer.validated_data)
        )
        return _triage_decision_answer(decision, status.HTTP_201_CREATED)


def _triage_decision_answer(decision: TriageDecision, code: int = status.HTTP_200_OK) -> Response:
    decision = _triage_decisions(TriageDecision.objects.filter(pk=decision.pk)).get()
    return Response(TriageDecisionSerializer(decision).data, status=code)


class TriageDecisionSignOff(APIView):
    @extend_schema(request=None, responses=TriageDecisionSerializer)
    def post(self, request: Request, reference: str) -> Response:
        actor = acting_membership(request)
        decision = selectors.triage_decision_get(actor=actor, reference=reference)
        decision = services.triage_sign_off(actor=actor, decision=decision)
        return _triage_decision_answer(decision)


class TriageDecisionWithdraw(APIView):
    @extend_schema(request=None, responses=TriageDecisionSerializer)
    def post(self, request: Request, reference: str) -> Response:
        actor = acting_membership(request)
        decision = selectors.triage_decision_get(actor=actor, reference=reference)
        decision = services.triage_withdraw(actor=actor, decision=decision)
        return _triage_decision_answer(decision)


class TriageDecisionQuerySerializer(serializers.Serializer[Any]):
    awaiting = serializers.BooleanField(required=False, default=False)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter(
                "awaiting",
                bool,
                description="Only the triage decisions awaiting the sign-off of the caller's side.",
            )
        ]
    )
)
class TriageDecisionList(_AuditedList[TriageDecision]):
    """The triage decisions on the investigations the caller may read, newest first."""

    serializer_class = TriageDecisionSerializer
    object_type = "intake.triagedecision"

    def get_queryset(self) -> QuerySet[TriageDecision]:
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn without a request
            return TriageDecision.objects.none()
        query = TriageDecisionQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        actor = acting_membership(self.request)
        if query.validated_data["awaiting"]:
            decisions = selectors.triage_decisions_awaiting_sign_off(actor=actor)
        else:
            decisions = selectors.triage_decision_list(actor=actor)
        return _triage_decisions(decisions)


# --- what triage decisions leave: stakeholder notices and monitoring reviews ------------------


class NotifiedPersonSerializer(serializers.ModelSerializer[Person]):
    class Meta:
        model = Person
        fields = ["reference", "given_names", "family_name"]


class StakeholderNoticeSerializer(serializers.ModelSerializer[StakeholderNotice]):
    """What a stakeholder agency is told: the person and the agreed text, nothing more."""

    person = NotifiedPersonSerializer(read_only=True)

    class Meta:
        model = StakeholderNotice
        fields = ["reference", "person", "text", "created_at", "acknowledged_at"]


class StakeholderNoticeList(_AuditedList[StakeholderNotice]):
    """The stakeholder notices sent to the caller's agency, unacknowledged first."""

    serializer_class = StakeholderNoticeSerializer
    object_type = "intake.stakeholdernotice"

    def get_queryset(self) -> QuerySet[StakeholderNotice]:
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn without a request
            return StakeholderNotice.objects.none()
        return selectors.stakeholder_notice_list(actor=acting_membership(self.request))


class StakeholderNoticeAcknowledge(APIView):
    @extend_schema(request=None, responses=StakeholderNoticeSerializer)
    def post(self, request: Request, reference: str) -> Response:
        actor = acting_membership(request)
        notice = selectors.stakeholder_notice_get(actor=actor, reference=reference)
        notice = services.stakeholder_notice_acknowledge(actor=actor, notice=notice)
        notice = selectors.stakeholder_notice_get(actor=actor, reference=notice.reference)
        return Response(StakeholderNoticeSerializer(notice).data)


class MonitoringReviewSerializer(serializers.ModelSerializer[MonitoringReview]):
    triage_decision = serializers.CharField(source="decision.reference", read_only=True)
    investigation = serializers.CharField(source="decision.investigation.reference", read_only=True)
    person = serializers.CharField(source="decision.investigation.person.reference", read_only=True)
    agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = MonitoringReview
        fields = [
            "reference",
            "triage_decision",
            "investigation",
            "person",
            "agency",
            "due_on",
            "status",
            "completed_at",
            "note",
        ]


class MonitoringReviewList(_AuditedList[MonitoringReview]):
    """The monitoring reviews still to do, soonest first."""

    serializer_class = MonitoringReviewSerializer
    object_type = "intake.monitoringreview"

    def get_queryset(self) -> QuerySet[MonitoringReview]:
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn without a request
            return MonitoringReview.objects.none()
        return selectors.monitoring_reviews_open(actor=acting_membership(self.request))


class NoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MonitoringReviewComplete(APIView):
    @extend_schema(request=NoteSerializer, responses=MonitoringReviewSerializer)
    def post(self, request: Request, reference: str) -> Response:
        actor = acting_membership(request)
        review = selectors.monitoring_review_get(actor=actor, reference=reference)
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.monitoring_review_complete(
            actor=actor, review=review, note=serializer.validated_data["note"]
        )
        return Response(MonitoringReviewSerializer(review).data)
