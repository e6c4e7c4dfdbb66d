"""Move the number books from plans.DocumentRegister into reports' registers, and enter the
number of every plan issued so far (pointing at its frozen document when there is one).

Party books were kept as one "nhiem-ky" counter without a term; they are rebuilt from the
plans issued under them. Two old plans that hold the same number in one new book (possible only
for Party plans of different years, which the old per-year constraint allowed) keep their
numbers; the later one gets no entry, and the book continues after the highest number.
"""

from django.db import migrations

from reports.registers import period_for


def forwards(apps, schema_editor):
    old_books = apps.get_model("plans", "DocumentRegister")
    plan_model = apps.get_model("plans", "Plan")
    register_model = apps.get_model("reports", "NumberRegister")
    entry_model = apps.get_model("reports", "RegisterEntry")
    document_model = apps.get_model("reports", "IssuedDocument")
    for old in old_books.objects.all():
        if old.period.isdigit():
            register_model.objects.get_or_create(
                bloc_id=old.bloc_id,
                doc_type=old.doc_type,
                period=old.period,
                defaults={"last_number": old.last_number},
            )
    issued = (
        plan_model.objects.filter(number__isnull=False, issue_date__isnull=False)
        .select_related("format_profile")
        .order_by("issue_date", "id")
    )
    for plan in issued:
        period = period_for(per_term=plan.format_profile.number_per_term, on=plan.issue_date)
        register, _ = register_model.objects.get_or_create(
            bloc_id=plan.bloc_id, doc_type=plan.doc_type, period=period
        )
        register.last_number = max(register.last_number, plan.number)
        register.save(update_fields=["last_number"])
        if not entry_model.objects.filter(register=register, number=plan.number).exists():
            entry_model.objects.create(
                register=register,
                number=plan.number,
                issued_on=plan.issue_date,
                document=document_model.objects.filter(plan_id=plan.pk).first(),
            )


def backwards(apps, schema_editor):
    old_books = apps.get_model("plans", "DocumentRegister")
    register_model = apps.get_model("reports", "NumberRegister")
    for register in register_model.objects.filter(bloc__isnull=False):
        period = register.period if register.period.isdigit() else "nhiem-ky"
        old, _ = old_books.objects.get_or_create(
            bloc_id=register.bloc_id, doc_type=register.doc_type, period=period
        )
        old.last_number = max(old.last_number, register.last_number)
        old.save()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_number_registers"),
        ("plans", "0004_vietnamese_labels"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
