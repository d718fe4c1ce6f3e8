"""The REST API, version 1. One small view per resource and operation; each parses input with
a serializer, asks the access policy through selectors, calls one service and answers."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from continuum.access import policy
from continuum.audit import services as audit
from continuum.core import selectors, services
from continuum.core.exceptions import NotFound
from continuum.core.forms import CaseFilter
from continuum.core.middleware import acting_membership
from continuum.core.models import (
    Agency,
    Case,
    Membership,
    Person,
    Phase,
    Placement,
    TimelineEvent,
)
from continuum.core.timeline import describe


class AgencySerializer(serializers.ModelSerializer[Agency]):
    # DRF lifts declared fields off the class, so "parent" does not shadow Field.parent.
    parent: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True
    )

    class Meta:
        model = Agency
        fields = ["code", "name", "type", "jurisdiction", "parent", "safety_house"]


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    agency = AgencySerializer(read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "agency", "role", "current"]

    def get_current(self, membership: Membership) -> bool:
        return bool(membership.pk == self.context["actor"].pk)


class PlacementSerializer(serializers.ModelSerializer[Placement]):
    institution = serializers.SlugRelatedField(
        slug_field="code", queryset=selectors.custodial_institutions()
    )

    class Meta:
        model = Placement
        fields = ["institution", "unit_type", "started_on", "ended_on"]


class PersonSerializer(serializers.ModelSerializer[Person]):
    placements = PlacementSerializer(many=True, read_only=True)
    registered_by: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Person
        fields = [
            "reference",
            *services.PERSON_FIELDS,
            "registered_by",
            "placements",
            "created_at",
        ]
        read_only_fields = ["reference", "registered_by", "created_at"]
        # Uniqueness is checked by the service, with the same message as in the web form.
        extra_kwargs: ClassVar[dict[str, dict[str, Any]]] = {
            "national_identifier": {"validators": []}
        }


class PersonSummarySerializer(serializers.ModelSerializer[Person]):
    class Meta:
        model = Person
        fields = ["reference", "given_names", "family_name", "custody_status", "is_veto"]


class PersonMinimumSerializer(serializers.ModelSerializer[Person]):
    """What a mentor may read of a person: the reference and the name."""

    class Meta:
        model = Person
        fields = ["reference", "given_names", "family_name"]


def _person_output(
    actor: Membership, *, summary: bool = False
) -> type[serializers.ModelSerializer[Any]]:
    if not policy.may_read_identity(actor):
        return PersonMinimumSerializer
    return PersonSummarySerializer if summary else PersonSerializer


class CaseSerializer(serializers.ModelSerializer[Case]):
    person: serializers.SlugRelatedField[Person] = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    lead_agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    team_agencies: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Case
        fields = [
            "reference",
            "person",
            "phase",
            "lead_agency",
            "team_agencies",
            "opened_at",
            "closed_at",
        ]


class TimelineEventSerializer(serializers.ModelSerializer[TimelineEvent]):
    case: serializers.SlugRelatedField[Case] = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    text = serializers.SerializerMethodField()

    class Meta:
        model = TimelineEvent
        fields = ["kind", "occurred_at", "case", "text", "details"]

    def get_text(self, event: TimelineEvent) -> str:
        return describe(event)


class PersonListCreate(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, description="reference, name, alias or exact national identifier"
            )
        ],
        responses=PersonSummarySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = request.query_params.get("q", "")
        persons = list(selectors.person_search(actor=acting_membership(request), query=query))
        audit.record_list(
            actor=acting_membership(request),
            object_type="core.person",
            shown=[p.reference for p in persons],
            query=selectors.search_query_for_audit(query),
        )
        output = _person_output(acting_membership(request), summary=True)
        return Response(output(persons, many=True).data)

    @extend_schema(request=PersonSerializer, responses={201: PersonSerializer})
    def post(self, request: Request) -> Response:
        serializer = PersonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = services.person_register(
            actor=acting_membership(request), data=serializer.validated_data
        )
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)


class PersonDetail(APIView):
    @extend_schema(responses=PersonSerializer)
    def get(self, request: Request, reference: str) -> Response:
        person = selectors.person_get(actor=acting_membership(request), reference=reference)
        audit.record_read(actor=acting_membership(request), obj=person, person=person)
        return Response(_person_output(acting_membership(request))(person).data)

    @extend_schema(request=PersonSerializer, responses=PersonSerializer)
    def patch(self, request: Request, reference: str) -> Response:
        person = selectors.person_get(actor=acting_membership(request), reference=reference)
        serializer = PersonSerializer(person, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        person = services.person_update(
            actor=acting_membership(request), person=person, data=serializer.validated_data
        )
        return Response(PersonSerializer(person).data)


class PersonTimeline(APIView):
    @extend_schema(responses=TimelineEventSerializer(many=True))
    def get(self, request: Request, reference: str) -> Response:
        person = selectors.person_get(actor=acting_membership(request), reference=reference)
        events = selectors.person_timeline(actor=acting_membership(request), person=person)
        audit.record_read(actor=acting_membership(request), obj=person, person=person)
        return Response(TimelineEventSerializer(events, many=True).data)


class PlacementCreate(APIView):
    @extend_schema(request=PlacementSerializer, responses={201: PlacementSerializer})
    def post(self, request: Request, reference: str) -> Response:
        person = selectors.person_get(actor=acting_membership(request), reference=reference)
        serializer = PlacementSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        placement = services.placement_add(
            actor=acting_membership(request), person=person, **serializer.validated_data
        )
        return Response(PlacementSerializer(placement).data, status=status.HTTP_201_CREATED)


class CaseOpenSerializer(serializers.Serializer[Any]):
    person = serializers.CharField(help_text="The person's reference.")
    lead_agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    phase = serializers.ChoiceField(
        choices=[c for c in Phase.choices if c[0] != Phase.CLOSED], default=Phase.REFERRED
    )
    team = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), many=True, required=False
    )


class CaseListCreate(generics.ListAPIView[Case]):
    serializer_class = CaseSerializer
    filterset_class = CaseFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn without a request
            return Case.objects.none()
        return selectors.case_list(actor=acting_membership(self.request))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        shown = [row["reference"] for row in response.data["results"]]
        audit.record_list(
            actor=acting_membership(request),
            object_type="core.case",
            shown=shown,
            query=request.query_params.dict(),
        )
        return response

    @extend_schema(request=CaseOpenSerializer, responses={201: CaseSerializer})
    def post(self, request: Request) -> Response:
        serializer = CaseOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            person = selectors.person_get(
                actor=acting_membership(request), reference=data["person"]
            )
        except NotFound as error:
            raise NotFound(fields={"person": [error.message]}) from error
        case = services.case_open(
            actor=acting_membership(request),
            person=person,
            lead_agency=data["lead_agency"],
            phase=data["phase"],
            team=data.get("team", []),
        )
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseDetail(APIView):
    @extend_schema(responses=CaseSerializer)
    def get(self, request: Request, reference: str) -> Response:
        case = selectors.case_get(actor=acting_membership(request), reference=reference)
        audit.record_read(actor=acting_membership(request), obj=case, person=case.person, case=case)
        return Response(CaseSerializer(case).data)


class CasePhaseSerializer(serializers.Serializer[Any]):
    phase = serializers.ChoiceField(choices=Phase.choices)


class CasePhaseChange(APIView):
    @extend_schema(request=CasePhaseSerializer, responses=CaseSerializer)
    def post(self, request: Request, reference: str) -> Response:
        case = selectors.case_get(actor=acting_membership(request), reference=reference)
        serializer = CasePhaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_change_phase(
            actor=acting_membership(request), case=case, phase=serializer.validated_data["phase"]
        )
        return Response(CaseSerializer(case).data)


class AgencyList(generics.ListAPIView[Agency]):
    serializer_class = AgencySerializer
    filterset_fields = ["type", "jurisdiction"]

    def get_queryset(self) -> Any:
        return selectors.agency_list()


class MyMemberships(APIView):
    @extend_schema(responses=MembershipSerializer(many=True))
    def get(self, request: Request) -> Response:
        memberships = selectors.memberships_of(request.user)  # type: ignore[arg-type]
        return Response(
            MembershipSerializer(
                memberships, many=True, context={"actor": acting_membership(request)}
            ).data
        )


class TaskSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(source="source", help_text="The task source that made it.")
    category = serializers.CharField(help_text="The kind of task, in the caller's language.")
    reference = serializers.CharField(help_text="The record the task is about.")
    title = serializers.CharField()
    url = serializers.CharField(help_text="The page where the task is done.")
    due_on = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()


class TaskList(APIView):
    """What waits for the acting membership, from every installed stage: overdue first, then
    by due date. A role that never has tasks is answered "not found", as on the page."""

    @extend_schema(responses=TaskSerializer(many=True))
    def get(self, request: Request) -> Response:
        actor = acting_membership(request)
        tasks = selectors.my_work(actor=actor)
        audit.record_list(
            actor=actor, object_type="core.task", shown=[t.reference for t in tasks], query={}
        )
        return Response(TaskSerializer(tasks, many=True).data)
