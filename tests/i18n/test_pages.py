"""Every page, as each role sees it, in French and in Chinese: no English left where a translation exists.

The walk takes every GET route of the app's URL map and fills its parameters with the role's own
objects, so a new page is walked without being listed here. In each HTML page it reads the text
and the attributes people read (placeholders, labels, confirmations), leaving out what is stored
data marked ``translate="no"`` (e-mail bodies, audit values, bank remittance text), and looks for
any English catalogue entry whose translation differs. Chinese pages are also searched for English
prose (two lowercase words in a row), which catches a string nobody marked for translation.
"""

import re
from pathlib import Path

import lxml.html
import pytest
from babel.support import Translations

from domain import links, outbox
from domain.models import CustomerAdmin, OrderStatus, PaymentMethod, StatementLine
from invoices import issuing
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
ROLES = ["anonymous", "member", "customer admin", "reseller admin", "operator"]
ATTRIBUTES = ("placeholder", "aria-label", "title", "alt", "hx-confirm")
PLACEHOLDER = re.compile(r"%\(\w+\)s")
ENGLISH_PROSE = re.compile(r"\b[a-z]{2,} [a-z]{2,}\b")
CJK = re.compile(r"[\u4e00-\u9fff]")


def english_entries(locale: str) -> tuple[set[str], list[re.Pattern]]:
    """The English texts that this locale translates differently: literal ones, and patterns of those with values."""
    catalog = Translations.load(str(ROOT / "translations"), [locale])._catalog
    literal, patterns = set(), []
    for key, text in catalog.items():
        english = key[0] if isinstance(key, tuple) else key
        if not english or text == english:
            continue
        english = english.replace("%%", "%")
        if PLACEHOLDER.search(english):
            pieces = [re.escape(piece.strip()) for piece in PLACEHOLDER.split(english)]
            if sum(len(piece) for piece in pieces) >= 12 and "<" not in english:
                patterns.append(re.compile(r"\s*.+?\s*".join(pieces)))
        elif "<" not in english:
            literal.add(english)
    return literal, patterns


def read_texts(html: str) -> list[str]:
    """What a person reads on the page: text and the attributes shown to them, without stored data."""
    doc = lxml.html.fromstring(html)
    for element in doc.xpath('//*[@translate="no"] | //script | //style'):
        element.drop_tree()
    texts = [" ".join(text.split()) for text in doc.itertext()]
    texts += [" ".join(element.get(name).split()) for name in ATTRIBUTES for element in doc.xpath(f"//*[@{name}]")]
    return [text for text in texts if text]


def leftovers(html: str, locale: str, english) -> list[str]:
    literal, patterns = english
    return [text for text in read_texts(html) if _english(text, locale, literal, patterns)]


def _english(text: str, locale: str, literal: set[str], patterns: list[re.Pattern]) -> bool:
    """An English entry as the whole text, a long one inside it, one with its values filled in, or prose."""
    return (text in literal or text.rstrip(".:") in literal or any(p.search(text) for p in patterns)
            or any(len(entry) > 30 and entry in text for entry in literal)
            or (locale == "zh_Hans" and bool(ENGLISH_PROSE.search(text))))


@pytest.fixture
def world(make):
    """A reseller, its customer with members, an administrator, invoices and payments, and the vendor."""
    reseller = make.reseller("Northwind", discount_bp=2000)
    mine = make.customer(reseller, "Acme", members=2)
    invoice = make.invoice(mine)
    note = issuing.credit(invoice, [("Goodwill", 100)], "Goodwill")
    order = make.order(mine, payment_method=PaymentMethod.CARD)
    order.status, order.provider, order.provider_ref = OrderStatus.AWAITING_PAYMENT, "sandbox", "sbx_mine"
    line = StatementLine(bank_reference="B-1", statement_id="S-1", booked_on=invoice.issued_on,
                         amount_minor=100, currency="EUR", remittance="Rechnung")
    message = outbox.enqueue(mine.billing_email, "Invoice", "Hello", kind="test")
    from app import db

    db.session.add(line)
    admin = make.customer_admin(mine)
    member, member_row = make.member(mine)
    db.session.commit()
    import sqlalchemy as sa

    objects = {"customer_id": mine.id, "subscription_id": mine.subscription.id, "member_id": member_row.id,
               "invoice_id": invoice.id, "order_id": order.id, "reference": order.provider_ref,
               "credit_note_id": note.id, "line_id": line.id, "reseller_id": reseller.id, "message_id": message.id,
               "admin_id": db.session.scalar(sa.select(CustomerAdmin.id).where(CustomerAdmin.user_id == admin.id)),
               "token": links.sign("payer-invoice", invoice.id), "provider": "sandbox",
               "user_id": make.reseller_admin(reseller).id}  # a second administrator: its removal is asked
    people = {"anonymous": None, "member": member, "customer admin": admin,
              "reseller admin": make.reseller_admin(reseller), "operator": make.operator()}
    return {"objects": objects, "people": people, "customer": mine}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_reads_in_the_chosen_language(app, world, role):
    """Chinese first, then French in the same app: a page compiled in one language must not keep its words."""
    person = world["people"][role]
    for locale in ("zh_Hans", "fr"):
        client = app.test_client()  # a new visit (flashes of the last one are not this one's), the same app
        if person is not None:
            login(client, person)
        assert client.post("/language", data={"locale": locale, "next": "/"}).status_code == 303  # the switcher
        walk(app, client, world, role, locale)


