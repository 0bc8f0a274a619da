"""On a phone (390 px wide) and a tablet (1024 px) no page of the reseller's console, the vendor's or the customer
portal scrolls sideways: a table wider than the screen scrolls by itself inside its card. On a phone the menu is
one row that scrolls, however short the page, and shows the current page's entry, and the top bar takes two rows
at most. A table that scrolls shows a shadow on each side where it has more, and takes the keyboard's focus to be
scrolled; a table that fits takes none."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.test_acting_on import _log_in

pytestmark = pytest.mark.browser

SCREENS = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 1024, "height": 768}}
RESELLER_PAGES = ["/console/", "/console/create/", "/console/manage/", "/console/licenses/", "/console/business/",
                  "/console/billing/", "/console/billing/orders", "/console/account/team", "/console/account/audit"]
VENDOR_PAGES = ["/vendor/", "/vendor/invoices", "/vendor/payments", "/vendor/audit", "/vendor/outbox",
                "/vendor/settings", "/vendor/operators"]


def _sideways(page) -> int:
    """How many pixels the page is wider than the screen."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _menu_rows(page, name: str) -> int:
    """How many rows of links the menu is high (a row with its padding is about three of its lines); 0 when the
    current page's entry is not on the screen."""
    menu = page.get_by_role("navigation", name=name)
    line = float(menu.get_by_role("link").first.evaluate("a => parseFloat(getComputedStyle(a).lineHeight)"))
    current = menu.locator("[aria-current=page]").bounding_box()
    if current["x"] < 0 or current["x"] + current["width"] > page.viewport_size["width"]:
        return 0
    return round(menu.bounding_box()["height"] / line / 3)


@pytest.fixture(params=SCREENS)
def screen(request, page):
    page.set_viewport_size(SCREENS[request.param])
    return request.param, page


def _hidden_columns(page) -> tuple[str, ...]:
    """The headers of the table columns the page does not show at this width."""
    return tuple(page.locator("th").evaluate_all(
        "ths => ths.filter(th => getComputedStyle(th).display === 'none').map(th => th.textContent.trim())"))


def _scrolling_tables(page) -> int:
    """How many of the page's tables are wider than their card or take the focus (js/tables.js)."""
    return page.locator(".table-scroll").evaluate_all(
        "all => all.filter(s => s.scrollWidth > s.clientWidth || s.hasAttribute('tabindex')).length")


def _top_bar_rows(page) -> int:
    """How many rows the top bar's parts (brand, Acting On, languages, account) are laid out in."""
    return page.locator(".topbar > *").evaluate_all(
        "parts => new Set(parts.map(p => { const box = p.getBoundingClientRect();"
        " return Math.round((box.top + box.bottom) / 2 / 12); })).size")  # a row centres its parts


def _visit(page, base: str, paths: list[str], shots: str, menu: str | None) -> dict:
    """For each page: how far it is wider than the screen, how many rows its menu takes on a phone, which columns
    it hides, on a tablet how many of its tables scroll (on a phone some must), and the top bar's rows."""
    seen = {}
    for path in paths:
        page.goto(base + path)
        seen[path] = (_sideways(page), _menu_rows(page, menu) if menu else 1, _hidden_columns(page),
                      None if page.viewport_size == SCREENS["phone"] else _scrolling_tables(page),
                      _top_bar_rows(page))
        page.screenshot(path=f"{shots}{path.replace('/', '-')}.png", full_page=True)
    return seen


def test_no_console_page_is_wider_than_the_screen(screen, live_server, make, output_path):
    kind, page = screen
    make.seller()
    reseller = make.reseller("Northwind IT SAS")
    customer = make.customer(reseller, "Acme Consulting GmbH", members=4, licenses=10, vat_number="DE136695976")
    for email in ("dave.longname@acme-consulting.test", "erin.longname@acme-consulting.test"):
        make.member(customer, email)
    make.invoice(customer)
    _log_in(page, live_server, make.reseller_admin(reseller).email)
    page.get_by_label("Acting On").select_option(label="Acme Consulting GmbH")
    expect(page.locator("#acting-on-summary")).to_contain_text("Acme Consulting GmbH")
    on_phone = kind == "phone"
    seen = _visit(page, live_server, RESELLER_PAGES, f"{output_path}/{kind}", "Side menu" if on_phone else None)
    if on_phone:  # beside the side menu the member list fits (below); on a phone it scrolls to its row actions
        page.goto(live_server + "/console/manage/")
        members = page.locator("#member-table .table-scroll")
        remove = page.get_by_role("link", name="Remove Members").first
        assert remove.bounding_box()["x"] > SCREENS["phone"]["width"]  # the member table is wider than the phone...
        members.evaluate("t => t.scrollLeft = t.scrollWidth")  # ... and scrolls by itself to its row actions
        box = remove.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= SCREENS["phone"]["width"]
    page.get_by_role("button", name="Log out").click()

    _log_in(page, live_server, make.operator().email, landing="/vendor/")
    seen |= _visit(page, live_server, VENDOR_PAGES, f"{output_path}/{kind}", "Vendor menu" if on_phone else None)
    # one row of links, on short pages too, scrolled to show where the reader is; on a phone the customer list
    # leaves out the term, and no other list a column (a member's status, an audit event's action); on a tablet
    # every list fits beside the side menu; the top bar is one row, on a phone with Acting On in a second one
    tables, console_bar = (None, 2) if on_phone else (0, 1)
    expected = dict.fromkeys(RESELLER_PAGES, (0, 1, (), tables, console_bar)) | \
        dict.fromkeys(VENDOR_PAGES, (0, 1, (), tables, 1))
    assert seen == expected | ({"/console/": (0, 1, ("Term",), tables, 2)} if on_phone else {})


