"""F11 on PostgreSQL: no two active bookings of one unit of a resource overlap in time.

The unique key of 0001 refuses a second booking of the same slot; this exclusion constraint
also refuses overlapping slots of different lengths (a resource whose slot length changed
between two published months). SQLite has no exclusion constraints: there, slots of one resource
never overlap because publishing refuses it (``services.publish``)."""

from django.db import migrations

ACTIVE = "('held', 'requested', 'booked')"
CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE order_slots_booking ADD CONSTRAINT order_slots_no_overlap
    EXCLUDE USING gist (resource_id WITH =, unit WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status IN {ACTIVE});
"""
DROP = "ALTER TABLE order_slots_booking DROP CONSTRAINT IF EXISTS order_slots_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("order_slots", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
