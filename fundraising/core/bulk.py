"""Update many rows with values of their own in one statement.

Django's bulk_update writes a CASE per column with one WHEN per row: compiling it costs about 1.5 ms of CPU
per row for four columns (a month-end closes 10,000 periods). PostgreSQL takes the values as one array per
column instead (UPDATE ... FROM unnest(...)); other databases get bulk_update."""

from django.db import connection, models


def rows_update(model: type[models.Model], rows: dict, *, same=None, batch_size=1000) -> None:
    """Set each row's own values: rows = {pk: {field name: value}} (every row the same fields), and `same`
    ({field name: value}) on all of them."""
    if not rows:
        return
    same = same or {}
    names = list(next(iter(rows.values())))
    if connection.vendor != "postgresql":
        objects = [model(pk=pk, **values, **same) for pk, values in rows.items()]
        model.objects.bulk_update(objects, [*names, *same], batch_size=batch_size)
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    constant = [meta.get_field(name) for name in same]
    pk = meta.pk
    assignments = [f'"{f.column}" = v."{f.column}"' for f in fields] + [f'"{f.column}" = %s' for f in constant]
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in [pk, *fields])
    columns = ", ".join(f'"{f.column}"' for f in [pk, *fields])
    # Only the model's own table and column names go into the text; every value is a parameter.
    sql = (
        f'UPDATE "{meta.db_table}" AS t SET {", ".join(assignments)} '  # noqa: S608
        f'FROM unnest({arrays}) AS v({columns}) WHERE t."{pk.column}" = v."{pk.column}"'
    )
    # Parameters in the text's order: the SET's constants, then one array per column for unnest.
    constants = [f.get_db_prep_save(value, connection) for f, value in zip(constant, same.values(), strict=True)]
    items = list(rows.items())
    with connection.cursor() as cursor:
        for index in range(0, len(items), batch_size):
            batch = items[index : index + batch_size]
            arrays = [[key for key, _ in batch]]
            arrays += [[f.get_db_prep_save(values[f.name], connection) for _, values in batch] for f in fields]
            cursor.execute(sql, [*constants, *arrays])
