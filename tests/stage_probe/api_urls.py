from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class ProbeView(APIView):
    @extend_schema(
        responses=inline_serializer("Probe", {"probe": serializers.CharField()}),
    )
    def get(self, request: Request) -> Response:
        return Response({"probe": "ok"})


urlpatterns = [path("probe", ProbeView.as_view(), name="probe")]
