"""Load run: gunicorn (2 workers) on loopback, wrk with a logged-in session cookie, ratios in one run.

For each endpoint: requests per second and p50/p95/p99 latency, next to three floors measured the same
way in the same run: ``/healthz`` (the same app and stack doing nothing; the issue's targets are shares
of it), ``/bench/one-query`` (``benchmarks/server.py``: one ``SELECT 1`` in autocommit mode, the most of
``/healthz``'s rate an endpoint that reads the database at all could reach) and ``/bench/logged-in`` (the
session and the user loaded, as every console page does first, and nothing more). The large data set and one
100x smaller are served at once, each by its own gunicorn; the dashboard and Manage run in three
short rounds, large then small in turn, and keep the median of each percentile, so the two p95 of a
ratio come from the same minutes. Then the resident memory of the large set's workers after 10,000
and 20,000 requests. Every wrk run is bounded in time (``BENCH_DURATION``) and in requests
(``BENCH_MAX_REQUESTS``): each of its threads stops sending at its share of the bound. wrk still
counts the whole duration then, so a run that reaches the bound is refused rather than reported at a
rate it did not serve.

    .venv/bin/python -m benchmarks.load            (needs PostgreSQL on 127.0.0.1:5432 and wrk)
"""

import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from benchmarks.dataset import generate

BASE_URL = os.environ.get("BENCH_DATABASE", "postgresql://postgres@127.0.0.1:5432/seatdesk_bench")
DURATION = os.environ.get("BENCH_DURATION", "8s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
THREADS = 2
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "300000"))  # a run of 8 s serves under 40,000 here
ROUNDS, ROUND = int(os.environ.get("BENCH_ROUNDS", "3")), os.environ.get("BENCH_ROUND", "4s")  # compared pages
TARGETS = {"fragment": 0.60, "page": 0.40}
USER_AGENT = "seatdesk-bench"  # Flask-Login's strong session protection binds a session to it

# Each thread's ``sent`` and ``bound`` are globals of its own Lua state, read back by done() through setup()'s list.
BOUND_LUA = """
threads = {}
setup = function(thread) table.insert(threads, thread) end
sent, bound = 0, %d
"""
DONE_LUA = """
done = function(summary, latency, requests)
  local e, bounded = summary.errors, 0
  for _, thread in ipairs(threads) do
    if thread:get("sent") > thread:get("bound") then bounded = 1 end
  end
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "errors": %d, "p50": %.2f, "p95": %.2f, "p99": %.2f, "bounded": %d}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, bounded))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with 2 sync workers serving the app on a loopback port."""

    def __init__(self, database_url: str):
        self.port = _free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "FLASK_SECRET_KEY": "bench-secret-key-bench-secret-key",
               "FLASK_LOGIN_LIMIT": "100000 per minute", "FLASK_ENV_NAME": "bench"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "benchmarks.server:create_app()"], env=env)
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def workers(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in out.stdout.split()]

    def rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
        return sizes

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(20)


class Session:
    """A logged-in browser: its cookie and CSRF token, for wrk's headers."""

    def __init__(self, base: str, email: str, password: str):
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("User-Agent", USER_AGENT)]
        page = self.opener.open(base + "/login").read().decode()
        self.token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": self.token}).encode()
        self.opener.open(base + "/login", data=data)
        page = self.opener.open(base + "/console/" if "admin" in email else base + "/vendor/").read().decode()
        self.token = json.loads(re.search(r"hx-headers='([^']+)'", page).group(1))["X-CSRFToken"]

    @property
    def cookie(self) -> str:
        """The session as it is now (choosing Acting On changes it)."""
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def get(self, url: str) -> bytes:
        return self.opener.open(url).read()


