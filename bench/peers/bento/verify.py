#!/usr/bin/env python3
"""Checks that a Cassandra table holds exactly the records of a topic, value for value.

    verify.py --records FILE --port 26042 --keyspace bento_try [--table created_users]

FILE has one record value (the topic's JSON) per line, e.g. from Kafka's ConsoleConsumer
(bench/peers/bento/README.md "Checking the rows"). For every record the row with its id must exist
and carry the record's value in every column of the table (docs/compat.md "The table"; the
record's dob has no column); the table must hold no other rows. Prints one summary line; exits 1 on
any difference (the first few are printed), 2 on bad input.

Runs with any Python that has cassandra-driver, e.g. the stack's cqlsh venv:
~/.cache/rdstream/engines/cqlsh-6.2.2/bin/python. The password comes from CASSANDRA_PASSWORD
(default cassandra).
"""
import argparse
import json
import os
import sys
import uuid

from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import Cluster
from cassandra.query import SimpleStatement

COLUMNS = ["id", "first_name", "last_name", "gender", "address", "post_code", "email",
           "username", "registered_date", "phone", "picture"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", required=True, help="file of JSON record values, one per line")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9042)
    ap.add_argument("--user", default="cassandra")
    ap.add_argument("--keyspace", required=True)
    ap.add_argument("--table", default="created_users")
    args = ap.parse_args()

    expected = {}
    with open(args.records, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                expected[uuid.UUID(rec["id"])] = rec
            except (ValueError, KeyError) as e:
                print(f"verify: {args.records}:{number}: not a user record: {e}", file=sys.stderr)
                return 2

    auth = PlainTextAuthProvider(args.user, os.environ.get("CASSANDRA_PASSWORD", "cassandra"))
    cluster = Cluster([args.host], port=args.port, auth_provider=auth)
    session = cluster.connect()
    stmt = SimpleStatement(f"SELECT {', '.join(COLUMNS)} FROM {args.keyspace}.{args.table}",
                           fetch_size=5000)
    rows, differences, extra = 0, [], 0
    seen = set()
    for row in session.execute(stmt, timeout=120):
        rows += 1
        rec = expected.get(row.id)
        if rec is None:
            extra += 1
            continue
        seen.add(row.id)
        for col in COLUMNS[1:]:
            if getattr(row, col) != rec.get(col):
                differences.append(f"{row.id} {col}: table {getattr(row, col)!r}, record {rec.get(col)!r}")
    cluster.shutdown()

    missing = len(expected) - len(seen)
    print(f"verify: {len(expected)} records, {rows} rows in {args.keyspace}.{args.table}: "
          f"{missing} missing, {extra} not in the records, {len(differences)} values differ")
    for d in differences[:5]:
        print(f"verify:   {d}")
    return 0 if missing == 0 and extra == 0 and not differences else 1


if __name__ == "__main__":
    sys.exit(main())
