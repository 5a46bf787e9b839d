"""Keep each campaign's widget snapshot fresh: rendered once per ledger change, stored in the
cache and as files under WIDGET_ROOT that nginx or a CDN can serve as they are."""

import hashlib
import json
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from fundraising.campaigns.models import Campaign
from fundraising.campaigns.selectors import campaign_by_slug

from .options import WidgetOptions
from .render import RENDERERS
from .snapshots import SnapshotEntry, snapshot_build

# Bump when the entry's shape or the renderers change, so old cached entries are not served.
VERSION = 3
# name -> file suffix; the default rendition of each is precomputed in the snapshot entry.
FORMATS = {"json": ".json", "svg": ".svg", "html": ".html"}
VARIANT_TIMEOUT = 3600


def etag_of(body):
    """A strong validator of exactly these bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def entry_key(slug):
    return f"widget:v{VERSION}:{slug}"


def entry_make(*, snapshot, renditions=None) -> SnapshotEntry:
    """The cached entry: the snapshot dict and each format's default bytes with their ETag."""
    renditions = renditions or {}
    bodies = {fmt: renditions.get(fmt) or RENDERERS[fmt](snapshot, WidgetOptions()) for fmt in FORMATS}
    return {
        "snapshot": snapshot,
        "version": etag_of(bodies["json"]),
        "renditions": {fmt: (body, etag_of(body)) for fmt, body in bodies.items()},
    }


def file_write(path, body):
    """Write so that a reader (nginx) sees the old file or the new one, never half of one."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.chmod(temp, 0o644)  # mkstemp makes 0600; the web server runs as another user
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def files_write(*, slug, entry):
    root = Path(settings.WIDGET_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    # JSON last: its presence is what readers take as "a snapshot exists".
    for fmt in ("svg", "html", "json"):
        file_write(root / f"{slug}{FORMATS[fmt]}", entry["renditions"][fmt][0])


def files_remove(*, slug):
    for suffix in FORMATS.values():
        (Path(settings.WIDGET_ROOT) / f"{slug}{suffix}").unlink(missing_ok=True)


def files_read(*, slug):
    """The entry rebuilt from the files alone (after a cache flush), or None."""
    root = Path(settings.WIDGET_ROOT)
    try:
        bodies = {fmt: (root / f"{slug}{suffix}").read_bytes() for fmt, suffix in FORMATS.items()}
    except FileNotFoundError:
        return None
    return entry_make(snapshot=json.loads(bodies["json"]), renditions=bodies)


def snapshot_refresh(*, campaign_id: int) -> SnapshotEntry | None:
    """Build the campaign's snapshot from its period's stored totals, render the default formats
    and store them in the cache and WIDGET_ROOT. An inactive or deleted campaign loses its widget.
    Call after period_recompute; safe to run any number of times."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or not campaign.active:
        if campaign is not None:
            cache.delete(entry_key(campaign.slug))
            files_remove(slug=campaign.slug)
        return None
    entry = entry_make(snapshot=snapshot_build(campaign_id=campaign.pk))
    files_write(slug=campaign.slug, entry=entry)
    cache.set(entry_key(campaign.slug), entry, timeout=None)
    return entry


def snapshot_entry_get(*, slug: str) -> SnapshotEntry | None:
    """Cache first, then the files, and only when neither has it build it once and store it."""
    entry = cache.get(entry_key(slug))
    if entry is not None:
        return entry
    entry = files_read(slug=slug)
    if entry is not None:
        cache.set(entry_key(slug), entry, timeout=None)
        return entry
    campaign = campaign_by_slug(slug=slug)
    return snapshot_refresh(campaign_id=campaign.pk) if campaign else None


def variant_get(*, slug, entry, fmt, options):
    """(bytes, etag) of one format with the publisher's options; non-default variants are rendered
    from the snapshot dict and cached under the snapshot's version, so a refresh retires them."""
    if fmt == "json":  # only the locale changes the JSON document
        options = WidgetOptions(locale=options.locale)
    if options.is_default:
        return entry["renditions"][fmt]
    key = f"widget:v{VERSION}:{slug}:{fmt}:{options.key}:{entry['version'].strip(chr(34))}"
    variant = cache.get(key)
    if variant is None:
        body = RENDERERS[fmt](entry["snapshot"], options)
        variant = (body, etag_of(body))
        cache.set(key, variant, timeout=VARIANT_TIMEOUT)
    return variant
