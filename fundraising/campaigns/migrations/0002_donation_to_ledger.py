"""The Donation model now lives in the `ledger` app (see ledger/migrations/0001_initial.py); its table stays."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0001_initial"),
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Donation")],
            database_operations=[],
        ),
    ]
