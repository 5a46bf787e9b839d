"""How log lines look: LOG_FORMAT=json gives one JSON object per line (time, level, logger, message,
exception) for log shippers; and bearer tokens in URLs (manage links carry the donor's signed address,
invitations admit a member) are redacted from every line, as Django logs the path of a 404 or 500."""

import datetime
import json
import logging
import re

TOKEN_IN_PATH = re.compile(r"(/(?:manage|invitations)/)[^/?#\s\"']+")


def token_redact(text):
    return TOKEN_IN_PATH.sub(r"\1[redacted]", text)


class TokenRedactFilter(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        redacted = token_redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
