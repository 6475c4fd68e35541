"""The project's URLs plus one view that fails, to see the 500 page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from cooperation.urls import urlpatterns as project_patterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("kaboom: a bug in a view")


urlpatterns = [path("boom/", boom), *project_patterns]
