from __future__ import annotations

from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.calendar_month, name="calendar"),
    path("agenda/", views.agenda, name="agenda"),
    path("new/", views.event_create, name="create"),
    path("actions/", views.action_items, name="action_items"),
    path("actions/<int:pk>/status/", views.action_item_status, name="action_status"),
    path("feed/", views.feed_settings, name="feed_settings"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("<int:pk>/", views.event_detail, name="event"),
    path("<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("<int:pk>/respond/", views.event_respond, name="event_respond"),
    path("<int:pk>/calendar.ics", views.event_ics, name="event_ics"),
    path("<int:pk>/materials/", views.material_add, name="material_add"),
    path("materials/<int:pk>/", views.material_download, name="material"),
    path("materials/<int:pk>/remove/", views.material_remove, name="material_remove"),
    path("dates/<int:pk>/", views.occurrence_detail, name="occurrence"),
    path("dates/<int:pk>/move/", views.occurrence_move, name="occurrence_move"),
    path("dates/<int:pk>/cancel/", views.occurrence_cancel, name="occurrence_cancel"),
    path("dates/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("dates/<int:pk>/minutes/", views.minutes_edit, name="minutes"),
    path("dates/<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path(
        "dates/<int:pk>/attendance-list.pdf",
        views.attendance_list_pdf,
        name="attendance_list_pdf",
    ),
    path("dates/<int:pk>/certificates.pdf", views.certificates_pdf, name="certificates_pdf"),
]
