from __future__ import annotations

from django.urls import path

from . import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_register, name="register"),
    path("request-access/", views.access_request, name="access_request"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/panel/<slug:key>/", views.client_panel, name="panel"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/consents/new/", views.consent_add, name="consent_add"),
    path("<int:pk>/consent-form/", views.consent_print, name="consent_print"),
    path("<int:pk>/consent-form.pdf", views.consent_form_pdf, name="consent_form_pdf"),
    path("<int:pk>/share/", views.client_share, name="share"),
    path("<int:pk>/notes/", views.note_add, name="note_add"),
    path("<int:pk>/documents/", views.document_add, name="document_add"),
    path("<int:pk>/export/<str:fmt>/", views.client_export, name="export"),
    path("<int:pk>/close/", views.client_close, name="close"),
    path("<int:pk>/access-log.csv", views.client_access_log_csv, name="access_log"),
    path("<int:pk>/anonymise/", views.client_anonymise, name="anonymise"),
    path("shares/<int:pk>/end/", views.share_end, name="share_end"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("consents/<int:pk>/scan/", views.consent_scan, name="consent_scan"),
    path(
        "consents/<int:pk>/withdrawal.pdf",
        views.consent_withdrawal_pdf,
        name="consent_withdrawal_pdf",
    ),
    path("requests/<int:pk>/decline/", views.access_request_decline, name="request_decline"),
    path("documents/<int:pk>/", views.document_download, name="document"),
]
