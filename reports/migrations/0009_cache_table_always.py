# The database cache's table whatever the cache settings are at migration time: the draft PDFs
# live in files by default, and CACHE_DATABASE=1 moves them to this table (settings.CACHES), so
# the table must exist before that switch.

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command(
        "createcachetable", "django_cache", database=schema_editor.connection.alias, verbosity=0
    )


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0008_render_jobs"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
