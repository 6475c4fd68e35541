from __future__ import annotations

from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("new/", views.agreement_create, name="create"),
    path("export/<str:fmt>/", views.agreements_export, name="export"),
    path("network/", views.network, name="network"),
    path("coordinators/", views.coordinator_card, name="coordinators"),
    path("coordinators/<int:pk>/remove/", views.coordinator_card_remove, name="coordinator_remove"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("<int:pk>/send/", views.agreement_send, name="send"),
    path("<int:pk>/accept/", views.agreement_accept, name="accept"),
    path("<int:pk>/return/", views.agreement_return, name="return"),
    path("<int:pk>/terminate/", views.agreement_terminate, name="terminate"),
    path("<int:pk>/signed-copy/", views.signed_copy, name="signed_copy"),
    path("<int:pk>/annex/", views.annex_create, name="annex_create"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/pdf/", views.agreement_pdf, name="pdf"),
    path("annexes/<int:pk>/approve/", views.annex_approve, name="annex_approve"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