def walk(app, client, world, role: str, locale: str) -> None:
    english = english_entries(locale)
    walked, problems = [], {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = rule.build({name: world["objects"][name] for name in rule.arguments})[1]
        if rule.endpoint.split(".")[0] in {"dashboard", "create", "manage", "licenses", "business", "billing",
                                           "account"}:
            url += ("&" if "?" in url else "?") + f"customer={world['customer'].id}"
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        walked.append(rule.endpoint)
        found = leftovers(response.text, locale, english)
        if locale == "fr":  # nothing Chinese left from the walk before, but the switcher's own "中文"
            found += [text for text in read_texts(response.text) if CJK.search(text) and text != "中文"]
        if found:
            problems[url] = found
    assert not problems, problems
    minimum = {"anonymous": 3, "member": 2, "customer admin": 5, "reseller admin": 10, "operator": 8}[role]
    assert len(walked) >= minimum, walked
    print(f"{role} in {locale}: {len(walked)} pages")


def test_the_walk_finds_english_left_on_a_page(app, world):
    """The check above can fail: an English page read as a French one shows its English entries."""
    client = app.test_client()
    login(client, world["people"]["reseller admin"])
    page = client.get(f"/console/?customer={world['customer'].id}").text
    found = leftovers(page, "zh_Hans", english_entries("fr"))
    assert {"Customers", "Acting On", "Licenses used", "Search customers"} <= set(found)
    assert any(ENGLISH_PROSE.search(text) for text in found)


REFUSED_FORMS = [  # what a reseller sees when a form is refused, with its messages next to the fields
    ("/console/create/", {"name": "", "country": "DE", "vat_number": "FR123", "licenses": "abc", "contact_email": "x@",
                          "payment_method": "bank_transfer", "term_months": "1"}, "此字段为必填项|必填"),
    ("/console/create/quote", {"name": "X", "country": "FR", "vat_number": "DE136695976", "licenses": "3",
                               "payment_method": "card", "term_months": "12"}, "增值税号"),
    ("/console/manage/members", {"emails": "a@b.test, not-an-address, a@b.test"}, "未添加任何成员"),
    ("/console/manage/members", {"emails": ",".join(f"n{i}@x.test" for i in range(30))}, "再购买"),
    ("/console/manage/renewal", {"mode": "number", "renewal_licenses": "1"}, "名成员：请至少续订"),
    ("/console/licenses/quote", {"licenses": "3", "payment_method": "card"}, "本期还剩"),
    ("/console/business/", {"name": ""}, "必填"),
]


@pytest.mark.parametrize("url, data, expected", REFUSED_FORMS)
def test_refused_forms_and_fragments_read_in_chinese(app, world, url, data, expected):
    client = app.test_client()
    login(client, world["people"]["reseller admin"])
    client.post("/language", data={"locale": "zh_Hans"})
    for headers in ({}, {"HX-Request": "true"}):  # the whole page without JavaScript, the fragment with htmx
        response = client.post(f"{url}?customer={world['customer'].id}", data=data, headers=headers)
        assert response.status_code in (200, 422), (url, response.status_code)
        assert re.search(expected, response.text), url
        assert not leftovers(response.text, "zh_Hans", english_entries("zh_Hans")), url


@pytest.mark.parametrize("locale", ["zh_Hans", "fr"])
def test_an_ended_subscriptions_new_term_reads_in_the_chosen_language(app, make, world, locale):
    """The walk sees active subscriptions; a new start is walked here, as the reseller and the customer's own
    administrator reach it, its price fragment included."""
    from app import db
    from domain.models import SubscriptionStatus

    ended = make.customer(world["customer"].reseller, "Beta", members=2)
    ended.subscription.status = SubscriptionStatus.EXPIRED
    db.session.commit()
    english, term = english_entries(locale), {"licenses": "3", "term_months": "12", "payment_method": "bank_transfer"}
    for person, pages, quote in [
        (world["people"]["reseller admin"], [f"/console/manage/?customer={ended.id}", "/console/licenses/"],
         "/console/licenses/restart/quote"),
        (make.customer_admin(ended), ["/portal/", f"/portal/customers/{ended.id}/members",
                                      f"/portal/customers/{ended.id}/licenses"],
         f"/portal/customers/{ended.id}/licenses/restart/quote"),
    ]:
        client = app.test_client()
        login(client, person)
        client.post("/language", data={"locale": locale})
        for url in pages:
            page = client.get(url)
            assert page.status_code == 200 and not leftovers(page.text, locale, english), url
        assert 'id="restart-form"' in client.get(pages[-1]).text
        part = client.post(quote, data=term, headers={"HX-Request": "true"})
        assert part.text.lstrip().startswith('<aside id="restart-quote"')
        assert not leftovers(part.text, locale, english), quote
