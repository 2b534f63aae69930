"""Browser tests: the app served over real HTTP and driven by a headless Chromium.

Without Chromium these tests skip, so a newcomer can still run the suite;
CI sets DISPATCH_REQUIRE_BROWSER=1 so that a missing browser fails instead.
"""
import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The network is closed here: without these Chromium keeps trying to reach Google.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
E2E_DIR = Path(__file__).parent


# tryfirst: the marker must be on before `-m e2e` / `-m "not e2e"` selects tests.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(app):
    """The base URL of the app, served from a background thread for the whole run."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # "localhost", not 127.0.0.1: Chromium counts http://localhost as a secure context,
    # so it keeps the app's Secure session cookie as it would over HTTPS.
    yield f"http://localhost:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install Debian's chromium to run the browser tests"
        if os.environ.get("DISPATCH_REQUIRE_BROWSER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(**context_options): a page in a fresh browser context, so no cookies carry over."""
    contexts = []

    def open_page(**context_options):
        context = browser.new_context(base_url=live_server, **context_options)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def phone(new_page):
    """A page as a 360 px wide phone shows it: the narrowest common Android screen."""
    return new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
