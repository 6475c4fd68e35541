"""The plan as a PDF to sign: it renders, in Polish, with the plan's content."""

from __future__ import annotations

from django.urls import reverse

from reintegration import services
from reintegration.models import Area, NeedLevel, StepStatus

from ..pdfs import pdf_pages, pdf_text, pdf_to_png
from .helpers import TODAY, add_step, assess, soon


def test_the_plan_pdf_renders_with_polish_text_and_signature_lines(
    client, plan, goal, owner, partner, partner_user
) -> None:
    assess(plan, owner, housing=NeedLevel.CRITICAL, debt=NeedLevel.MODERATE)
    add_step(plan, owner, goal, area=Area.HOUSING, title="Złożyć wniosek o lokal socjalny")
    add_step(
        plan,
        owner,
        goal,
        area=Area.DEBT,
        title="Ugoda z wierzycielem",
        status=StepStatus.IN_PROGRESS,
    )
    add_step(
        plan,
        partner_user,
        goal,
        area=Area.QUALIFICATIONS,
        institution=partner,
        title="Szkolenie – magazynier z obsługą wózka",
        justification="Nabór zamyka się w tym tygodniu; kolejny dopiero jesienią.",
    )
    services.review_record(
        plan=plan,
        acting_user=owner,
        held_on=TODAY,
        progress="Klientka zgłosiła się do ośrodka; rozpoczęła spłatę zadłużenia.",
        next_review_date=soon(30),
    )
    client.force_login(owner)
    response = client.get(reverse("reintegration:pdf", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    for expected in (
        "WSPÓLNY PLAN REINTEGRACJI",
        "Józefa Żółkiewska-Gęślą",  # the client, with Polish letters intact
        plan.client.pesel,
        "Złożyć wniosek o lokal socjalny",
        "Szkolenie – magazynier z obsługą wózka",
        "Nabór zamyka się w tym tygodniu",
        "rozpoczęła spłatę zadłużenia",
        "podpis osoby, której dotyczy plan",
        partner.name,
        plan.client.owner.name,
    ):
        assert expected in " ".join(text.split()), expected
    assert pdf_pages(response.content) >= 1
    png = pdf_to_png(response.content, "reintegration-plan-pdf")
    assert png is None or png.stat().st_size > 10_000


def test_an_empty_plan_prints_too(client, plan, owner) -> None:
    client.force_login(owner)
    response = client.get(reverse("reintegration:pdf", args=[plan.pk]))
    assert "Nie określono jeszcze celów" in " ".join(pdf_text(response.content).split())


def test_a_closed_plans_pdf_says_how_it_ended(client, plan, owner) -> None:
    services.plan_close(plan=plan, acting_user=owner, outcome="withdrew", note="Rezygnacja")
    client.force_login(owner)
    response = client.get(reverse("reintegration:pdf", args=[plan.pk]))
    assert response.status_code == 200
    text = " ".join(pdf_text(response.content).split())
    assert "wynik: klient zrezygnował lub przestał współpracować" in text
