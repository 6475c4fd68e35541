from __future__ import annotations

from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/new/", views.service_create, name="service_create"),
    path("services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/new/<int:client_pk>/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral"),
    path("referrals/<int:pk>/pdf/", views.referral_pdf, name="referral_pdf"),
    path("referrals/<int:pk>/accept/", views.referral_accept, name="referral_accept"),
    path("referrals/<int:pk>/decline/", views.referral_decline, name="referral_decline"),
    path("referrals/<int:pk>/start/", views.referral_start, name="referral_start"),
    path("referrals/<int:pk>/services/", views.referral_delivery, name="referral_delivery"),
    path("referrals/<int:pk>/complete/", views.referral_complete, name="referral_complete"),
    path("referrals/<int:pk>/cancel/", views.referral_cancel, name="referral_cancel"),
]
