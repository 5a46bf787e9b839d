"""Widgets keep no tables: they serve snapshots kept in the cache and as files."""
