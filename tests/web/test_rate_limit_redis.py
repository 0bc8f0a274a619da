"""Rate limits keep their counters in Redis when RATELIMIT_STORAGE_URI names one (shared by all workers)."""

import shutil
import subprocess
import time

import pytest

from app import create_app, db
from tests.conftest import free_port


@pytest.fixture
def redis_url(tmp_path):
    """Start a throwaway redis-server on a free loopback port."""
    import redis

    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("redis-server is missing: apt-get install -y redis-server")
    port = free_port()
    process = subprocess.Popen([exe, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.025)
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    process.terminate()
    process.wait(10)


def test_two_app_processes_share_the_login_counter_through_redis(app, redis_url, tmp_path):
    config = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "PASSWORD_TIME_COST",
                                         "PASSWORD_MEMORY_COST", "PASSWORD_PARALLELISM")}
    config.update(TESTING=True, WTF_CSRF_ENABLED=False, RATELIMIT_STORAGE_URI=redis_url, LOGIN_LIMIT="3 per minute")
    first, second = create_app(config), create_app(config)
    attempt = {"email": "someone@example.test", "password": "wrong guess"}
    statuses = [first.test_client().post("/login", data=attempt).status_code for _ in range(2)]
    statuses += [second.test_client().post("/login", data=attempt).status_code for _ in range(2)]
    assert statuses == [200, 200, 200, 429]
    for extra in (first, second):  # their engines hold connections of their own
        with extra.app_context():
            db.session.remove()
            db.engine.dispose()
