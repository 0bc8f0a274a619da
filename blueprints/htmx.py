"""htmx helpers: a page's own template answers both the whole page and the parts htmx asks for."""

from urllib.parse import urlsplit, urlunsplit

from flask import make_response, render_template, request, url_for
from jinja2_fragments.flask import render_blocks

CONTENT_REGION = "content"  # id of <main>; the Acting On switch swaps it


def from_htmx() -> bool:
    """True when htmx sent the request (rather than the browser itself)."""
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """True when htmx asked for a piece of a page rather than a whole one."""
    headers = request.headers
    return from_htmx() and headers.get("HX-Boosted") != "true" and headers.get("HX-History-Restore-Request") != "true"


def render(template: str, *blocks: str, trigger: str | None = None, **context):
    """Render the whole template, or for htmx only ``blocks`` of it (the content region when targeted)."""
    if wants_fragment() and request.headers.get("HX-Target") == CONTENT_REGION:
        blocks = (CONTENT_REGION,)
    if blocks and wants_fragment():
        body = render_blocks(template, list(blocks), is_fragment=True, **context)
    else:
        body = render_template(template, is_fragment=False, **context)
    response = make_response(body)
    response.vary.add("HX-Request")
    if trigger:
        response.headers["HX-Trigger"] = trigger
    return response


def page_path() -> str:
    """The path and query of the page an htmx request was sent from (``HX-Current-URL``), "" if not this site's."""
    page = urlsplit(request.headers.get("HX-Current-URL", ""))
    return urlunsplit(("", "", page.path, page.query, "")) if page.netloc == request.host and page.path else ""


def whole_window_to_login(response):
    """After each request: an htmx request sent to the login page (its session ended: logged out in another tab,
    expired, the account removed) takes the whole window there, back to the page it came from once logged in,
    rather than a login form swapped into a part of the page (htmx follows a redirect by itself)."""
    if not from_htmx() or response.status_code not in (301, 302, 303, 307, 308):
        return response
    login = url_for("auth.login")
    if urlsplit(response.location).path != login:
        return response
    back = page_path()
    del response.headers["Location"]
    response.status_code = 200  # htmx acts on HX-Redirect whatever the status; a 200 is no error in the console
    response.set_data(b"")
    response.headers["HX-Redirect"] = url_for("auth.login", next=back) if back else login
    return response
