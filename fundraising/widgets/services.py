"""Keep each campaign's widget snapshot fresh: rendered once per ledger change, stored in the
cache and as files under WIDGET_ROOT that nginx or a CDN can serve as they are."""

import dataclasses
import datetime
import functools
import hashlib
import json
import logging
import os
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from fundraising.campaigns.models import Campaign
from fundraising.campaigns.selectors import campaign_by_slug
from fundraising.core.bounded import BoundedMemo

from .embed_palette import SERVED as EMBED_SCRIPT
from .options import WidgetOptions
from .render import RENDERERS, defaults_render, page_render
from .snapshots import SnapshotEntry, current_periods, snapshot_localize, snapshot_of
from .wall import Wall, wall_build, wall_from_document, wall_render

log = logging.getLogger(__name__)

# Bump when the entry's shape or the renderers change: cache keys and the files' directory carry
# it, so an entry or a file written by an older release is never served (run widgets_refresh).
VERSION = 7
FORMATS = {"json": ".json", "svg": ".svg", "html": ".html"}
# The supporters wall (fundraising/widgets/wall.py): only for campaigns that opted in.
WALL_FORMAT, WALL_SUFFIX = "supporters", ".supporters.json"
# /w/<slug>.js: the widget JSON baked into a copy of embed.js (script_render), made on request from the
# JSON's bytes and kept in the variants memo; no file, so a release's new embed.js is served at once.
SCRIPT_FORMAT = "js"
# Variants with options are rendered on demand and kept in each process's memory, never in the shared
# cache: accent alone has 16 million values, and the cache is also the Celery broker.
VARIANT_MEMO_SIZE = 256
_variants = BoundedMemo(VARIANT_MEMO_SIZE)
SLUG_MAX_LENGTH = Campaign._meta.get_field("slug").max_length


