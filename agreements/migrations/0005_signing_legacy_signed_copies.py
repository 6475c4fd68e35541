"""Agreements marked signed before the signed document was required.

They keep their status, so the data they let flow keeps flowing: stopping it
on deploy would cut caseworkers off mid-case for a paperwork gap. Instead
each gets a placeholder signed copy, form "legacy", dated by the day all
parties accepted (the old "signed" event), with a note saying the document
was never recorded. The page shows the gap and offers to record the copy,
which replaces the placeholder. Nothing is invented: no file, no signatories.
"""

from django.db import migrations

NOTE = (
    "Porozumienie oznaczono jako podpisane przed wprowadzeniem wymogu rejestracji "
    "podpisanego egzemplarza: strony zaakceptowały tekst w aplikacji, a podpisany "
    "dokument nie został zarejestrowany. Data to dzień akceptacji przez wszystkie strony."
)
SIGNED_STATES = ["signed", "active", "expired", "terminated"]


def forwards(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    SignedCopy = apps.get_model("agreements", "SignedCopy")
    AgreementEvent = apps.get_model("agreements", "AgreementEvent")
    for agreement in Agreement.objects.filter(status__in=SIGNED_STATES, signed_copy__isnull=True):
        event = (
            AgreementEvent.objects.filter(agreement=agreement, kind="signed").order_by("at").first()
        )
        SignedCopy.objects.create(
            agreement=agreement,
            form="legacy",
            signed_on=event.at.date() if event else agreement.valid_from,
            note=NOTE,
        )


def backwards(apps, schema_editor):
    apps.get_model("agreements", "SignedCopy").objects.filter(form="legacy").delete()


class Migration(migrations.Migration):
    dependencies = [("agreements", "0004_signing_signed_copy")]

    operations = [migrations.RunPython(forwards, backwards)]
