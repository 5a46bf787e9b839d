"""Hostile-traffic bench: junk slugs and endless option values must not grow memory (prints figures; not a test).

One bounded run on 127.0.0.1, with a PostgreSQL database of its own that it creates and drops:
gunicorn (2 gthread workers) serves the seeded demo; after a warm-up, 10,000 requests for unique
junk widget slugs and 10,000 for unique `accent` values. Prints the workers' RSS growth and the
growth of the Redis keys in REDIS_URL's database next to the aims (< 5 MB, < 1 MB).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/7 \
        .venv/bin/python bench/hostile.py [--requests 10000] [--clients 4]
"""

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import servers  # noqa: E402
from bench.widgets import bench_env, bench_seed, bench_stop, database_urls, psql  # noqa: E402

RSS_AIM_MB, REDIS_AIM_MB = 5, 1


def worker_pids(master_pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master_pid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def rss_kb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def redis_bytes(client):
    """(keys, bytes) of the keys in this Redis database: other databases of the instance are not ours."""
    keys = list(client.scan_iter(count=1000))
    return len(keys), sum(client.memory_usage(key) or 0 for key in keys)


def hammer(port, paths, clients):
    """GET every path over `clients` keep-alive connections; returns {status: count}."""
    counts, lock = {}, threading.Lock()

    def run(chunk):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for path in chunk:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            with lock:
                counts[response.status] = counts.get(response.status, 0) + 1
        connection.close()

    threads = [threading.Thread(target=run, args=(paths[i::clients],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts


def junk_paths(count, start):
    # Unique slugs of every length up to past the file system's limit; slugs are [-a-zA-Z0-9_].
    return [f"/w/junk-{n}-{'x' * (n % 300)}.{('json', 'svg')[n % 2]}" for n in range(start, start + count)]


def accent_paths(count, start):
    return [f"/w/demo.svg?accent={n:06x}&theme={('light', 'dark')[n % 2]}" for n in range(start, start + count)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10000, help="unique slugs, and unique option values")
    parser.add_argument("--clients", type=int, default=4, help="concurrent keep-alive connections")
    args = parser.parse_args()
    base, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not base.startswith("postgres") or not redis_url:
        sys.exit("set DATABASE_URL (PostgreSQL, any database: the bench makes its own) and REDIS_URL")
    admin_url, db_url, db_name = database_urls(base)
    tmp = Path(tempfile.mkdtemp(prefix="fr-hostile-"))
    env = bench_env(db_url=db_url, widget_root=tmp / "widgets")
    gunicorn = None
    psql(admin_url, f'CREATE DATABASE "{db_name}"')
    try:
        import redis

        bench_seed()
        client = redis.Redis.from_url(redis_url)

        port = servers.free_port()
        with (tmp / "gunicorn.err").open("w") as err:
            gunicorn = servers.gunicorn(port=port, env=env, workers=2, threads=4, error_log=tmp / "gunicorn.log",
                                        stdout=subprocess.DEVNULL, stderr=err)  # fmt: skip
        servers.wait_http(f"http://127.0.0.1:{port}/w/demo.json")
        warm = max(1000, args.requests // 5)
        hammer(port, junk_paths(warm, 10**7) + accent_paths(warm, 10**7), args.clients)  # fill every bounded memo
        time.sleep(1)
        workers = worker_pids(gunicorn.pid)
        rss_before = {pid: rss_kb(pid) for pid in workers}
        keys_before, bytes_before = redis_bytes(client)
        started = time.monotonic()
        junk = hammer(port, junk_paths(args.requests, 0), args.clients)
        options = hammer(port, accent_paths(args.requests, 0), args.clients)
        seconds = time.monotonic() - started
        time.sleep(1)
        keys_after, bytes_after = redis_bytes(client)
        print(f"{args.requests} unique junk slugs: {junk}; {args.requests} unique accents: {options}; {seconds:.1f} s")
        for pid in workers:
            growth = (rss_kb(pid) - rss_before[pid]) / 1024
            verdict = "ok" if growth < RSS_AIM_MB else "OVER"
            print(f"worker {pid}: RSS {rss_before[pid] / 1024:.1f} MB -> {rss_kb(pid) / 1024:.1f} MB, "
                  f"growth {growth:+.2f} MB (aim < {RSS_AIM_MB} MB) {verdict}")
        growth = (bytes_after - bytes_before) / 2**20
        verdict = "ok" if growth < REDIS_AIM_MB else "OVER"
        print(f"redis db of REDIS_URL: {keys_before} -> {keys_after} keys, growth {growth:+.3f} MB "
              f"(aim < {REDIS_AIM_MB} MB) {verdict}")
        errors = {status: n for status, n in {**junk, **options}.items() if status >= 500}
        if errors:
            print(f"server errors: {errors}; see {tmp / 'gunicorn.log'}")
    finally:
        bench_stop(processes=[gunicorn] if gunicorn is not None else [], admin_url=admin_url, db_name=db_name, tmp=tmp)


if __name__ == "__main__":
    main()
