"""Double-submit guard for create forms.

The form carries a one-off token (`{% load formtokens %}{% form_token %}` in
the template). A view decorated with `@submit_once` claims the token in the
database before it runs; once the view has answered with a redirect to what it
created, the token remembers that URL. A second POST with the same token — a
double click, a resubmitted page, the same request from two tabs at once —
waits for the first (the token is unique) and is sent to that URL instead of
creating a duplicate. A POST without a token (an old page) runs as before.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

FIELD = "form_token"
_TOKEN = re.compile(r"[0-9A-Za-z_-]{1,64}")
# How long a used token is remembered (a resubmission comes within minutes).
KEEP_FOR = dt.timedelta(days=2)


def _already_sent(request: HttpRequest, token: str) -> HttpResponse:
    from .models import FormSubmission

    claim = FormSubmission.objects.filter(token=token).first()
    user_id = request.user.pk if request.user.is_authenticated else None
    messages.info(request, _("This form had already been sent; nothing was saved twice."))
    if claim is not None and claim.url and claim.user_id == user_id:
        return redirect(claim.url)
    return redirect("home")


def submit_once(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run a create view at most once per form token (see the module's doc).

    The view runs inside one transaction with the claim: a view that raises
    leaves no claim behind, one that answers without a redirect (the form again,
    with errors) gives its token back.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        from .models import FormSubmission

        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not _TOKEN.fullmatch(token):  # none (an old page), or not one we rendered
            return view(request, *args, **kwargs)
        user = request.user if request.user.is_authenticated else None
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claim = FormSubmission.objects.create(token=token, user=user)
            except IntegrityError:
                return _already_sent(request, token)
            response = view(request, *args, **kwargs)
            if response.status_code in (301, 302, 303) and response.has_header("Location"):
                claim.url = response["Location"]
                claim.save(update_fields=["url"])
                FormSubmission.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
            else:
                claim.delete()
        return response

    return wrapper
