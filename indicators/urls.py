from __future__ import annotations

from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", views.dashboard_csv, name="csv"),
    path("county.csv", views.county_csv, name="county_csv"),
    path("agreements/<int:agreement_pk>/reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/assessment/", views.assessment, name="assessment"),
    path("reports/<int:pk>/approve/", views.report_approve, name="approve"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="pdf"),
]
