"""How stored states read on a page, in the reader's language: ``{{ subscription.status|status }}``."""

from flask_babel import lazy_gettext as _l

# The languages of the product, each named in itself (for the switcher and the invoice language).
LANGUAGES = {"en": "English", "fr": "Français", "zh_Hans": "中文"}

STATUS_LABELS = {
    "active": _l("active"),
    "pending": _l("pending"),
    "suspended": _l("suspended"),
    "expired": _l("expired"),
    "lapsed": _l("lapsed"),
    "invited": _l("invited"),
    "removed": _l("removed"),
    "open": _l("open"),
    "paid": _l("paid"),
    "partly paid": _l("partly paid"),
    "overdue": _l("overdue"),
    "credited": _l("credited"),
    "queued": _l("queued"),
    "sent": _l("sent"),
    "failed": _l("failed"),
    "no subscription": _l("no subscription"),
}


def status_label(value) -> str:
    """The label of a status value; a value without one reads as stored."""
    return str(STATUS_LABELS.get(str(value), value))
