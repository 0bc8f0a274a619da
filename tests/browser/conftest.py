"""Playwright drives Debian's Chromium (never a downloaded browser)."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


# htmx reports as errors a quote request it aborted itself because a newer keystroke replaced it
# (``hx-sync="this:replace"``): the abort and the end of that request. A request that really fails still
# reports its own error (htmx:sendError, htmx:timeout, htmx:responseError).
SUPERSEDED = ("htmx:sendAbort", "htmx:afterRequest")


@pytest.fixture(autouse=True)
def no_errors_in_the_console(request):
    """Every page a browser test opens loads without an error in the console: no resource missing, no script
    failing, nothing the Content-Security-Policy blocked (Chromium reports each refusal there). A test that makes
    a request fail on purpose names what it expects with ``@pytest.mark.console_errors("text in the error", ...)``."""
    if "page" not in request.fixturenames:
        yield
        return
    page, errors = request.getfixturevalue("page"), []
    expected = tuple(text for marker in request.node.iter_markers("console_errors") for text in marker.args)

    def console(message):
        if message.type == "error" and not message.text.startswith(SUPERSEDED) \
                and not any(text in message.text for text in expected):
            errors.append(f"{page.url}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    yield
    assert errors == [], "\n".join(errors)
