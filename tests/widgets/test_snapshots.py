"""The snapshot keeps its declared shape (widgets/snapshots.py Snapshot), and the JSON document is that shape
plus the translated words: a field added without declaring it, or dropped, fails here."""

import json
import types
import typing

from fundraising.widgets.snapshots import Snapshot, SnapshotMilestone, SnapshotPeriod, snapshot_build
from tests.factories import SeedCampaignFactory


def test_it_builds_exactly_the_declared_shape(transactional_db, widget_root):
    campaign = SeedCampaignFactory()
    snapshot = snapshot_build(campaign_id=campaign.pk)
    hints = typing.get_type_hints(Snapshot)
    assert set(snapshot) == set(hints)
    assert set(snapshot["period"]) == set(typing.get_type_hints(SnapshotPeriod))
    assert all(set(m) == set(typing.get_type_hints(SnapshotMilestone)) for m in snapshot["milestones"])
    for name, kind in hints.items():
        origin = typing.get_origin(kind) or kind
        if isinstance(kind, types.UnionType):  # e.g. int | None: the value is one of them
            origin = tuple(typing.get_origin(arg) or arg for arg in typing.get_args(kind))
        assert isinstance(snapshot[name], dict if typing.is_typeddict(kind) else origin), name


def test_it_serves_the_shape_as_the_json_document(client, transactional_db, widget_root):
    SeedCampaignFactory()
    document = json.loads(client.get("/w/lights.json").content)
    assert set(document) == set(typing.get_type_hints(Snapshot)) | {"text"}
