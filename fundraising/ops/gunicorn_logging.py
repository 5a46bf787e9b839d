"""gunicorn's access log without bearer tokens: manage links (the donor's signed address) and invitations
appear as /manage/[redacted]/ in the request line, the path and the referrer (deploy/gunicorn.conf.py)."""

from gunicorn.glogging import Logger

from fundraising.core.logformat import token_redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: token_redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
