from __future__ import annotations

from django.urls import path

from . import views

app_name = "promotion"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/take/", views.case_take, name="take"),
    path("<int:pk>/actions/new/", views.case_action, name="action"),
    path("<int:pk>/close/", views.case_close, name="close"),
    path("clients/<int:client_pk>/programmes/new/", views.programme_new, name="programme_new"),
    path("programmes/<int:pk>/finish/", views.programme_finish, name="programme_finish"),
    path("programmes/<int:pk>/propose/", views.propose, name="propose"),
    path("referrals/<int:pk>/propose/", views.propose_from_referral, name="propose_referral"),
]