def wrk(base: str, path: str, *, session: Session | None = None, method: str = "GET", body: str = "",
        headers: dict | None = None, unique_email: bool = False, duration: str = DURATION) -> dict:
    headers = {"User-Agent": USER_AGENT, **(headers or {})}
    if session is not None:
        headers.update({"Cookie": session.cookie, "X-CSRFToken": session.token})
    if method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    _expect_ok(base + path, method, body or ("emails=check%40example.test" if unique_email else ""), headers)
    lines = [f'wrk.method = "{method}"', f"wrk.body = {json.dumps(body)}"]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    # every request of a unique_email run adds a new member: an address of its own
    built = ('return wrk.format(nil, nil, nil, "emails=bench" .. sent .. "-" .. math.random(1, 1000000000) .. '
             '"%40example.test")' if unique_email else "static = static or wrk.format()\n  return static")
    lines.append(BOUND_LUA % (MAX_REQUESTS // THREADS))
    lines.append(f"""local static = nil
request = function()
  sent = sent + 1
  if sent > bound then wrk.thread:stop() end
  {built}
end""")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + DONE_LUA)
    out = subprocess.run(["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", duration, "-s", script.name,
                          base + path], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    result = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    if result["bounded"]:
        raise RuntimeError(f"{method} {path} reached the bound of {MAX_REQUESTS:,} requests before {duration}: "
                           "raise BENCH_MAX_REQUESTS or shorten BENCH_DURATION")
    result["rps"] = result["requests"] / result["seconds"]
    return result


def _expect_ok(url: str, method: str, body: str, headers: dict) -> None:
    """One request as wrk will send it must answer 200 (not a redirect to the login page)."""
    request = urllib.request.Request(url, data=body.encode() if method == "POST" else None, method=method,
                                     headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    status = opener.open(request).status
    if status != 200:
        raise RuntimeError(f"{method} {url} answered {status}, not 200")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# The pages compared large against small: 20 of the reseller's customers match "Customer 01" on the large set,
# none on the small; "Customer 00001" matches one on both, so that row compares the cost of searching itself.
COMPARED = {"dashboard, page 1": "/console/", "dashboard, search": "/console/?q=Customer%2001",
            "dashboard, search for one": "/console/?q=Customer%2000001", "Manage, 2,000 members": "/console/manage/"}


class Site:
    """One data set served by its own gunicorn, with a reseller administrator and the operator logged in."""

    def __init__(self, database_url: str, scale: float):
        self.info = generate(database_url, scale)
        self.server = Server(database_url)
        self.reseller = Session(self.server.base, self.info["reseller_admin"], self.info["password"])
        self.operator = Session(self.server.base, self.info["operator"], self.info["password"])
        self.reseller.get(f"{self.server.base}/console/?customer={self.info['big_customer']}")  # Acting On

    def endpoints(self) -> dict:
        base, reseller, big = self.server.base, self.reseller, self.info["big_customer"]
        htmx = {"HX-Request": "true", "HX-Target": "content"}
        quote = urllib.parse.urlencode({"name": "Quote GmbH", "country": "DE", "licenses": "12", "term_months": "12",
                                        "payment_method": "card", "vat_number": ""})
        return {
            "floor: /healthz": ("floor", lambda **o: wrk(base, "/healthz", **o)),
            "floor: one query": ("floor", lambda **o: wrk(base, "/bench/one-query", **o)),
            "floor: logged in": ("floor", lambda **o: wrk(base, "/bench/logged-in", session=reseller, **o)),
            **{name: ("page", lambda path=path, **o: wrk(base, path, session=reseller, **o))
               for name, path in COMPARED.items()},
            "Acting On switch (fragment)": ("fragment", lambda **o: wrk(base, f"/console/?customer={big}",
                                                                    session=reseller, headers=htmx, **o)),
            "live quote (fragment)": ("fragment", lambda **o: wrk(
                base, "/console/create/quote", session=reseller, method="POST", body=quote,
                headers={"HX-Request": "true", "HX-Target": "quote-panel"}, **o)),
            "add a member (fragment)": ("fragment", lambda **o: wrk(
                base, "/console/manage/members", session=reseller, method="POST",
                headers={"HX-Request": "true", "HX-Target": "member-form"}, unique_email=True, **o)),
            "download a stored invoice": ("page", lambda **o: wrk(
                base, f"/console/billing/invoices/{self.info['invoice']}.pdf", session=reseller, **o)),
            "audit log, filtered": ("page", lambda **o: wrk(base, "/vendor/audit?action=member.added",
                                                        session=self.operator, **o)),
        }


def measure() -> tuple[dict, dict]:
    """Every endpoint on the large data set. Each compared page runs in ROUNDS short rounds, large then
    small in turn, and keeps the median of each percentile: both figures of a ratio come from the same
    minutes of the same machine, and one noisy round (2 CPUs shared by wrk, PostgreSQL and the
    workers) cannot decide it."""
    small = Site(BASE_URL + "_small", 0.01)
    large = Site(BASE_URL + "_large", 1.0)
    try:
        large_runs, small_runs = large.endpoints(), small.endpoints()
        large_results, small_results = {}, {}
        for name, (kind, run) in large_runs.items():
            if name not in COMPARED:
                large_results[name] = (kind, run())
                continue
            rounds = [(run(duration=ROUND), small_runs[name][1](duration=ROUND)) for _ in range(ROUNDS)]
            large_results[name] = (kind, _median([big for big, _ in rounds]))
            small_results[name] = (kind, _median([little for _, little in rounds]))
        memory = _memory(large.server, large.reseller, large.info["invoice"])
    finally:
        small.server.stop()
        large.server.stop()
    return ({"info": large.info, "results": large_results, "memory": memory},
            {"info": small.info, "results": small_results})


def _median(rounds: list[dict]) -> dict:
    """Rounds of one endpoint as one result: requests and errors summed, each percentile's median."""
    combined = {key: sum(r[key] for r in rounds) for key in ("requests", "seconds", "errors")}
    combined.update({key: statistics.median(r[key] for r in rounds) for key in ("p50", "p95", "p99")})
    combined["rps"] = combined["requests"] / combined["seconds"]
    return combined


def _memory(server: Server, session: Session, invoice_id: int) -> dict:
    """Workers' resident memory after 10,000 and after 20,000 requests (stored-invoice downloads by wrk:
    the session, the user, the scope check and 30 kB of bytes each, so a leak anywhere there would show)."""
    def serve(count: int) -> int:
        done = 0
        while done < count:
            done += wrk(server.base, f"/console/billing/invoices/{invoice_id}.pdf", session=session,
                        duration="3s")["requests"]
        return done

    first = serve(10_000)
    after_10k = server.rss_mb()
    second = first + serve(10_000)
    after_20k = server.rss_mb()
    return {"requests": (first, second), "after_10k_mb": after_10k, "after_20k_mb": after_20k,
            "growth": sum(after_20k) / sum(after_10k) - 1}


def report(large: dict, small: dict) -> str:
    lines = [f"Data set: {large['info']['sizes']} (generated in {large['info']['seconds']} s); small: "
             f"{small['info']['sizes']}.", "",
             "| endpoint | kind | req/s | p50 ms | p95 ms | p99 ms | share of floor | target | "
             "share of logged-in floor | errors |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    floor = large["results"]["floor: /healthz"][1]["rps"]
    logged_in = large["results"]["floor: logged in"][1]["rps"]
    for name, (kind, r) in large["results"].items():
        share = r["rps"] / floor
        target = TARGETS.get(kind)
        verdict = "" if target is None else f"{target:.0%} {'met' if share >= target else 'missed'}"
        lines.append(f"| {name} | {kind} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | "
                     f"{share:.0%} | {verdict} | {r['rps'] / logged_in:.0%} | {r['errors']} |")
    one_query = large["results"]["floor: one query"][1]["rps"] / floor
    lines += ["", f"One statement alone serves {one_query:.0%} of `/healthz`'s rate: no endpoint that reads the "
                  f"database can serve more of it (targets: pages {TARGETS['page']:.0%}, "
                  f"fragments {TARGETS['fragment']:.0%})."]
    lines += ["", "| page | p95 large ms | p95 small ms | large / small (target ≤ 1.3) |", "|---|---:|---:|---:|"]
    for name in COMPARED:
        big, little = large["results"][name][1]["p95"], small["results"][name][1]["p95"]
        lines.append(f"| {name} | {big:.1f} | {little:.1f} | {big / little:.2f} |")
    memory = large["memory"]
    if memory:
        first, second = memory["requests"]
        sizes = [", ".join(f"{m:.0f} MB" for m in memory[key]) for key in ("after_10k_mb", "after_20k_mb")]
        lines += ["", f"Worker RSS after {first:,} requests: {sizes[0]}; after {second:,}: {sizes[1]}; "
                      f"growth {memory['growth']:+.1%} (target ≤ 10 %)."]
    return "\n".join(lines)


def main() -> None:
    large, small = measure()
    print(report(large, small))


if __name__ == "__main__":
    main()
