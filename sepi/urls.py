from __future__ import annotations

from django.urls import path

from . import views

app_name = "sepi"

urlpatterns = [
    path("", views.lookup_list, name="list"),
    path("export.csv", views.lookup_export, name="export"),
    path("batch/", views.batch_start, name="batch_start"),
    path("batch/<int:pk>/", views.batch_progress_view, name="batch_progress"),
    path("clients/<int:pk>/lookup/", views.lookup_start, name="lookup_start"),
    path("lookups/<int:pk>/", views.lookup_state, name="lookup_state"),
]
