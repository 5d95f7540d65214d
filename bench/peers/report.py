#!/usr/bin/env python3
"""peers.json -> peers.md (scripts/bench-peers; re-run by hand to re-render): the table of each
system's medians, the ratios against the issue's targets, and how it was measured."""
import json
import sys

r = json.load(open(sys.argv[1]))
s, m, st = r["summary"], r["machine"], r["settings"]
systems = st["systems"]
names = {"rdstream": "`rdstream process`", "spark": "Spark 3.5.7 Structured Streaming (the seed's job)",
         "bento": "Bento 1.19.0"}


def f(v, nd=0):
    if v is None:
        return "-"
    return f"{v:,.{nd}f}"


def yn(ok):
    return "n/a" if ok is None else ("met" if ok else "**not met**")


def le(a, b):
    return None if a is None else a <= b


def ge(a, b):
    return None if a is None else a >= b


out = []
w = out.append
w("# Peers benchmark: `rdstream process` against Spark and Bento (Kafka -> Cassandra)\n")
w(f"{r['date']}, commit {r['commit']}: {m['nproc']} cores ({m['cpu']}), {m['memory_mb']} MiB, kernel {m['kernel']}; "
  f"{m['note']}; load average {m['loadavg_before']} before the measurements, {m['loadavg_after']} after.\n")
v = r["versions"]
w(f"Versions: Kafka {v['kafka']} and Cassandra {v['cassandra']} (one node each, `rdstream stack`), Spark {v['spark']} with "
  f"{v['spark_sql_kafka']} and {v['spark_cassandra_connector']}" + (f", Bento {v['bento']}" if v.get("bento") else "")
  + f", the Java driver {v['java_driver']}; {v['java']}.\n")
w(f"{st['records']:,} generator records pre-filled on {st['partitions']} partitions; each system reads them into its own "
  f"copy of the seed's table, {st['repetitions']} repetition(s) interleaved (the order rotates); medians. "
  f"Latency: {st['paced_repetitions']} run(s) per system at {st['paced_rate_per_s']:,.0f} records/s, "
  f"{st.get('paced_warmup_seconds', 0):.0f} s not timed (JIT warm-up) then {st['paced_seconds']:.0f} s timed.\n")
w("| | " + " | ".join(names[x] for x in systems) + " |")
w("| --- |" + " ---: |" * len(systems))
rows = [("records/s, first row to last row (WRITETIME)", "records_per_s", 0),
        ("records/s, process start to last row", "records_per_s_incl_startup", 0),
        ("CPU s per 1M records (whole process tree, start-up included)", "cpu_s_per_1m_records", 1),
        ("peak RSS, MiB (sum over the process tree)", "peak_rss_mib", 0),
        ("time from start to the first row, s", "time_to_first_row_s", 1),
        (f"latency at {st['paced_rate_per_s']:,.0f}/s, p50 ms", "p50_ms", 1),
        (f"latency at {st['paced_rate_per_s']:,.0f}/s, p99 ms", "p99_ms", 1),
        ("CPU s per 1M records while paced", "paced_cpu_s_per_1m_records", 1),
        ("peak RSS while paced, MiB", "paced_peak_rss_mib", 0)]
for label, key, nd in rows:
    w(f"| {label} | " + " | ".join(f(s[x][key], nd) for x in systems) + " |")
w("")
c = r["ceiling_inserts_per_s"]
w(f"Insert ceiling of clients writing rows made in memory ({st['in_flight']} rows in flight, LOCAL_ONE, {st['records']:,} rows, "
  f"median of {st['repetitions']}): Java driver one INSERT per request {f(c['java-single'])}/s, "
  f"Java driver unlogged batches of 10 {f(c['java-batch10'])}/s, rdstream's own sink (`cassandra_sink_bench`) "
  f"{f(c['rdstream-sink'])}/s. Rows identical across systems (digest of every row): "
  f"**{'yes' if r['rows_identical_across_systems'] else 'NO'}**.\n")
if r.get("warmup_bulk_run"):
    wu = r["warmup_bulk_run"]
    w(f"Not counted: one warm-up bulk run ({wu['system']}, {f(wu['records_per_s'])} records/s, Cassandra CPU "
      f"{wu['cassandra_cpu_s']} s) after the Java loader's warm-up; the first bulk run from Kafka costs the engines more "
      f"(peers.analysis.md).\n")
