"""The signals API: ``POST /api/v1/signals`` for agency systems (with an ``Idempotency-Key``
header, a retried request creates nothing twice and gets the first answer) and
``GET /api/v1/signals``, the signals the token's membership may see."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from continuum.access import policy
from continuum.audit import services as audit
from continuum.core.exceptions import NotFound
from continuum.core.middleware import acting_membership
from continuum.core.models import Agency, CustodyStatus, Person
from continuum.intake import selectors, services
from continuum.intake.models import (
    Category,
    Context,
    Credibility,
    Reliability,
    Signal,
    SignalAttachment,
)


class NewPersonSerializer(serializers.Serializer[Any]):
    """A person registered in the same step. The rules are the service's, with its messages."""

    given_names = serializers.CharField(required=False, allow_blank=True, max_length=200)
    family_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    custody_status = serializers.ChoiceField(
        choices=CustodyStatus.choices, required=False, allow_blank=True
    )
    national_identifier = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=32
    )


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
    observed_at = serializers.DateTimeField(required=False, allow_null=True)
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
            "created_at",
        ]


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
        if not policy.can_record_signal(actor):
            raise NotFound
        serializer = SignalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        new_person = data.pop("new_person", None)

        def record() -> Signal:
            return services.signal_record(
                actor=actor, data=data, new_person=dict(new_person) if new_person else None
            )

        key = request.headers.get("Idempotency-Key")
        if key is None:
            return Response(SignalSerializer(record()).data, status=status.HTTP_201_CREATED)
        intake = services.signal_record_once(
            actor=actor,
            key=key,
            request_fingerprint=services.fingerprint(request.data),
            record=record,
            respond=lambda signal: dict(SignalSerializer(signal).data),
        )
        response = Response(intake.response, status=intake.status_code)
        if intake.replayed:
            response["Idempotent-Replayed"] = "true"
        return response
