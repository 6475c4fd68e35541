from __future__ import annotations

from django.urls import path

from . import views

app_name = "reintegration"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("my-steps/", views.my_steps, name="my_steps"),
    path("client/<int:client_pk>/", views.client_plan, name="client_plan"),
    path("client/<int:client_pk>/new/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/history/", views.plan_history_page, name="history"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/institutions/", views.participant_add, name="participant_add"),
    path("<int:pk>/needs/", views.needs_edit, name="needs"),
    path("<int:pk>/goals/new/", views.goal_add, name="goal_add"),
    path("<int:pk>/steps/new/", views.step_add, name="step_add"),
    path("<int:pk>/reviews/new/", views.review_add, name="review_add"),
    path("<int:pk>/close/", views.plan_close, name="close"),
    path("<int:pk>/pdf/", views.plan_pdf, name="pdf"),
    path("steps/<int:pk>/", views.step_edit, name="step_edit"),
]