w("| target | measured | |")
w("| --- | ---: | --- |")
rs, rb = r["ratio_records_per_s_vs_spark"], r["ratio_records_per_s_vs_bento"]
cs, cb = r["ratio_cpu_per_record_vs_spark"], r["ratio_cpu_per_record_vs_bento"]
ms, ps = r["ratio_rss_vs_spark"], r["ratio_p99_vs_spark"]
w(f"| records/s >= 3x Spark's | {f(rs, 2)}x | {yn(ge(rs, 3))} |")
w(f"| CPU per record <= 1/10 of Spark's | {f(cs, 3)}x | {yn(le(cs, 0.1))} |")
w(f"| memory (peak RSS) <= 1/10 of Spark's | {f(ms, 3)}x | {yn(le(ms, 0.1))} |")
if "bento" in systems:
    w(f"| records/s >= 1.5x Bento's | {f(rb, 2)}x | {yn(ge(rb, 1.5))} |")
    w(f"| CPU per record <= Bento's | {f(cb, 2)}x | {yn(le(cb, 1.0))} |")
w(f"| p99 at {st['paced_rate_per_s']:,.0f}/s <= 1/5 of Spark's | {f(ps, 3)}x | {yn(le(ps, 0.2))} |")
w(f"| >= 90 % of the best independent client's ceiling ({r['best_client']}) | {f(r['percent_of_best_client_ceiling'], 1)} % | "
  f"{yn(ge(r['percent_of_best_client_ceiling'], 90))} |")
# Paired by repetition: each system's run against rdstream's run of the same repetition (close in
# time, so the neighbours' load on a shared machine weighs on both alike).
paired = []
for peer in [x for x in systems if x != "rdstream"]:
    pr = []
    for b in r["bulk_runs"]:
        if b["system"] != peer:
            continue
        mine = [x for x in r["bulk_runs"] if x["system"] == "rdstream" and x["rep"] == b["rep"]]
        if mine:
            pr.append(f"rep {b['rep']}: {mine[0]['records_per_s'] / b['records_per_s']:.2f}x records/s, "
                      f"{mine[0]['cpu_s_per_1m'] / b['cpu_s_per_1m']:.3f}x CPU")
    paired.append(f"{peer}: " + "; ".join(pr))
w("")
w("rdstream / peer, repetition by repetition: " + " | ".join(paired) + ".")
w("")
w("Per run:\n")
w("| run | records/s | incl. start-up | CPU s / 1M | peak RSS MiB | first row s |")
w("| --- | ---: | ---: | ---: | ---: | ---: |")
for b in r["bulk_runs"]:
    w(f"| {b['system']} rep {b['rep']} | {f(b['records_per_s'])} | {f(b['records_per_s_incl_startup'])} | {f(b['cpu_s_per_1m'], 1)} | "
      f"{f(b['peak_rss_mib'])} | {f(b['time_to_first_row_s'], 1)} |")
for p in r["paced_runs"]:
    l = p["latency_ms"]
    w(f"| {p['system']} paced rep {p['rep']}: {p['stamped_rows']:,} rows timed, producer {p['producer']['achieved_per_s']:,.0f}/s, "
      f"rows written at {p.get('rows_per_s_written', 0):,.0f}/s (first to last) | "
      f"p50 {l['p50']:.1f} ms | p90 {l['p90']:.1f} | p99 {l['p99']:.1f} | p99.9 {l['p999']:.1f} | max {l['max']:.1f} |")
for k in r["ceiling_runs"]:
    w(f"| ceiling {k['kind']} rep {k['rep']} | {f(k['inserts_per_s'])} | | client CPU {k['client_cpu_s']:.1f} s | | |")
w("")
w("How, in short (bench/peers/README.md has the details): each system is started as a process of its own and sampled "
  "from /proc every 100 ms: CPU is utime + stime of its whole process tree (rusage of the child and every descendant it "
  "reaped; for Spark the JVM and the Python driver), start-up included; peak RSS is the largest sum of VmRSS over the "
  "tree. The rates come from the rows' WRITETIME in Cassandra (first to last row written), so every system is timed by "
  "the same clock without instrumenting it. Latency: the system runs on a fresh topic; a paced Java producer "
  "(kafka-clients, 5 ms linger, acks=all) sends records of the generator's shape with their produce time (epoch us) in "
  "`registered_date`; latency = WRITETIME - that stamp, both this machine's clock. WRITETIME is the writer's timestamp: "
  "all three stamp each write from this machine's clock when they build it (the Java driver under Spark's connector, "
  "gocql under Bento, rdstream's session since 22706c9; before that rdstream's rows carried the coordinator's time, "
  "which also counted Cassandra's queueing).")
w("")
w("Kafka Connect is not compared: connect-runtime is on Maven Central, but no Cassandra sink connector is (the DataStax "
  "and Apache Camel ones are absent), and writing one is outside this benchmark.")
notes = sys.argv[1][: -len(".json")] + ".analysis.md"
try:
    w("")
    w(open(notes).read())
except OSError:
    pass
print("\n".join(out))
