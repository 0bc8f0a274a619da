"""The pages compared large against small, in process: what the app itself costs more at scale.

The load run's ratios are measured at saturation (8 connections on 2 workers, with wrk and PostgreSQL on the
same 2 CPUs), so their p95 carries queueing as well as the page's own time, and moves by 10 to 20 % from run
to run. Here one client per data set asks for each page in turn, large then small, request by request, so
both figures of a ratio share the same moments of the machine and no request waits for another.

    .venv/bin/python -m benchmarks.scale        (after benchmarks.load, which builds both data sets)
"""

import os
import statistics
import time

from app import create_app
from benchmarks.dataset import PASSWORD
from benchmarks.load import BASE_URL, COMPARED

REQUESTS = int(os.environ.get("BENCH_SCALE_REQUESTS", "300"))


def _client(database_url: str):
    """A logged-in reseller administrator (reseller 1) acting on its big customer."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-secret-key",
                      "WTF_CSRF_ENABLED": False, "LOGIN_LIMIT": "100000 per minute"})
    client = app.test_client()
    client.post("/login", data={"email": "admin1@bench.test", "password": PASSWORD})
    client.get("/console/?customer=1")
    return client


def _percentile(times: list[float], p: int) -> float:
    return statistics.quantiles(times, n=100)[p - 1] * 1000


def measure() -> dict:
    """p50 and p95 in milliseconds of each compared page on both data sets, interleaved."""
    large, small = _client(BASE_URL + "_large"), _client(BASE_URL + "_small")
    results = {}
    for name, path in COMPARED.items():
        timings = {"large": [], "small": []}
        for client in (large, small):
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}, not 200")
            for _ in range(20):  # warm: templates compiled, statements prepared, pages cached
                client.get(path)
        for _ in range(REQUESTS):
            for size, client in (("large", large), ("small", small)):
                started = time.perf_counter()
                client.get(path)
                timings[size].append(time.perf_counter() - started)
        results[name] = {size: {p: _percentile(times, p) for p in (50, 95)} for size, times in timings.items()}
    return results


def report(results: dict) -> str:
    lines = [f"In process, {REQUESTS} requests per page and size, interleaved:", "",
             "| page | p50 large ms | p50 small ms | ratio | p95 large ms | p95 small ms | ratio (target ≤ 1.3) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        big, little = r["large"], r["small"]
        lines.append(f"| {name} | {big[50]:.2f} | {little[50]:.2f} | {big[50] / little[50]:.2f} | "
                     f"{big[95]:.2f} | {little[95]:.2f} | {big[95] / little[95]:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(measure()))
