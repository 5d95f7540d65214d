#!/usr/bin/env python3
"""Reference load for the Cassandra insert benchmark: the DataStax Python driver (cassandra-driver,
from PyPI) doing the same prepared inserts as rdstream's CassandraSink, into a table of the seed's
`created_users` shape, with a bounded number of requests in flight.

Prints one JSON object: inserts/s, p50/p99 latency (ms), client CPU seconds, rows, errors.
Run by scripts/bench-cassandra; not a test.
"""
import argparse
import json
import resource
import threading
import time
import uuid

from cassandra import ConsistencyLevel
from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import Cluster

COLUMNS = ["id", "first_name", "last_name", "gender", "address", "post_code", "email", "username",
           "registered_date", "phone", "picture"]


def make_row(i):
    # Values of the same sizes as the generator's records (see bench/README.md).
    return (uuid.uuid4(), f"First{i % 997}", f"Last{i % 991}", "female" if i % 2 else "male",
            f"{i % 9999} Harbour Road, Eastvale, Oregon, United States", f"{10000 + i % 89999}",
            f"first{i % 997}.last{i % 991}@example.com", f"bluefox{i % 100000}",
            "2011-07-02T18:03:10.101Z", "(512) 555-0176",
            f"https://randomuser.me/api/portraits/med/women/{i % 99}.jpg")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9042)
    ap.add_argument("--user", default="cassandra")
    ap.add_argument("--password", default="cassandra")
    ap.add_argument("--keyspace", default="rdstream_bench")
    ap.add_argument("--table", default="created_users_ref")
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--in-flight", type=int, default=256)
    args = ap.parse_args()

    cluster = Cluster([args.host], port=args.port,
                      auth_provider=PlainTextAuthProvider(args.user, args.password),
                      protocol_version=4)
    session = cluster.connect()
    session.execute(f"CREATE KEYSPACE IF NOT EXISTS {args.keyspace} WITH replication = "
                    "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    cols = ", ".join(f"{c} TEXT" for c in COLUMNS[1:])
    session.execute(f"CREATE TABLE IF NOT EXISTS {args.keyspace}.{args.table} (id UUID PRIMARY KEY, {cols})")
    session.execute(f"TRUNCATE {args.keyspace}.{args.table}")
    insert = session.prepare(f"INSERT INTO {args.keyspace}.{args.table} ({', '.join(COLUMNS)}) "
                             f"VALUES ({', '.join('?' * len(COLUMNS))})")
    insert.consistency_level = ConsistencyLevel.LOCAL_ONE
    rows = [make_row(i) for i in range(args.rows)]

    slots = threading.Semaphore(args.in_flight)
    latencies = [0.0] * args.rows
    errors = [0]
    done = threading.Event()
    remaining = [args.rows]
    lock = threading.Lock()

    def finished(i, start, ok):
        latencies[i] = time.perf_counter() - start
        with lock:
            if not ok:
                errors[0] += 1
            remaining[0] -= 1
            if remaining[0] == 0:
                done.set()
        slots.release()

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    for i, row in enumerate(rows):
        slots.acquire()
        start = time.perf_counter()
        future = session.execute_async(insert, row)
        future.add_callbacks(lambda _r, i=i, s=start: finished(i, s, True),
                             lambda _e, i=i, s=start: finished(i, s, False))
    done.wait()
    elapsed = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    count = session.execute(f"SELECT COUNT(*) FROM {args.keyspace}.{args.table}").one()[0]
    cluster.shutdown()

    lat = sorted(latencies)
    print(json.dumps({
        "tool": "python cassandra-driver execute_async",
        "rows": args.rows,
        "rows_in_table": count,
        "errors": errors[0],
        "in_flight": args.in_flight,
        "seconds": round(elapsed, 3),
        "inserts_per_s": round(args.rows / elapsed, 1),
        "p50_ms": round(lat[len(lat) // 2] * 1000, 3),
        "p99_ms": round(lat[int(len(lat) * 0.99)] * 1000, 3),
        "client_cpu_s": round((cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime), 3),
    }))


if __name__ == "__main__":
    main()
