"""The demo's mailbox (DEBUG only): an e-mail backend that keeps each message as a file in MAILBOX_DIR, and
reading them back for /mailbox/, so a newcomer reads receipts, manage links, milestones and summaries."""

import email
import email.policy
import re
import secrets
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

# The page lists the newest messages only: a demo that runs for weeks keeps every file, the page stays short.
LISTED = 200
NAME = re.compile(r"^[0-9]{19}-[0-9a-f]{8}$")


class MailboxBackend(BaseEmailBackend):
    """EMAIL_BACKEND=fundraising.ops.mailbox.MailboxBackend (`make demo` sets it): one .eml file a message."""

    def send_messages(self, email_messages):
        folder = Path(settings.MAILBOX_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{time.time_ns():019d}-{secrets.token_hex(4)}"
            (folder / f"{name}.eml").write_bytes(message.message().as_bytes())
            to = ", ".join(message.to)
            sys.stdout.write(f"Mail to {to}: {message.subject} -> {settings.SITE_URL}/mailbox/{name}/\n")
        return len(email_messages)


def _parsed(path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def mailbox_list():
    """The newest LISTED messages, newest first: [{name, to, subject, date}]."""
    folder = Path(settings.MAILBOX_DIR)
    paths = sorted(folder.glob("*.eml"), reverse=True)[:LISTED] if folder.is_dir() else []
    shown = []
    for path in paths:
        message = _parsed(path)
        shown.append({"name": path.stem, "to": message["To"], "subject": message["Subject"], "date": message["Date"]})
    return shown


def mailbox_message(*, name):
    """{name, to, subject, date, text, html} of one message, or None (no such file, or not a name we write)."""
    path = Path(settings.MAILBOX_DIR) / f"{name}.eml"
    if not NAME.match(name) or not path.is_file():
        return None
    message = _parsed(path)
    parts = {p.get_content_type(): p.get_content() for p in message.walk() if not p.is_multipart()}
    return {"name": name, "to": message["To"], "subject": message["Subject"], "date": message["Date"],
            "text": parts.get("text/plain", ""), "html": parts.get("text/html", "")}  # fmt: skip