def test_no_page_of_the_customer_portal_is_wider_than_the_screen(screen, live_server, make, output_path):
    kind, page = screen
    make.seller()
    customer = make.customer(make.reseller(), "Acme Consulting GmbH", members=4, licenses=10)
    make.invoice(customer)
    _log_in(page, live_server, make.customer_admin(customer).email, landing="/portal/")
    paths = ["/portal/", *(f"/portal/customers/{customer.id}/{name}" for name in ("members", "licenses", "audit"))]
    expected = (0, 1, (), None if kind == "phone" else 0, 1)
    assert _visit(page, live_server, paths, f"{output_path}/{kind}", None) == dict.fromkeys(paths, expected)


def _edge_shades(table) -> tuple[int, int]:
    """How dark the lightest pixel of the table's middle half is 3 px inside its left and its right edge (0 white, 255
    black): text and lines are darker, but only a shadow darkens the whole edge (it fades towards the corners)."""
    shot = Image.open(io.BytesIO(table.screenshot())).convert("L")
    width, height = shot.size
    rows = range(height // 4, height * 3 // 4)
    return tuple(255 - max(shot.getpixel((x, y)) for y in rows) for x in (3, width - 4))


def test_a_table_wider_than_a_phone_shows_where_it_has_more_and_scrolls_by_keyboard(page, live_server, make,
                                                                                     output_path):
    page.set_viewport_size(SCREENS["phone"])
    make.seller()
    customer = make.customer(make.reseller(), "Acme Consulting GmbH", members=4, licenses=10)
    _log_in(page, live_server, make.customer_admin(customer).email, landing="/portal/")
    page.goto(f"{live_server}/portal/customers/{customer.id}/members")
    table = page.locator(".table-scroll").first
    assert table.evaluate("s => s.scrollWidth - s.clientWidth") > 0
    left, right = _edge_shades(table)
    assert table.get_attribute("tabindex") == "0" and table.get_attribute("role") == "region"  # a tab stop...
    table.focus()
    page.keyboard.press("ArrowRight")  # ... that the arrow keys scroll
    page.wait_for_function("s => s.scrollLeft > 0", arg=table.element_handle())
    table.evaluate("s => s.scrollLeft = s.scrollWidth")
    table.screenshot(path=f"{output_path}/scrolled-to-the-end.png")
    left_at_end, right_at_end = _edge_shades(table)
    assert right > right_at_end + 10 and left < 5  # at the start, a shadow on the right only...
    assert left_at_end > left + 10 and right_at_end < 5  # ... at the end, on the left only


@pytest.mark.parametrize("language", ["Français", "中文"])
def test_the_top_bar_keeps_its_rows_in_every_language(screen, language, live_server, make):
    kind, page = screen
    make.seller()
    reseller = make.reseller("Northwind IT SAS")
    make.customer(reseller, "Architekturbüro Großmann & Töchter GmbH")
    _log_in(page, live_server, make.reseller_admin(reseller).email)
    with page.expect_navigation():  # to its load event: htmx (deferred) listens to Acting On again
        page.get_by_role("button", name=language).click()
    expect(page.locator("html")).not_to_have_attribute("lang", "en")
    page.locator("#acting-on-select").select_option(label="Architekturbüro Großmann & Töchter GmbH")
    expect(page.locator("#acting-on-summary")).to_contain_text("Großmann")
    for path in ("/console/", "/console/billing/orders"):
        page.goto(live_server + path)
        assert (_sideways(page), _top_bar_rows(page)) == (0, 2 if kind == "phone" else 1), path
