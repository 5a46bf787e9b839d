"""Headless Chromium for browser tests (Debian's /usr/bin/chromium, driven by Playwright)."""

import contextlib
from pathlib import Path

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextlib.contextmanager
def chromium_browser(executable):
    """Start it after the test's database work: Playwright's sync API runs an event loop in this thread."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def in_thread(query):
    """Run a database query beside Playwright: its sync API runs an event loop in this thread, where Django
    refuses database calls."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run():
        try:
            return query()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result(timeout=30)


def admin_login(page, base, username="alice", password="password"):
    """Sign in to the admin at `base` and wait for the page it lands on (tests/factories.py's password)."""
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("input[type=submit]")
