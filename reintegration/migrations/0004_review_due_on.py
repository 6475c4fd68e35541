from django.db import migrations, models


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    """A review held before this field existed was due on the date the plan's
    previous review set; a plan's first review keeps no date (it was set when
    the plan was opened and is only in the plan's history)."""
    Review = apps.get_model("reintegration", "Review")
    last: dict[int, object] = {}
    changed = []
    for review in Review.objects.order_by("plan_id", "held_on", "pk").iterator():
        if review.plan_id in last:
            review.due_on = last[review.plan_id]
            changed.append(review)
        last[review.plan_id] = review.next_review_date
    Review.objects.bulk_update(changed, ["due_on"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("reintegration", "0003_documents_plan_art9"),
    ]

    operations = [
        migrations.AddField(
            model_name="review",
            name="due_on",
            field=models.DateField(blank=True, null=True, verbose_name="review was due"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
