from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

app_name = "stage_probe"


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("The probe stage's page.", content_type="text/plain")


urlpatterns = [path("", page, name="page")]
