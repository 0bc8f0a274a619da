"""Default settings. Every one can be overridden by a FLASK_-prefixed environment variable
(``FLASK_SECRET_KEY``, ``FLASK_SQLALCHEMY_DATABASE_URI``, ``FLASK_MAIL_SERVER`` ...); a plain
``DATABASE_URL`` is honoured too, as hosting platforms set it."""

DEFAULT_SECRET_KEY = "dev-only-not-secret"


class Defaults:
    SECRET_KEY = DEFAULT_SECRET_KEY
    ENV_NAME = "development"  # "production" refuses the default secret key
    SQLALCHEMY_DATABASE_URI = None  # filled with instance/seatdesk.sqlite by create_app()

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # True forces it; it is Secure anyway on every request that came over HTTPS
    # Reverse proxies or load balancers in front of the app whose X-Forwarded-For, -Proto and -Host are trusted
    # (1 behind one load balancer). With 0 those headers are ignored: a client cannot forge its address.
    PROXY_COUNT = 0
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Argon2id cost; tests lower it because they create many users.
    PASSWORD_TIME_COST = 3
    PASSWORD_MEMORY_COST = 65536
    PASSWORD_PARALLELISM = 2

    RESET_LINK_MAX_AGE = 3600  # one hour
    ACTIVATION_LINK_MAX_AGE = 7 * 24 * 3600  # seven days

    RATELIMIT_STORAGE_URI = "memory://"  # "redis://127.0.0.1:6379/0" in production
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT = "10 per minute;50 per hour"
    RESET_LIMIT = "5 per 15 minutes"

    # E-mail: without MAIL_SERVER messages stay readable in the outbox.
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_STARTTLS = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_SENDER = "Seatdesk <no-reply@seatdesk.test>"
    MAIL_TIMEOUT = 10
    OUTBOX_MAX_ATTEMPTS = 8

    PUBLIC_URL = "http://127.0.0.1:5000"  # used for links in e-mails sent outside a request
    PAGE_SIZE = 25
    LANGUAGES = ["en", "fr", "zh_Hans"]

    # Card payments: "sandbox" (built in, labelled "Test payment") or "stripe".
    PAYMENT_PROVIDER = "sandbox"
    STRIPE_SECRET_KEY = None
    STRIPE_WEBHOOK_SECRET = None
    CARD_ORDER_LAPSE_HOURS = 24
    PAYER_LINK_MAX_AGE = 400 * 24 * 3600  # an invoice link in an e-mail works for 400 days
