#!/usr/bin/env bash
# The operator's path, checked end to end: a fresh virtualenv from requirements.txt ONLY (no dev
# requirements), then migrate, seed_demo, gunicorn with 2 workers, a signed Stripe event over HTTP
# and the widget JSON and snippet script showing it; once on PostgreSQL + Redis with a Celery worker and beat, once
# on the embedded default (SQLite, no Redis). Bounded in time; stops everything it started.
#
#   deploy/smoke.sh                       # both stages
#   SMOKE_STAGES=sqlite deploy/smoke.sh   # one stage (postgres, sqlite, tls, redis-restart)
#
# tls: deploy/nginx.conf (self-signed certificate) and deploy/nginx-behind-lb.conf in front of gunicorn with
# DEBUG=0 and SECURE_SSL_REDIRECT on: HTTP to HTTPS once, no redirect loop, HSTS on the files nginx serves.
# redis-restart: a worker on a redis-server of its own holds a delayed task while that Redis restarts empty;
# it must reconnect and run the next task. The rest of issue 24's operator checks are marked pytest tests
# that `make test` runs (an emptied Redis losing no receipt, two app nodes agreeing, the rate limit's address).
#
# The PostgreSQL stage creates and drops its own database on SMOKE_PG (default the local server)
# and flushes Redis db SMOKE_REDIS_DB (default 15) of SMOKE_REDIS.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
SMOKE_PG=${SMOKE_PG:-postgres://postgres@127.0.0.1:5432}
SMOKE_REDIS=${SMOKE_REDIS:-redis://127.0.0.1:6379}
SMOKE_REDIS_DB=${SMOKE_REDIS_DB:-15}
SMOKE_STAGES=${SMOKE_STAGES:-postgres sqlite tls redis-restart}
SMOKE_TIMEOUT=${SMOKE_TIMEOUT:-540}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fundraising-smoke.XXXXXX")
DB_NAME="fr_smoke_$$"
PIDS=()

say() { printf '\n== smoke: %s\n' "$*"; }

stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}

cleanup() {
  local status=$?
  set +e
  trap - EXIT INT TERM
  if [ -n "${WATCHDOG:-}" ]; then pkill -TERM -P "$WATCHDOG" 2>/dev/null; kill "$WATCHDOG" 2>/dev/null; fi
  stop_all
  if [ "$status" -ne 0 ]; then
    printf '\n== smoke: FAILED (exit %s). Last lines of each log:\n' "$status" >&2
    for log in "$WORK"/*.log; do
      [ -f "$log" ] || continue
      printf -- '--- %s\n' "$(basename "$log")" >&2
      tail -n 25 "$log" >&2
    done
  fi
  psql "$SMOKE_PG/postgres" -qc "DROP DATABASE IF EXISTS $DB_NAME" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'echo "smoke: gave up after ${SMOKE_TIMEOUT} s" >&2; exit 124' TERM
# The whole run is bounded: the watchdog ends this script, whose trap stops what it started.
( sleep "$SMOKE_TIMEOUT" && kill -TERM $$ ) >/dev/null 2>&1 &
WATCHDOG=$!

fail() { echo "smoke: $*" >&2; exit 1; }

say "fresh virtualenv from requirements.txt only"
"$PYTHON" -m venv "$WORK/venv"
timeout 300 "$WORK/venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt \
  > "$WORK/pip.log" 2>&1 || fail "pip install -r requirements.txt failed"
BIN="$WORK/venv/bin"
PY="$BIN/python"

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() {  # start NAME COMMAND...: run in the background, logging to $WORK/NAME.log
  local name=$1
  shift
  "$@" > "$WORK/$name.log" 2>&1 &
  PIDS+=("$!")
}

manage() { timeout 120 "$PY" manage.py "$@" >> "$WORK/manage.log" 2>&1 || fail "manage.py $* failed"; }

# widget_wait PORT RAISED SECONDS: every one of 20 consecutive reads of /w/demo.json and of the admin's
# snippet script /w/demo.js (its baked JSON), served by either gunicorn worker, shows RAISED, within SECONDS.
widget_wait() {
  "$PY" - "$1" "$2" "$3" <<'EOF' || fail "the widget JSON or script did not show raised=$2 on every worker"
import json, sys, time, urllib.request
port, raised, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
PREFIX = "document.currentScript.__frData="


def raised_of(path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        body = response.read().decode()
    if path.endswith(".js"):  # the JSON text baked in front of embed.js
        if not body.startswith(PREFIX):
            return "no baked JSON"
        body = json.JSONDecoder().raw_decode(body, len(PREFIX))[0]["text"]
    return json.loads(body)["raised"]


deadline, seen, streak = time.monotonic() + seconds, None, 0
while time.monotonic() < deadline and streak < 20:
    try:
        seen = (raised_of("/w/demo.json"), raised_of("/w/demo.js"))
    except (OSError, ValueError, KeyError) as exc:
        seen = f"{type(exc).__name__}: {exc}"
    streak = streak + 1 if seen == (raised, raised) else 0
    time.sleep(0.05 if streak else 0.3)
print(f"smoke: /w/demo.json and /w/demo.js raised={seen} (wanted {raised}, {streak} reads in a row)")
sys.exit(0 if streak >= 20 else 1)
EOF
}

http_wait() {  # http_wait URL: until it answers at all (any status), for 30 s
  "$PY" - "$1" <<'EOF' || fail "$1 did not answer"
import sys, time, urllib.error, urllib.request
for _ in range(150):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=2)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
EOF
}

run_stage() {  # the operator's steps against whatever DATABASE_URL / REDIS_URL are exported
  local port=$1
  export SITE_URL="http://127.0.0.1:$port"
  manage migrate --noinput
  manage collectstatic --noinput
  manage seed_demo --force  # production settings: seed_demo refuses DEBUG=0 without it
  manage widgets_refresh
  # The Procfile's web process: deploy/gunicorn.conf.py (2 gthread workers, the redacting access log).
  GUNICORN_BIND="127.0.0.1:$port" WEB_CONCURRENCY=2 start gunicorn "$BIN/gunicorn" -c deploy/gunicorn.conf.py fundraising.wsgi
  http_wait "$SITE_URL/healthz"
  widget_wait "$port" 10000 15
  "$PY" manage.py simulate_donation demo 25 --url "$SITE_URL/stripe/webhook/" >> "$WORK/manage.log" 2>&1 \
    || fail "simulate_donation could not post a signed event"
  widget_wait "$port" 12500 20
  # Everything /healthz checks but beat, whose first heartbeat comes a minute after it starts.
  "$PY" - "$SITE_URL/healthz" <<'EOF' || fail "/healthz reports a failing dependency"
import json, os, sys, urllib.error, urllib.request
request = urllib.request.Request(sys.argv[1], headers={"Authorization": "Bearer " + os.environ["HEALTHZ_TOKEN"]})
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        report = json.load(response)
except urllib.error.HTTPError as exc:
    report = json.load(exc)
print("smoke: /healthz", json.dumps(report, sort_keys=True)[:400])
sys.exit(0 if all(report[k]["ok"] for k in ("database", "cache", "broker", "events")) else 1)
EOF
  # What a load balancer and a monitor ask, and a manage link's token kept out of the access log.
  "$PY" - "$SITE_URL" <<'EOF' || fail "probes, /metrics or the access log (above)"
import os, sys, urllib.error, urllib.request
site = sys.argv[1]


def get(path, **headers):
    try:
        with urllib.request.urlopen(urllib.request.Request(site + path, headers=headers), timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


checks = [("/livez", get("/livez")[0] == 200), ("/readyz", get("/readyz")[0] == 200),
          ("/metrics without its token: 401", get("/metrics")[0] == 401)]
status, body = get("/metrics", Authorization="Bearer " + os.environ["METRICS_TOKEN"])
checks.append(("/metrics", status == 200 and "fundraising_stripe_events_applied" in body))
get("/c/demo/manage/smoke-secret-token/")
for name, ok in checks:
    print(f"smoke: {name}: {'ok' if ok else 'FAILED'}")
sys.exit(0 if all(ok for _, ok in checks) else 1)
EOF
  sleep 0.5  # the access log line of that last request
  grep -q "/c/demo/manage/\[redacted\]/" "$WORK/gunicorn.log" || fail "gunicorn's access log has no redacted manage link"
  if grep -q "smoke-secret-token" "$WORK/gunicorn.log"; then fail "gunicorn's access log shows a manage token"; fi
  local pid
  for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a process died (pid $pid)"; done
  stop_all
}

nginx_conf() {  # nginx_conf FILE HTTP_PORT HTTPS_PORT APP_PORT: the shipped file with this run's ports and paths
  sed -e "s|server 127.0.0.1:8000;|server 127.0.0.1:$4;|" -e "s|listen 443 ssl;|listen 127.0.0.1:$3 ssl;|" \
      -e "s|listen 80;|listen 127.0.0.1:$2;|" -e "s|/etc/ssl/fundraising/fullchain.pem|$WORK/tls/cert.pem|" \
      -e "s|/etc/ssl/fundraising/privkey.pem|$WORK/tls/key.pem|" -e "s|/srv/fundraising/var/widgets|$WIDGET_ROOT|" \
      -e "s|/srv/fundraising/staticfiles/|$ROOT/staticfiles/|" -e "s|/var/cache/nginx/fundraising|$WORK/tls/cache-$2|" "$1"
}

tls_stage() {  # both nginx files in one nginx (the balancer's renamed apart), gunicorn with DEBUG=0
  local nginx=/usr/sbin/nginx app_port http_port https_port lb_port conf="$WORK/tls/nginx.conf"
  [ -x "$nginx" ] && command -v openssl >/dev/null || fail "the tls stage needs nginx and openssl (apt-get install nginx)"
  mkdir -p "$WORK/tls/logs"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout "$WORK/tls/key.pem" \
    -out "$WORK/tls/cert.pem" >/dev/null 2>&1 || fail "openssl could not make a certificate"
  export DATABASE_URL="sqlite:///$WORK/tls.sqlite3" WIDGET_ROOT="$WORK/widgets-tls" SECURE_SSL_REDIRECT=1
  export SITE_URL="https://localhost" ALLOWED_HOSTS=localhost,127.0.0.1
  manage migrate --noinput
  manage seed_demo --force  # production settings: seed_demo refuses DEBUG=0 without it
  manage widgets_refresh
  app_port=$(free_port) http_port=$(free_port) https_port=$(free_port) lb_port=$(free_port)
  start gunicorn-tls "$BIN/gunicorn" fundraising.wsgi -k gthread -w 2 --threads 4 -b "127.0.0.1:$app_port"
  { echo "pid $WORK/tls/nginx.pid; error_log $WORK/tls/nginx-error.log warn; events { worker_connections 64; }"
    echo "http { include /etc/nginx/mime.types; access_log off;"
    nginx_conf deploy/nginx.conf "$http_port" "$https_port" "$app_port"
    nginx_conf deploy/nginx-behind-lb.conf "$lb_port" 0 "$app_port" | sed \
      -e 's/^map \$http_x_forwarded_proto \$fundraising_proto/map $http_x_forwarded_proto $lb_proto/' \
      -e 's/^map \$fundraising_proto \$fundraising_hsts/map $lb_proto $lb_hsts/' \
      -e 's/\$fundraising_proto;/$lb_proto;/; s/\$fundraising_hsts always;/$lb_hsts always;/' \
      -e 's/upstream fundraising_app/upstream lb_app/; s|http://fundraising_app;|http://lb_app;|' \
      -e 's/keys_zone=fundraising_widgets/keys_zone=lb_widgets/; s/proxy_cache fundraising_widgets;/proxy_cache lb_widgets;/' \
      -e '/^open_file_cache/d'
    echo "}"; } > "$conf"
  start nginx-tls "$nginx" -p "$WORK/tls" -c "$conf" -g "daemon off; user root;"
  http_wait "http://127.0.0.1:$app_port/healthz"
  "$PY" - "$http_port" "$https_port" "$lb_port" <<'EOF' || fail "nginx with TLS: a check failed (above)"
import http.client, ssl, sys, time
http_port, https_port, lb_port = (int(p) for p in sys.argv[1:])
context = ssl.create_default_context()
context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # self-signed


def get(port, path, tls=False, **headers):
    for _ in range(100):  # nginx may still be starting
        try:
            conn = (http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context) if tls
                    else http.client.HTTPConnection("127.0.0.1", port, timeout=10))
            conn.request("GET", path, headers={"Host": "localhost", "Accept-Encoding": "gzip", **headers})
            response = conn.getresponse()
            response.read()
            return response
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"smoke: tls: nothing answers on {port}")


checks = []
r = get(http_port, "/c/demo/")
checks.append(("http -> https", r.status == 301 and r.getheader("Location") == "https://localhost/c/demo/"))
r = get(https_port, "/c/demo/", tls=True)
checks.append(("https page, no redirect loop", r.status == 200 and bool(r.getheader("Strict-Transport-Security"))))
r = get(https_port, "/w/demo.svg", tls=True)
checks.append(("https widget file: HSTS and Vary", r.status == 200 and r.getheader("Vary") == "Accept-Encoding"
               and r.getheader("Strict-Transport-Security") == "max-age=31536000"))
r = get(lb_port, "/c/demo/", **{"X-Forwarded-Proto": "https"})
checks.append(("behind a balancer, https: no redirect loop", r.status == 200))
r = get(lb_port, "/c/demo/", **{"X-Forwarded-Proto": "http"})
checks.append(("behind a balancer, http -> https", r.status == 301))
for name, ok in checks:
    print(f"smoke: tls: {name}: {'ok' if ok else 'FAILED'}")
sys.exit(0 if all(ok for _, ok in checks) else 1)
EOF
  stop_all
  unset DATABASE_URL
  export SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS=127.0.0.1
}

redis_restart_stage() {  # a worker on a redis-server of its own, holding a delayed task, while it restarts empty
  local port worker_pid redis_pid
  command -v redis-server >/dev/null || fail "the redis-restart stage needs redis-server"
  port=$(free_port)
  start redis-own redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no
  redis_pid=$!
  psql "$SMOKE_PG/postgres" -qc "CREATE DATABASE $DB_NAME" >/dev/null 2>&1 || true
  export DATABASE_URL="$SMOKE_PG/$DB_NAME" REDIS_URL="redis://127.0.0.1:$port/0" WIDGET_ROOT="$WORK/widgets-redis"
  manage migrate --noinput
  start worker-restart "$BIN/celery" -A fundraising worker -c 1 --without-gossip --without-mingle --loglevel=INFO
  worker_pid=$!
  for _ in $(seq 100); do grep -q " ready." "$WORK/worker-restart.log" && break; sleep 0.3; done
  "$PY" manage.py shell -c "from fundraising.ops.tasks import beat_heartbeat; beat_heartbeat.apply_async(countdown=300)" \
    >> "$WORK/manage.log" 2>&1 || fail "could not queue a delayed task"
  for _ in $(seq 50); do grep -q "beat_heartbeat.*received" "$WORK/worker-restart.log" && break; sleep 0.2; done
  kill -TERM "$redis_pid"
  wait "$redis_pid" 2>/dev/null || true
  start redis-own-again redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no
  for _ in $(seq 100); do
    [ "$(grep -c "Connected to" "$WORK/worker-restart.log")" -ge 2 ] && break
    kill -0 "$worker_pid" 2>/dev/null || break
    sleep 0.3
  done
  kill -0 "$worker_pid" 2>/dev/null || fail "the worker died when Redis restarted"
  "$PY" manage.py shell -c "from fundraising.ops.tasks import beat_heartbeat; beat_heartbeat.delay()" \
    >> "$WORK/manage.log" 2>&1 || fail "could not queue a task after the restart"
  for _ in $(seq 100); do grep -q "beat_heartbeat.*succeeded" "$WORK/worker-restart.log" && break; sleep 0.3; done
  grep -q "beat_heartbeat.*succeeded" "$WORK/worker-restart.log" || fail "the worker took no task after the restart"
  kill -0 "$worker_pid" 2>/dev/null || fail "the worker died after the restart"
  echo "smoke: redis-restart: the worker reconnected and ran the next task"
  stop_all
  psql "$SMOKE_PG/postgres" -qc "DROP DATABASE IF EXISTS $DB_NAME" >/dev/null 2>&1 || true
  unset DATABASE_URL REDIS_URL
}

# A fresh key each run: production settings refuse short, low-entropy or published keys.
export DEBUG=0 SECRET_KEY="smoke-$(python3 -c "import secrets; print(secrets.token_urlsafe(50))")" ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=0 STRIPE_WEBHOOK_SECRET=whsec_smoke_local_only FUNDRAISING_IGNORE_DOTENV=1
# Anonymous callers get only ok/fail from /healthz; the operator's token gets each check's details.
export HEALTHZ_TOKEN=smoke-healthz-token METRICS_TOKEN=smoke-metrics-token
export PATH="$BIN:$PATH"
unset STRIPE_SECRET_KEY STRIPE_API_BASE DATABASE_URL REDIS_URL

for stage in $SMOKE_STAGES; do
  case $stage in
    postgres)
      say "PostgreSQL + Redis: gunicorn -w 2, a Celery worker and beat"
      psql "$SMOKE_PG/postgres" -qc "CREATE DATABASE $DB_NAME" >/dev/null || fail "cannot create $DB_NAME on $SMOKE_PG"
      export DATABASE_URL="$SMOKE_PG/$DB_NAME" REDIS_URL="$SMOKE_REDIS/$SMOKE_REDIS_DB" WIDGET_ROOT="$WORK/widgets-pg"
      redis-cli -u "$REDIS_URL" flushdb >/dev/null || fail "cannot reach Redis at $REDIS_URL"
      start worker "$BIN/celery" -A fundraising worker -c 2 --loglevel=INFO
      start beat "$BIN/celery" -A fundraising beat --loglevel=INFO --schedule "$WORK/beat-schedule"
      run_stage "$(free_port)"
      unset DATABASE_URL REDIS_URL
      ;;
    sqlite)
      say "embedded default: SQLite, no Redis, gunicorn -w 2"
      export DATABASE_URL="sqlite:///$WORK/db.sqlite3" WIDGET_ROOT="$WORK/widgets-sqlite"
      run_stage "$(free_port)"
      unset DATABASE_URL
      ;;
    tls)
      say "TLS: deploy/nginx.conf and deploy/nginx-behind-lb.conf, gunicorn with DEBUG=0"
      tls_stage
      ;;
    redis-restart)
      say "a worker holding a delayed task survives a Redis restart"
      redis_restart_stage
      ;;
    *) fail "unknown stage $stage (postgres, sqlite, tls, redis-restart)" ;;
  esac
done
say "passed: ${SMOKE_STAGES}"
