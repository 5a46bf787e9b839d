"""What a failed send means: a permanent refusal (5xx: never retried) or a passing fault, told without addresses.

smtplib's errors carry the recipient (SMTPRecipientsRefused is a dict keyed by address, and servers echo
it in their text), and those messages reach logs through Celery's retry lines; so every description
of a failed send goes through mail_error_describe, which names no address."""

import re
import smtplib

ADDRESS = re.compile(r"[^\s<>()\[\]{}'\",;:]+@[^\s<>()\[\]{}'\",;:]+")


def _codes(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return [code for code, _text in exc.recipients.values()]
    if isinstance(exc, (smtplib.SMTPResponseException,)):
        return [exc.smtp_code]
    return []


def mail_error_permanent(exc):
    """True when the server refused for good (every code 5xx): sending again would be refused again.
    A refused login (535) is the operator's to fix, so it stays a passing fault and is retried."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    codes = _codes(exc)
    return bool(codes) and all(500 <= code < 600 for code in codes)


def _text(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {_decode(text)}" for code, text in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_decode(exc.smtp_error)}"
    return str(exc)


def _decode(text):
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def mail_error_describe(exc):
    """"<ErrorType>: <code> <server's text>" with every address replaced, for rows, logs and owners."""
    return ADDRESS.sub("<address>", f"{type(exc).__name__}: {_text(exc)}")[:2000]
