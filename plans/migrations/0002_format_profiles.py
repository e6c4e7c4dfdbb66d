"""The two official formats as data (DOMAIN §3.1, §3.2). A newer profile is a new row, not code."""

from django.db import migrations

from plans.profile_data import PROFILES  # noqa: E402



def add_profiles(apps, schema_editor):
    FormatProfile = apps.get_model("plans", "FormatProfile")
    for data in PROFILES:
        FormatProfile.objects.update_or_create(code=data["code"], defaults=data)


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(add_profiles, migrations.RunPython.noop)]
