from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation.forms import DateInput
from cooperation.models import Institution


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by every institution that shares this client."),
    )


class InformationRequestForm(forms.Form):
    asked = forms.ModelChoiceField(
        label=_("Ask"), queryset=Institution.objects.none(), empty_label=None
    )
    question = forms.CharField(
        label=_("What you ask about"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    purpose = forms.CharField(
        label=_("Why you need it"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(label=_("Answer by"), widget=DateInput())

    def __init__(self, *args: Any, partners: QuerySet[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asked"].queryset = partners  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    text = forms.CharField(
        label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    shown_from = forms.DateField(label=_("Shown from"), widget=DateInput())
    shown_until = forms.DateField(label=_("Shown until"), widget=DateInput())
    recipients = forms.ModelMultipleChoiceField(
        label=_("Send to"),
        queryset=Institution.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Institutions you have an agreement in force with; all are ticked."),
    )
    link = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("PDF, JPG, PNG, ODT or DOCX, up to 10 MB."),
    )
    for_clients = forms.BooleanField(
        label=_("For clients"),
        required=False,
        help_text=_("It can be printed in large type for the noticeboard."),
    )

    def __init__(self, *args: Any, partners: QuerySet[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = partners  # type: ignore[attr-defined]
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("recipients", list(partners))
            self.initial.setdefault("shown_from", today)
            self.initial.setdefault("shown_until", today + dt.timedelta(days=14))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("shown_from"), data.get("shown_until")
        if start and end and end < start:
            self.add_error("shown_until", _("The end date is before the start date."))
        return data
