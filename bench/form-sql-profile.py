#!/usr/bin/env python3
"""Where a request's database time goes, from a `chiso serve` log written with
RUST_LOG="info,sqlx=debug" (e.g. `RUST_LOG="info,sqlx=debug" bash bench/form.sh sqlite 5 40s`,
then this script on OUT/server.log).

Per request kind (form view, field save, whole-form save): how many requests the log
finished, their server-side latency (tower_http, whole ms), and per SQL statement
(sqlx's summary) the calls and elapsed time per request. Statements are attributed
to a kind by the request span each log line carries; requests of one kind are not
told apart, so the figures are averages over the kind.

    python3 bench/form-sql-profile.py OUT/server.log [--top 15]
"""
import re
import sys
from collections import defaultdict

KINDS = [
    ("form view    GET  …/units/{unit}", re.compile(r"method=GET uri=/work/rounds/\d+/units/[^/ ?]+(\?[^ ]*)? ")),
    ("field save   POST …/units/{unit}/field", re.compile(r"method=POST uri=/work/rounds/\d+/units/[^/ ]+/field ")),
    ("form save    POST …/units/{unit}/save", re.compile(r"method=POST uri=/work/rounds/\d+/units/[^/ ]+/save ")),
]
SQL = re.compile(r'summary="(?P<summary>[^"]*)" db\.statement="(?P<stmt>(?:[^"\\]|\\.)*)".*?rows_returned=(?P<rows>\d+).*?elapsed_secs=(?P<secs>[0-9.e+-]+)')
DONE = re.compile(r"finished processing request latency=(?P<ms>\d+) ms")


def kind_of(line):
    for name, pattern in KINDS:
        if pattern.search(line):
            return name
    return None


def main():
    args = sys.argv[1:]
    top = 15
    if "--top" in args:
        i = args.index("--top")
        top = int(args[i + 1])
        del args[i : i + 2]
    if len(args) != 1:
        sys.exit(__doc__)
    latencies = defaultdict(list)
    sql = defaultdict(lambda: defaultdict(lambda: [0, 0.0, 0]))
    with open(args[0], encoding="utf-8", errors="replace") as log:
        for line in log:
            kind = kind_of(line)
            if kind is None:
                continue
            done = DONE.search(line)
            if done:
                latencies[kind].append(int(done.group("ms")))
                continue
            m = SQL.search(line)
            if m:
                stmt = " ".join(m.group("stmt").replace("\\n", " ").split())
                entry = sql[kind][stmt]
                entry[0] += 1
                entry[1] += float(m.group("secs"))
                entry[2] += int(m.group("rows"))
    for name, _ in KINDS:
        n = len(latencies[name])
        if not n:
            continue
        lat = sorted(latencies[name])
        total = sum(e[1] for e in sql[name].values())
        calls = sum(e[0] for e in sql[name].values())
        print(f"== {name}: {n} requests, server latency p50 {lat[n // 2]} ms, p99 {lat[min(n - 1, n * 99 // 100)]} ms (whole ms)")
        print(f"   SQL per request: {calls / n:.1f} statements, {1000 * total / n:.2f} ms")
        print(f"   {'calls/req':>9} {'ms/req':>7} {'rows/call':>9}  statement")
        for stmt, (c, secs, rows) in sorted(sql[name].items(), key=lambda kv: -kv[1][1])[:top]:
            print(f"   {c / n:9.1f} {1000 * secs / n:7.3f} {rows / c:9.1f}  {stmt[:150]}")
        print()


if __name__ == "__main__":
    main()