def etag_of(body):
    """A strong validator of exactly these bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def slug_is_plausible(slug):
    """Whether `slug` could name a campaign; checked before it goes into any cache key or file name."""
    return 0 < len(slug) <= SLUG_MAX_LENGTH


def entry_key(slug):
    return f"widget:v{VERSION}:{slug}"


def entry_make(*, snapshot, renditions=None, wall: Wall | None = None) -> SnapshotEntry:
    """The cached entry: the snapshot dict and each format's default bytes with their ETag, and
    when the snapshot's month ends (Unix time), so a read can notice that it must roll over.
    With a supporters wall (the campaign opted in), its JSON is one more rendition."""
    renditions = renditions or {}
    bodies = {fmt: renditions[fmt] for fmt in FORMATS} if set(FORMATS) <= set(renditions) else {}
    bodies = bodies or defaults_render(snapshot=snapshot)  # the formats in one pass (the files' bytes as they are)
    if wall is not None:
        bodies[WALL_FORMAT] = renditions.get(WALL_FORMAT) or wall_render(snapshot=snapshot, wall=wall)
    closes_at = snapshot.get("period_closes_at")
    return {
        "snapshot": snapshot,
        "version": etag_of(bodies["json"]),
        "renditions": {fmt: (body, etag_of(body)) for fmt, body in bodies.items()},
        "ends_at": timestamp_parse(closes_at) if closes_at else None,
        "wall": wall,
    }


def timestamp_parse(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def file_update(path, body):
    """file_write unless the file holds these bytes already (a refresh that changed one format leaves the others'
    files, their dates and nginx's ETags, alone; reading a small file costs less than writing and renaming one).
    Returns whether it wrote."""
    try:
        with open(path, "rb") as current:
            if current.read(len(body) + 1) == body:
                return False
    except OSError:  # missing (a new campaign, a new release's directory)
        pass
    file_write(path, body)
    return True


def file_write(path, body):
    """Write so that a reader (nginx) sees the old file or the new one, never half of one.

    The temporary name is this process's and thread's own (no random name to draw and retry: a refresh writes
    three or four files per gift), created readable by the web server, which runs as another user."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        with os.fdopen(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), "wb") as out:
            os.fchmod(out.fileno(), 0o644)  # whatever the umask
            out.write(body)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def files_dir():
    """WIDGET_ROOT/v<VERSION>/; WIDGET_ROOT/current links to it once this release has written there."""
    return Path(settings.WIDGET_ROOT) / f"v{VERSION}"


def file_path(slug, fmt):
    return files_dir() / f"{slug}{WALL_SUFFIX if fmt == WALL_FORMAT else FORMATS[fmt]}"


def current_link_update():
    """Point WIDGET_ROOT/current (what nginx serves) at this release's directory, atomically."""
    link = Path(settings.WIDGET_ROOT) / "current"
    if os.path.islink(link) and os.readlink(link) == files_dir().name:
        return
    temp = link.with_name(f".current.{os.getpid()}")
    temp.unlink(missing_ok=True)
    os.symlink(files_dir().name, temp)
    os.replace(temp, link)


def files_write(*, slug, entry, link=True):
    if not settings.WIDGET_FILES:
        return
    files_dir().mkdir(parents=True, exist_ok=True)
    # JSON last: its presence is what readers take as "a snapshot exists".
    wall = entry["renditions"].get(WALL_FORMAT)
    if wall is None:  # not opted in (any more): nothing public is left behind
        file_path(slug, WALL_FORMAT).unlink(missing_ok=True)
    else:
        file_update(file_path(slug, WALL_FORMAT), wall[0])
    for fmt in ("svg", "html", "json"):
        file_update(file_path(slug, fmt), entry["renditions"][fmt][0])
    if link:
        current_link_update()


def files_remove(*, slug):
    if not settings.WIDGET_FILES:
        return
    for fmt in [*FORMATS, WALL_FORMAT]:
        file_path(slug, fmt).unlink(missing_ok=True)


def files_read(*, slug):
    """The entry rebuilt from this release's files alone (after a cache flush, or with the cache
    down), or None. Files of another VERSION live elsewhere and are never read, and none on a machine that
    keeps no files (WIDGET_FILES=0), where any left over would be stale."""
    if not settings.WIDGET_FILES:
        return None
    try:
        bodies = {fmt: file_path(slug, fmt).read_bytes() for fmt in FORMATS}
    except OSError:  # missing, or a name the file system refuses
        return None
    wall = None
    try:
        bodies[WALL_FORMAT] = file_path(slug, WALL_FORMAT).read_bytes()
        wall = wall_from_document(json.loads(bodies[WALL_FORMAT]))
    except OSError:  # the campaign shows no wall
        pass
    return entry_make(snapshot=json.loads(bodies["json"]), renditions=bodies, wall=wall)


def cache_get(key):
    """The cache's value, or None when the cache is down: widgets then come from the files."""
    try:
        return cache.get(key)
    except Exception as exc:  # any backend's connection error; the files are there for this
        log.warning("widget cache unavailable (%s), reading snapshot files", type(exc).__name__)
        return None


def cache_set(key, value, timeout):
    cache_set_many({key: value}, timeout)


def cache_set_many(values, timeout):
    """Store every entry in one round trip (Redis: a pipeline); the files stay the source if the cache is down."""
    try:
        cache.set_many(values, timeout=timeout)
    except Exception as exc:
        log.warning("widget cache unavailable (%s), not stored", type(exc).__name__)


def period_ended(entry, now=None):
    """True once the campaign's local month that the snapshot shows is over."""
    ends = entry.get("ends_at")
    return ends is not None and (now if now is not None else time.time()) >= ends


def snapshot_refresh(*, campaign_id: int) -> SnapshotEntry | None:
    """Build the campaign's snapshot from its period's stored totals, render the default formats
    and store them in the cache and WIDGET_ROOT. An inactive or deleted campaign loses its widget.
    Call after period_recompute; safe to run any number of times."""
    return entries_store(campaign_ids=[campaign_id]).get(campaign_id)


def snapshots_refresh(*, campaign_ids) -> int:
    """snapshot_refresh for many campaigns (the rollover switches thousands at once).
    Returns how many widgets were written."""
    return len(entries_store(campaign_ids=campaign_ids))


def entries_store(*, campaign_ids, periods=()) -> dict[int, SnapshotEntry]:
    """The one way a widget is written: the campaigns and their current periods in two queries, each
    entry rendered (with its wall when the campaign opted in: one bounded query), the files whose bytes changed
    written and the cache entries stored in one round trip. Inactive campaigns lose their widget.
    `periods` just read with their campaigns (the refresh's, recomputed and locked): the campaigns and current
    periods among them are not read again. {campaign id: entry}."""
    given = {period.campaign_id: period.campaign for period in periods}
    if set(campaign_ids) <= set(given):
        campaigns = [given[campaign_id] for campaign_id in dict.fromkeys(campaign_ids)]
    else:
        campaigns = list(Campaign.objects.filter(pk__in=campaign_ids))
    gone = [campaign.slug for campaign in campaigns if not campaign.active]
    if gone:
        cache.delete_many([entry_key(slug) for slug in gone])
        for slug in gone:
            files_remove(slug=slug)
    active = [campaign for campaign in campaigns if campaign.active]
    current = current_periods(campaigns=active, known=periods)
    entries = {}
    for campaign in active:
        entry = entry_make(
            snapshot=snapshot_of(campaign=campaign, period=current[campaign.pk]), wall=wall_build(campaign=campaign)
        )
        files_write(slug=campaign.slug, entry=entry, link=False)
        entries[campaign.pk] = entry
    if entries and settings.WIDGET_FILES:
        current_link_update()
    if entries:  # a machine without files (WIDGET_FILES=0) reads the shared cache as much as one with them
        cache_set_many({entry_key(campaign.slug): entries[campaign.pk] for campaign in active}, timeout=None)
    return entries


def snapshot_rollover(*, campaign, entry: SnapshotEntry) -> SnapshotEntry:
    """The snapshot's month has ended: close it and show the new one, once (the first read claims
    it; reads meanwhile get the old entry for the second this takes). Beat does the same later."""
    from fundraising.ledger import rollover

    try:
        claimed = cache.add(f"{entry_key(campaign.slug)}:roll:{entry['ends_at']}", 1, 60)
    except Exception:  # cache down: rolling over twice is harmless (idempotent), never rolling is not
        claimed = True
    if not claimed:
        return entry
    rollover.campaign_rollover(campaign=campaign)
    return snapshot_refresh(campaign_id=campaign.pk) or entry


def snapshot_entry_get(*, slug: str) -> SnapshotEntry | None:
    """Cache first, then the files, and only when neither has it build it once and store it.
    A snapshot whose month has ended is rolled over first."""
    if not slug_is_plausible(slug):
        return None
    entry = cache_get(entry_key(slug))
    if entry is None:
        entry = files_read(slug=slug)
        if entry is not None:
            cache_set(entry_key(slug), entry, timeout=None)
    if entry is not None and not period_ended(entry):
        return entry
    campaign = campaign_by_slug(slug=slug)
    if campaign is None:
        return None
    if entry is not None:
        return snapshot_rollover(campaign=campaign, entry=entry)
    return snapshot_refresh(campaign_id=campaign.pk)


def snapshot_after_edit(*, campaign_id, old_slug=""):
    """After an owner saves a campaign: the widget follows at once (title, target, deactivation), and
    a changed slug stops serving the old one."""
    if old_slug:
        cache.delete(entry_key(old_slug))
        files_remove(slug=old_slug)
    return snapshot_refresh(campaign_id=campaign_id)


def wall_of(entry):
    """The entry's supporters wall, or None (not opted in, or an entry from before walls)."""
    return entry.get("wall")


def variant_render(*, entry, fmt, options):
    if fmt == WALL_FORMAT:
        snapshot = snapshot_localize(snapshot=entry["snapshot"], locale=options.locale)
        return wall_render(snapshot=snapshot, wall=wall_of(entry))
    if fmt == "html":
        return page_render(snapshot=entry["snapshot"], options=options, wall=wall_of(entry))
    return RENDERERS[fmt](entry["snapshot"], options)


@functools.cache
def embed_code():
    """The minified embed.js, read once per process: it is immutable per release."""
    return EMBED_SCRIPT.read_bytes()


def script_render(*, slug, json_body, locale=""):
    """/w/<slug>.js: one statement that hands the widget JSON (these exact bytes) and its poll URL to the
    script element, then embed.js unchanged, which draws from it without fetching at load. json.dumps
    (ASCII only) makes the JSON text a JS string literal that no title can leave: quotes and backslashes
    are escaped, U+2028/2029 become \\u2028, and the JSON already writes < > & as \\u003c...
    (so no "</script>" either)."""
    url = f"/w/{slug}.json" + (f"?locale={locale}" if locale else "")
    data = json.dumps({"url": url, "text": json_body.decode()}, ensure_ascii=True, separators=(",", ":"))
    return b"document.currentScript.__frData=" + data.encode() + b";" + embed_code()


def script_get(*, slug, entry, options):
    """(bytes, etag) of /w/<slug>.js for the options' locale (the only option that changes it), from the same
    JSON bytes /w/<slug>.json serves; kept in the bounded variants memo under the snapshot's version."""
    options = WidgetOptions(locale=options.locale)
    key = f"widget:v{VERSION}:{slug}:{SCRIPT_FORMAT}:{options.key}:{entry['version'].replace(chr(34), '')}"
    variant = _variants.get(key)
    if variant is None:
        json_body, _ = variant_get(slug=slug, entry=entry, fmt="json", options=options)
        body = script_render(slug=slug, json_body=json_body, locale=options.locale)
        variant = (body, etag_of(body))
        _variants[key] = variant
    return variant


def variant_get(*, slug, entry, fmt, options):
    """(bytes, etag) of one format with the publisher's options; non-default variants are rendered
    from the snapshot dict and kept in this process's bounded memo under the snapshot's version (and
    the wall's), so a refresh retires them. The caller checks that a wall exists before asking for it."""
    if fmt == SCRIPT_FORMAT:
        return script_get(slug=slug, entry=entry, options=options)
    if fmt in ("json", WALL_FORMAT):  # only the locale changes the JSON documents
        options = WidgetOptions(locale=options.locale)
    elif fmt == "svg" and options.supporters:  # the image has no wall
        options = dataclasses.replace(options, supporters=False)
    if options.is_default:
        return entry["renditions"][fmt]
    version = entry["version"]
    if fmt == WALL_FORMAT or options.supporters:
        version += entry["renditions"].get(WALL_FORMAT, (b"", "-"))[1]
    key = f"widget:v{VERSION}:{slug}:{fmt}:{options.key}:{version.replace(chr(34), '')}"
    variant = _variants.get(key)
    if variant is None:
        body = variant_render(entry=entry, fmt=fmt, options=options)
        variant = (body, etag_of(body))
        _variants[key] = variant
    return variant
