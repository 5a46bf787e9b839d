"""gunicorn settings for the web process (Procfile, deploy/systemd/fundraising-web.service).
Anything here can be overridden on the command line or with GUNICORN_CMD_ARGS."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A request that takes longer is killed and logged; Stripe retries a webhook that timed out.
timeout = 30
graceful_timeout = 30
# Access log on stdout (the journal or your log collector), with manage and invitation tokens redacted.
accesslog = "-"
logger_class = "fundraising.ops.gunicorn_logging.RedactingLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
# Behind a proxy on the same host (deploy/nginx.conf); NUM_PROXIES decides what the app trusts.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
