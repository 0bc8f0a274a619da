"""Invoices and e-mails in their reader's language; the language chosen and the formats it brings."""

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app import db
from domain.models import OutboxMessage
from tests.conftest import login


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_fonts(data: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


def test_an_invoice_in_chinese_has_its_labels_and_mentions_in_chinese_with_a_cjk_font(make):
    customer = make.customer(make.reseller(discount_bp=2000), "上海贸易有限公司", country="DE", locale="zh_Hans")
    invoice = make.invoice(customer)
    text = pdf_text(invoice.pdf)
    for label in ("发票", "发票开给", "开具日期", "到期日期", "服务期间", "业务订阅", "经销商折扣 20%",
                  "不含增值税总额", "德国增值税 19%", "通过银行转账付款", "收款人", "上海贸易有限公司"):
        assert label in text, label
    assert "Invoice" not in text and "Due date" not in text
    assert any("WenQuanYi" in font for font in pdf_fonts(invoice.pdf))  # the glyphs are embedded, not substituted


def test_a_french_invoice_carries_the_reverse_charge_mention_in_french(make):
    customer = make.customer(make.reseller(), "Dupont SARL", country="FR", vat_number="FR61954506077", locale="fr")
    text = pdf_text(make.invoice(customer).pdf)
    assert "Autoliquidation : TVA due par le preneur (art. 196 de la directive 2006/112/CE)" in " ".join(text.split())
    assert "Facture" in text and "Date d'échéance" in text and "Abonnement Business" in text
    assert "1\u202f200,00\xa0€" in text  # French digits: narrow no-break space, decimal comma, the sign after


def test_the_invoice_e_mail_speaks_the_customers_language_and_a_member_reads_their_own(app, make):
    customer = make.customer(make.reseller(), "Lyon Conseil", locale="fr")
    invoice = make.invoice(customer)
    from domain import notifications, seats

    notifications.invoice_issued(invoice)
    french_reader = make.user("lea@example.test")
    french_reader.locale, customer.locale = "fr", "zh_Hans"
    admin = make.customer_admin(customer)
    seats.add_members(customer, ["lea@example.test", "new@example.test"], actor=admin)
    db.session.commit()
    mail = {m.to_address: m for m in db.session.scalars(sa.select(OutboxMessage))}
    assert mail[customer.billing_email].subject.startswith(f"Facture {invoice.number} de ")
    assert "Veuillez trouver la facture" in mail[customer.billing_email].body_text
    assert mail["lea@example.test"].subject == "Vous avez été ajouté à l'abonnement Business de Lyon Conseil"
    assert mail["new@example.test"].subject == "Lyon Conseil 邀请您加入其业务订阅"  # no account yet: the customer's


@pytest.mark.parametrize("header, expected", [
    ("zh-CN,zh;q=0.9", "zh-Hans"), ("zh-TW", "zh-Hans"), ("fr-CA,fr;q=0.8,en;q=0.5", "fr"),
    ("de-DE,de;q=0.9", "en"), ("de;q=0.9,fr;q=0.5", "fr"), ("", "en")])
def test_without_a_saved_choice_the_browser_language_decides(client, header, expected):
    page = client.get("/login", headers={"Accept-Language": header}).text
    assert f'<html lang="{expected}">' in page


def test_the_switcher_saves_the_choice_before_and_after_logging_in(app, make):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    assert client.post("/language", data={"locale": "zh_Hans", "next": "/login"}).headers["Location"] == "/login"
    assert "登录" in client.get("/login").text  # the choice beats the browser's French
    user = make.reseller_admin()
    login(client, user)
    assert db.session.get(type(user), user.id).locale == "zh_Hans"  # chosen before logging in, kept on the account
    client.post("/language", data={"locale": "fr"})
    assert db.session.get(type(user), user.id).locale == "fr"
    other = app.test_client()
    login(other, user)  # another browser, English by default: the account's choice wins
    assert "Clients" in other.get("/console/").text
    assert other.post("/language", data={"locale": "de"}).status_code == 400
    assert other.post("/language", data={"locale": "fr", "next": "//evil.test/"}).headers["Location"] == "/"


def test_amounts_and_dates_follow_the_locale(app, make):
    customer = make.customer(make.reseller(), "Acme", licenses=120)
    invoice = make.invoice(customer)  # 120 licenses x 12 months x EUR 10.00 + 19 % VAT = EUR 17,136.00
    user = make.reseller_admin(customer.reseller)
    client = app.test_client()
    login(client, user)
    pages = {}
    for locale in ("en", "fr", "zh_Hans"):
        client.post("/language", data={"locale": locale})
        pages[locale] = client.get(f"/console/billing/?customer={customer.id}").text
    assert "€17,136.00" in pages["en"] and "17\u202f136,00\xa0€" in pages["fr"] and "€17,136.00" in pages["zh_Hans"]
    day = invoice.issued_on
    assert f"{day.year}年{day.month}月{day.day}日" in pages["zh_Hans"]
    assert f" {day.year}" in pages["fr"] and f"{day.year}年" not in pages["fr"]


def test_remembered_labels_follow_the_language_they_are_drawn_in(app):
    from datetime import date, datetime

    from flask_babel import force_locale

    from blueprints.web import day_label
    from domain.labels import status_label
    from domain.pricing import term_label

    with app.test_request_context():
        drawn = {}
        for locale in ("en", "fr", "zh_Hans", "en", "fr"):  # each language again after another, from memory
            with force_locale(locale):
                drawn.setdefault(locale, set()).add((status_label("active"), term_label(12),
                                                     day_label(date(2027, 1, 5)), day_label(datetime(2027, 1, 5, 23))))
    assert drawn == {"en": {("active", "12 months", "Jan 5, 2027", "Jan 5, 2027")},
                     "fr": {("actif", "12 mois", "5 janv. 2027", "5 janv. 2027")},
                     "zh_Hans": {("有效", "12 个月", "2027年1月5日", "2027年1月5日")}}


def test_the_payer_page_speaks_the_invoices_language_unless_the_visitor_chose_one(app, make):
    from domain import links

    invoice = make.invoice(make.customer(make.reseller(), "Dupont SARL", country="FR", locale="fr"))
    client = app.test_client()
    url = f"/pay/{links.sign('payer-invoice', invoice.id)}"
    assert "Payer par virement bancaire" in client.get(url, headers={"Accept-Language": "en"}).text
    client.post("/language", data={"locale": "zh_Hans"})
    assert "通过银行转账付款" in client.get(url).text
