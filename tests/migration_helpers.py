"""Upgrade tests: the database as the previous release left it (one app at an earlier migration, the others at
their latest), then migrated to this one."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder


def migrate(previous=None):
    """Every app at its latest migration; `previous` = (app, name) holds that app at that migration. Returns the
    historical models (apps) of the state reached."""
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    if previous:
        targets = [previous if app == previous[0] else (app, name) for app, name in targets]
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def previous_release(previous):
    """A fixture: the historical models at `previous`, and every migration applied again afterwards."""

    @pytest.fixture
    def fixture(transactional_db):
        if not MigrationRecorder(connection).applied_migrations():
            pytest.skip("the test database was made without migrations (--nomigrations)")
        yield migrate(previous)
        migrate()

    return fixture
