"""htmx helpers: a page's own template answers both the whole page and the parts htmx asks for."""

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_blocks

CONTENT_REGION = "content"  # id of <main>; the Acting On switch swaps it


def wants_fragment() -> bool:
    """True when htmx asked for a piece of a page rather than a whole one."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


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
