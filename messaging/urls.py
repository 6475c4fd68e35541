from __future__ import annotations

from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("clients/<int:pk>/messages/", views.message_post, name="message_post"),
    path("clients/<int:pk>/requests/new/", views.request_new, name="request_new"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/answer/", views.request_answer, name="request_answer"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("announcements/", views.announcement_list, name="announcements"),
    path("announcements/home/", views.home_announcements, name="home_announcements"),
    path("announcements/new/", views.announcement_new, name="announcement_new"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement"),
    path("announcements/<int:pk>/file/", views.announcement_file, name="announcement_file"),
    path("announcements/<int:pk>/notice.pdf", views.announcement_pdf, name="announcement_pdf"),
]
