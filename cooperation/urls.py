"""The project URLconf: each app mounts under its own prefix with a namespace."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from . import views
from .health import HealthView
from .metrics import metrics

cooperation_patterns = (
    [
        path("people/", views.people, name="people"),
        path("people/invite/", views.person_invite, name="person_invite"),
        path("people/<int:pk>/", views.person_edit, name="person_edit"),
        path("people/<int:pk>/resend/", views.person_resend_invitation, name="person_resend"),
        path("institution/", views.institution, name="institution"),
        path(
            "institution/record-of-processing.pdf",
            views.processing_record_pdf,
            name="processing_record_pdf",
        ),
        path(
            "institution/record-of-processing.csv",
            views.processing_record_csv,
            name="processing_record_csv",
        ),
        path(
            "institution/record-of-processing.ods",
            views.processing_record_ods,
            name="processing_record_ods",
        ),
        path("audit/", views.audit_log, name="audit"),
        path("audit/export.csv", views.audit_export, name="audit_export"),
    ],
    "cooperation",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("home/section/<slug:key>/", views.home_section, name="home_section"),
    path("healthz/", views.healthz, name="healthz"),
    path("health/", HealthView.as_view(), name="health"),
    path("metrics", metrics, name="metrics"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("session/keepalive/", views.session_keepalive, name="session_keepalive"),
    path(
        "dostepnosc/",
        TemplateView.as_view(template_name="accessibility.html"),
        name="accessibility",
    ),
    path("", include(cooperation_patterns)),
    path("clients/", include("clients.urls")),
    path("agreements/", include("agreements.urls")),
    path("meetings/", include("meetings.urls")),
    path("joboffers/", include("joboffers.urls")),
    path("promotion/", include("promotion.urls")),
    path("plans/", include("reintegration.urls")),
    path("partners/", include("partners.urls")),
    path("sepi/", include("sepi.urls")),
    path("indicators/", include("indicators.urls")),
    path("notifications/", include("notifications.urls")),
    path("messages/", include("messaging.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# allauth's rate limits answer through this (ROOT_URLCONF.handler429).
handler429 = "cooperation.views.too_many_requests"
