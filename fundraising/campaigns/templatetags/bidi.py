"""{{ name|bdi }}: a name people typed (a donor's, a campaign's, an organisation's), escaped and isolated in
<bdi> so that, inside a translated sentence, an Arabic or Hebrew name keeps its own direction and does not
reorder the words and punctuation around it. Used where the name is a variable of a {% blocktranslate %}, so the
sentence to translate stays the same; not inside attributes, <title> or plain-text e-mails."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter(is_safe=True)
def bdi(name):
    return format_html("<bdi>{}</bdi>", name)
