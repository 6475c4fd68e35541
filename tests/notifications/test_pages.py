"""The bell, the list, opening a notice and marking it read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import Notice
from promotion import services

from ..factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_the_bell_counts_the_unread_notices(client, proposed, advisor) -> None:
    client.force_login(advisor)
    page = client.get(reverse("home")).content.decode()
    assert 'id="bell"' in page
    assert "Powiadomienia (1 nieprzeczytane)" in page
    assert 'class="bell__badge" aria-hidden="true">1<' in page


def test_the_bell_has_no_badge_without_unread_notices(client, owner) -> None:
    client.force_login(owner)
    page = client.get(reverse("home")).content.decode()
    assert 'id="bell"' in page and "bell__badge" not in page


def test_the_count_is_cached_and_forgotten_when_read(
    client, proposed, advisor, django_assert_max_num_queries
) -> None:
    from notifications.selectors import unread_count

    assert unread_count(advisor) == 1
    with django_assert_max_num_queries(0):
        assert unread_count(advisor) == 1
    notice = Notice.objects.get(recipient=advisor)
    client.force_login(advisor)
    client.post(reverse("notifications:read", args=[notice.pk]))
    assert unread_count(advisor) == 0


@pytest.mark.parametrize("rows", [2, 30])
def test_home_keeps_its_query_budget_with_the_bell(
    client, owner, proposed, django_assert_max_num_queries, rows
) -> None:
    """The budget of tests/cooperation/test_home.py (16) holds with the bell's one
    COUNT on a cold cache; a warm cache costs nothing."""
    notice = Notice.objects.first()
    Notice.objects.bulk_create(
        [
            Notice(
                recipient=owner,
                kind=notice.kind,
                event_id=f"e{i}",
                target_type=notice.target_type,
                target_id=notice.target_id,
                text="x",
            )
            for i in range(rows)
        ]
    )
    client.force_login(owner)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("home")).content.decode()
    assert f'aria-hidden="true">{rows}<' in page
    with django_assert_max_num_queries(15):
        client.get(reverse("home"))


def test_the_list_shows_newest_first_and_filters_unread(
    client, proposed, advisor, committed
) -> None:
    with committed():
        services.case_take(case=proposed, acting_user=advisor)
    client.force_login(advisor)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Źdźbło" in page and 'id="read-all"' in page
    notice = Notice.objects.get(recipient=advisor)
    client.post(reverse("notifications:read", args=[notice.pk]))
    unread = client.get(reverse("notifications:list") + "?unread=on").content.decode()
    assert f'id="notice-{notice.pk}"' not in unread
    assert f'id="notice-{notice.pk}"' in client.get(reverse("notifications:list")).content.decode()


def test_opening_a_notice_marks_it_read_and_leads_to_its_object(client, proposed, advisor) -> None:
    notice = Notice.objects.get(recipient=advisor)
    client.force_login(advisor)
    response = client.get(reverse("notifications:open", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("promotion:detail", args=[proposed.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_another_persons_notice_is_404(client, proposed, advisor, advisor2, owner) -> None:
    notice = Notice.objects.get(recipient=advisor)
    for intruder in (advisor2, owner):
        client.force_login(intruder)
        assert client.get(reverse("notifications:open", args=[notice.pk])).status_code == 404
        assert client.post(reverse("notifications:read", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_a_notice_whose_access_ended_answers_404_not_an_error(
    client, proposed, advisor, owner, partner, person
) -> None:
    notice = Notice.objects.get(recipient=advisor)
    # The agreement stops covering the promotion queue: the office loses the case.
    services.cases_withdraw_between(person.owner, partner, "agreement ended")
    client.force_login(advisor)
    response = client.get(reverse("notifications:open", args=[notice.pk]))
    assert response.status_code == 404
    listing = client.get(reverse("notifications:list")).content.decode()
    assert "Źdźbło" not in listing and f'id="notice-{notice.pk}"' in listing


def test_mark_all_as_read(client, proposed, advisor) -> None:
    client.force_login(advisor)
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notice.objects.filter(recipient=advisor, read_at__isnull=True).exists()


def test_the_list_costs_the_same_queries_for_any_size(
    client, advisor, proposed, django_assert_max_num_queries
) -> None:
    notice = Notice.objects.get(recipient=advisor)
    others = [ClientFactory(owner=notice.institution) for _ in range(3)]
    assert others
    Notice.objects.bulk_create(
        [
            Notice(
                recipient=advisor,
                kind=notice.kind,
                event_id=f"e{i}",
                target_type=notice.target_type,
                target_id=notice.target_id,
                text="x",
            )
            for i in range(60)
        ]
    )
    client.force_login(advisor)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("notifications:list")).status_code == 200


def test_the_demo_leaves_the_newest_few_unread(proposed, advisor, committed) -> None:
    from notifications.demo import UNREAD, _age_and_read

    with committed():
        services.case_take(case=proposed, acting_user=advisor)  # one more, to the worker
    notice = Notice.objects.filter(recipient=advisor).first()
    Notice.objects.bulk_create(
        [
            Notice(
                recipient=advisor,
                kind=notice.kind,
                event_id=f"demo{i}",
                target_type=notice.target_type,
                target_id=notice.target_id,
                text="x",
            )
            for i in range(6)
        ]
    )
    _age_and_read()
    mine = Notice.objects.filter(recipient=advisor)
    assert mine.filter(read_at__isnull=True).count() == UNREAD
    newest = list(mine.order_by("-created_at")[:UNREAD])
    assert all(n.read_at is None for n in newest)


def test_the_count_is_read_at_login_so_pages_ask_nothing(client, proposed, advisor) -> None:
    """Primed at login and kept until a notice is written or read: an ordinary page
    asks the database nothing for the bell (issue 17: at most one cheap query)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(advisor)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("home")).content.decode()
    assert "Powiadomienia (1 nieprzeczytane)" in page
    assert not [q for q in queries if "notifications_notice" in q["sql"]]
