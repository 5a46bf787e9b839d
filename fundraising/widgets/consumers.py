"""What widgets do after a journal entry (registered in WidgetsConfig.ready): a changed campaign's widget is
written again at once, moved off its old slug, or taken down when the campaign is no longer active."""

from fundraising.journal import kinds

from .services import snapshot_after_edit


def campaigns_widget_follow(entries):
    for entry in entries:
        snapshot_after_edit(campaign_id=entry.campaign_id, old_slug=(entry.data or {}).get("old_slug", ""))


REGISTRY = [(kinds.CAMPAIGN_UPDATED, campaigns_widget_follow)]
