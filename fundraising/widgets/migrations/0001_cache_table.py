"""Create the database cache's table when settings use one (the embedded default), so `migrate`
is the only step an operator runs; with Redis as the cache this does nothing."""

from django.core.management import call_command
from django.db import migrations


def cache_table_create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(cache_table_create, migrations.RunPython.noop, elidable=False)]
