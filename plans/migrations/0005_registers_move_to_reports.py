"""The number books now live in reports (reports.NumberRegister, one entry per number); the
per-year uniqueness of plan numbers goes with them: a register's period (year or Party term)
decides which numbers collide, not the plan's year."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0004_vietnamese_labels"),
        ("reports", "0003_move_registers"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="plan",
            name="plan_number_unique_in_register",
        ),
        migrations.DeleteModel(
            name="DocumentRegister",
        ),
    ]
