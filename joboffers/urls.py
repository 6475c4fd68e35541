from __future__ import annotations

from django.urls import path

from . import views

app_name = "joboffers"

urlpatterns = [
    path("", views.home, name="home"),
    path("offers/", views.offer_list, name="offers"),
    path("offers/new/", views.offer_create, name="create"),
    path("offers/<int:pk>/", views.offer_detail, name="detail"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="edit"),
    path("offers/<int:pk>/publish/", views.offer_publish, name="publish"),
    path("offers/<int:pk>/unpublish/", views.offer_unpublish, name="unpublish"),
    path("offers/<int:pk>/fill/", views.offer_fill, name="fill"),
    path("offers/<int:pk>/withdraw/", views.offer_withdraw, name="withdraw"),
    path("offers/<int:pk>/sheet/", views.offer_sheet, name="sheet"),
    path("boards/<int:pk>/", views.board_detail, name="board"),
    path("boards/<int:pk>/sheets/", views.board_sheets, name="board_sheets"),
    path("boards/<int:pk>/digest/", views.board_digest, name="board_digest"),
    path("boards/<int:pk>/prints/", views.board_prints_now, name="board_prints"),
    path("prints/<int:pk>/", views.print_download, name="print"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("clients/", views.client_search, name="client_search"),
    path("clients/<int:client_pk>/offers/", views.client_offers, name="client_offers"),
    path("proposals/<int:pk>/", views.proposal_edit, name="proposal_edit"),
]
