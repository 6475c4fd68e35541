from __future__ import annotations

from typing import Any

import django_filters
from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, AuditEvent, Institution, Membership, Role


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: keyed errors next to their
    fields, the rest at the top. The form keeps everything the user typed."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def apply_service(request, form: forms.Form, action, success: str, **kwargs):
    """Run a service with the form's cleaned data plus `kwargs`.

    On success, flash `success` and return the service's result; on a
    ValidationError, put it next to the form's fields and return None.
    """
    from django.contrib import messages

    try:
        result = action(**kwargs, **form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, success)
    return result


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but an id the database cannot hold is an invalid choice.

    Django checks the ids one by one without running a query, then fetches them
    with `pk__in`, which (unlike `pk=`) is not guarded against integer overflow:
    "9223372036854775808" was a 500 on SQLite and on PostgreSQL.
    """

    def _check_values(self, value):
        from django.db import connections

        field = (
            self.queryset.model._meta.get_field(self.to_field_name)  # type: ignore[union-attr]
            if self.to_field_name
            else self.queryset.model._meta.pk  # type: ignore[union-attr]
        )
        ops = connections[self.queryset.db].ops  # type: ignore[union-attr]
        if field.get_internal_type() not in ops.integer_field_ranges:
            return super()._check_values(value)  # type: ignore[misc]
        low, high = ops.integer_field_range(field.get_internal_type())
        for pk in value:
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # Django's own check reports it
            if (low is not None and number < low) or (high is not None and number > high):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)  # type: ignore[misc]


class InviteForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class MembershipForm(forms.ModelForm):
    is_active = forms.BooleanField(
        label=_("Active member"),
        required=False,
        help_text=_("Untick to end this person's membership. They lose access at once."),
    )

    class Meta:
        model = Membership
        fields = ["role", "is_active"]


class InstitutionForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = [
            "name",
            "street",
            "postal_code",
            "city",
            "phone",
            "email",
            "regon",
            "nip",
            "controller_representative",
            "dpo_name",
            "dpo_email",
            "dpo_phone",
        ]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateRangeFilterForm(forms.Form):
    """Filter form that refuses a date range upside down, next to the end field.

    Any filter set with `date_from`/`date_to` filters can use it as `Meta.form`.
    """

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")  # type: ignore[union-attr]
        if start and end and start > end:
            self.add_error("date_to", ValidationError(_("The end date is before the start date.")))
        return data  # type: ignore[return-value]


class AuditFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices)
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="at", lookup_expr="date__gte", widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="at", lookup_expr="date__lte", widget=DateInput()
    )
    actor = django_filters.CharFilter(label=_("User"), method="filter_actor")

    class Meta:
        model = AuditEvent
        fields = ["action", "date_from", "date_to", "actor"]
        form = DateRangeFilterForm

    def filter_actor(self, queryset, name, value):
        return queryset.filter(actor__username__icontains=value)


class LoginForm(AllauthLoginForm):
    """allauth's login form with a visible label instead of a placeholder-only field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or email")  # allauth ships this translation
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["login"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs.pop("placeholder", None)
        # The page shows its own "forgot password" link next to the button.
        self.fields["password"].help_text = ""
