"""{% widget_words snapshot as words %}: the bar's translated phrases (render.phrases) for HTML templates,
so the donation page, the thanks page and the iframe say what the SVG and embed.js say."""

from django import template

from fundraising.widgets.render import markers_labeled, phrases
from fundraising.widgets.snapshots import snapshot_goal

register = template.Library()


@register.simple_tag
def widget_words(snapshot):
    return {**phrases(snapshot), "goal": snapshot_goal(snapshot), "markers": markers_labeled(snapshot["milestones"])}
