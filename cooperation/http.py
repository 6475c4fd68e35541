"""The request a member's view receives, for the type checker.

`member_required` and `MembershipMiddleware` guarantee what HttpRequest cannot
say: a logged-in user, with the active membership and its institution put on
the request (django-stubs' documented pattern for `request.user`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from .models import Institution, Membership, User


class MemberRequest(HttpRequest):
    user: User
    membership: Membership
    institution: Institution
    htmx: HtmxDetails
