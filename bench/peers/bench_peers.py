#!/usr/bin/env python3
"""The peers benchmark's measurements and results (scripts/bench-peers does the set-up and calls
this with the stack running and the topic pre-filled; bench/peers/README.md says what is measured
and how). Standard library only; the chart is drawn by chart.py in the Spark venv (matplotlib).

Every system reads the same pre-filled topic into its own copy of the seed's table, in turn and
interleaved (the order rotates each repetition), and is measured the same way from outside:
  - its process tree sampled from /proc every 100 ms (peak of the summed VmRSS); its CPU is the
    utime + stime of the whole tree (os.wait4's rusage of the child, which includes every
    descendant it waited for, or the sum of the last samples if that is larger);
  - records/s between the first and the last row's WRITETIME (Cassandra's own record of when each
    row was written), and from the start of the process to the last row (start-up included);
  - time from the process's start to the first row's WRITETIME;
  - the table read back (TableReader): row count and an order-independent digest of the rows.
Latency at a fixed rate: the system runs on a fresh topic, the paced producer sends records stamped
with their produce time (epoch us), and each row's WRITETIME minus its stamp is its latency.
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict

A = None  # the parsed arguments
CLK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def log(msg):
    print(time.strftime("%H:%M:%S", time.gmtime()) + " bench-peers: " + msg, file=sys.stderr, flush=True)


# --- /proc sampling -----------------------------------------------------------------------------
def proc_table():
    """pid -> (ppid, cpu_ticks, rss_kib) for every process."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{d}/statm") as f:
                rss_pages = int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        out[int(d)] = (int(fields[1]), int(fields[11]) + int(fields[12]), rss_pages * PAGE_KIB)
    return out


def tree(root, table):
    children = defaultdict(list)
    for pid, (ppid, _, _) in table.items():
        children[ppid].append(pid)
    pids, stack = [], [root]
    while stack:
        p = stack.pop()
        if p in table:
            pids.append(p)
        stack.extend(children.get(p, []))
    return pids


RUNNING = []  # the Sampled processes started and not yet reaped (killed, by their group, if we are stopped)


def kill_running(*_):
    for s in RUNNING:
        if s.code is None:
            try:
                os.killpg(s.pid, signal.SIGKILL)
            except OSError:
                pass
    sys.exit(1)


class Sampled:
    """Runs a command in its own session and samples its process tree until it exits."""

    def __init__(self, name, cmd, env=None, cwd=None):
        self.name = name
        self.out = open(os.path.join(A.work, f"{name}.out"), "w")
        self.err = open(os.path.join(A.work, f"{name}.err"), "w")
        self.t0 = time.time()
        self.proc = subprocess.Popen(cmd, stdout=self.out, stderr=self.err, env=env, cwd=cwd, start_new_session=True)
        self.pid = self.proc.pid
        RUNNING.append(self)
        self.peak_rss_kib = 0
        self.last_cpu = {}  # pid -> ticks at its last sample
        self.code = None
        self.rusage_cpu = 0.0
        self.t_exit = None

    def sample(self):
        table = proc_table()
        pids = tree(self.pid, table)
        self.peak_rss_kib = max(self.peak_rss_kib, sum(table[p][2] for p in pids))
        for p in pids:
            self.last_cpu[p] = table[p][1]

    def poll(self):
        """True once it has exited (and is reaped, with its rusage)."""
        if self.code is not None:
            return True
        pid, status, ru = os.wait4(self.pid, os.WNOHANG)
        if pid == 0:
            self.sample()
            return False
        self.t_exit = time.time()
        self.code = os.waitstatus_to_exitcode(status)
        self.rusage_cpu = ru.ru_utime + ru.ru_stime
        self.proc.returncode = self.code
        self.out.close()
        self.err.close()
        return True

    def wait(self, timeout, until=None):
        """Samples every 100 ms until it exits or `until()` is true; False on timeout."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.poll() or (until is not None and until()):
                return True
            time.sleep(0.1)
        return False

    def stop(self, grace=40):
        """SIGTERM to the process started (its own graceful stop), SIGKILL to its group after `grace` s."""
        if self.code is None:
            os.kill(self.pid, signal.SIGTERM)
            if not self.wait(grace):
                log(f"{self.name}: still running {grace} s after SIGTERM, killing its process group")
                os.killpg(self.pid, signal.SIGKILL)
                self.wait(30)
        return self.code

    def cpu_s(self):
        return max(self.rusage_cpu, sum(self.last_cpu.values()) / CLK)


# --- Cassandra helpers ----------------------------------------------------------------------------
def cql(*statements, check=True):
    r = subprocess.run([A.rdstream, "cql", "--port", str(A.cql_port), *statements], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"cql {statements}: {r.stderr.strip()}")
    return r.stdout


def count_rows(ks, table):
    out = cql(f"SELECT count(*) FROM {ks}.{table}", check=False)
    m = re.search(r"-+\n\s*(\d+)", out)
    return int(m.group(1)) if m else -1


COLUMNS = ["id", "first_name", "last_name", "gender", "address", "post_code", "email", "username",
           "registered_date", "phone", "picture"]


def create_table(ks):
    cols = ", ".join(f"{c} TEXT" for c in COLUMNS[1:])
    cql(f"CREATE KEYSPACE IF NOT EXISTS {ks} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}",
        f"CREATE TABLE IF NOT EXISTS {ks}.created_users (id UUID PRIMARY KEY, {cols})")


def ticks(pid):
    """utime + stime of one process (the engines: Cassandra's and Kafka's JVMs), 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def cassandra_ticks():
    return ticks(A.cassandra_pid)


def settle(ks):
    """Drops what the last measurement wrote and waits until Cassandra is idle (< 0.2 core for 1 s, at most 90 s)."""
    cql(f"DROP KEYSPACE IF EXISTS {ks}", check=False)
    t0 = time.time()
    while time.time() - t0 < 90:
        a = cassandra_ticks()
        time.sleep(1)
        if (cassandra_ticks() - a) / CLK < 0.2:
            break
    log(f"Cassandra settled after dropping {ks} ({time.time() - t0:.0f} s)")


def java(cls, *args, heap="512m"):
    cmd = ["java", f"-Xmx{heap}", "-cp", A.java_cp, f"rdstream.bench.{cls}", *args]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{cls} failed: {r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def read_table(ks):
    return java("TableReader", "--port", str(A.cql_port), "--keyspace", ks, "--table", "created_users")


# --- the systems ----------------------------------------------------------------------------------
def start_system(system, name, ks, topic, group, bulk):
    """Starts one system reading `topic` into ks.created_users; returns (Sampled, done_check or None)."""
    if system == "rdstream":
        cfg = os.path.join(A.work, f"{name}.yaml")
        with open(cfg, "w") as f:
            f.write(f"cassandra:\n  keyspace: {ks}\n  table: created_users\n")
        cmd = [A.rdstream, "process", "--bootstrap-servers", A.bootstrap, "--topic", topic, "--group", group,
               "--config", cfg, "--cassandra-port", str(A.cql_port)]
        if bulk:
            cmd += ["--count", str(A.count)]
        return Sampled(name, cmd), None
    if system == "spark":
        env = dict(os.environ, PATH=f"{A.spark_venv}/bin:" + os.environ["PATH"], PYSPARK_PYTHON=f"{A.spark_venv}/bin/python",
                   JAVA_HOME=A.spark_java_home, SPARK_LOCAL_IP="127.0.0.1")
        local = os.path.join(A.work, f"{name}-spark-local")
        os.makedirs(local, exist_ok=True)
        cmd = [f"{A.spark_venv}/bin/spark-submit", "--master", "local[2]", "--driver-memory", A.spark_driver_memory,
               "--conf", "spark.ui.enabled=false", "--conf", f"spark.local.dir={local}",
               "--jars", A.spark_jars, os.path.join(A.here, "spark", "spark_job.py"),
               "--bootstrap", A.bootstrap, "--topic", topic, "--cassandra-port", str(A.cql_port),
               "--keyspace", ks, "--table", "created_users", "--checkpoint", os.path.join(A.work, f"{name}-checkpoint"),
               "--trigger", "available-now" if bulk else A.spark_trigger]
        return Sampled(name, cmd, env=env), None
    if system == "bento":
        http = f"127.0.0.1:{A.bento_http_port}"
        env = dict(os.environ, KAFKA_ADDR=A.bootstrap, TOPIC=topic, GROUP=group, CQL_ADDR=f"127.0.0.1:{A.cql_port}",
                   KEYSPACE=ks, TABLE="created_users", CASSANDRA_PASSWORD="cassandra", BENTO_HTTP_ADDR=http,
                   BENTO_LOG_LEVEL="WARN")
        s = Sampled(name, [A.bento, "-c", os.path.join(A.here, "bento", "config.yaml")], env=env)
        state = {"next": 0.0}

        def done():  # output_sent reached the count (polled every 0.5 s)
            if time.time() < state["next"]:
                return False
            state["next"] = time.time() + 0.5
            try:
                text = urllib.request.urlopen(f"http://{http}/metrics", timeout=2).read().decode()
            except OSError:
                return False
            m = re.search(r"^output_sent(?:\{[^}]*\})? (\S+)", text, re.M)
            return m is not None and float(m.group(1)) >= A.count
        return s, (done if bulk else None)
    raise ValueError(system)


def bulk_run(system, rep):
    name = f"bulk-{system}-{rep}"
    ks = f"bench_peers_{system}_{rep}"
    create_table(ks)
    log(f"rep {rep}: {system} bulk, {A.count} records from {A.topic} into {ks}")
    engines0 = (ticks(A.cassandra_pid), ticks(A.kafka_pid))
    s, done = start_system(system, name, ks, A.topic, f"bench-peers-{system}-{rep}-{os.getpid()}", bulk=True)
    finished = s.wait(A.timeout, until=done)
    engines1 = (ticks(A.cassandra_pid), ticks(A.kafka_pid))
    if done is not None and finished and s.code is None:
        s.stop()
    if not finished:
        s.stop()
        raise RuntimeError(f"{name}: not done within {A.timeout} s; see {A.work}/{name}.err")
    if s.code != 0:
        raise RuntimeError(f"{name}: exit {s.code}; see {A.work}/{name}.err")
    t = read_table(ks)
    if t["rows"] != A.count:
        raise RuntimeError(f"{name}: {t['rows']} rows in {ks}, expected {A.count}")
    first_s, last_s = t["writetime_first_us"] / 1e6, t["writetime_last_us"] / 1e6
    cpu = s.cpu_s()
    r = {
        "system": system, "rep": rep, "rows": t["rows"], "digest": t["digest"],
        "records_per_s": round(A.count / (last_s - first_s), 1),
        "records_per_s_incl_startup": round(A.count / (last_s - s.t0), 1),
        "seconds_first_to_last_row": round(last_s - first_s, 3),
        "time_to_first_row_s": round(first_s - s.t0, 3),
        "cpu_s": round(cpu, 2), "cpu_s_per_1m": round(cpu / A.count * 1e6, 2),
        "peak_rss_mib": round(s.peak_rss_kib / 1024, 1),
        "wall_s": round(s.t_exit - s.t0, 2),
        # The engines' CPU while the system ran (start to exit): what its load cost them.
        "cassandra_cpu_s": round((engines1[0] - engines0[0]) / CLK, 2),
        "kafka_cpu_s": round((engines1[1] - engines0[1]) / CLK, 2),
    }
    log(f"rep {rep}: {system}: {r}")
    settle(ks)
    return r


def paced_run(system, rep):
    name = f"paced-{system}-{rep}"
    ks = f"bench_peers_paced_{system}_{rep}"
    topic = f"bench_peers_paced_{system}_{rep}_{os.getpid()}"
    n = int(A.rate * (A.paced_warmup + A.paced_seconds))
    create_table(ks)
    java("PacedProducer", "--bootstrap", A.bootstrap, "--topic", topic, "--payload-file", A.payload,
         "--rate", "0", "--count", str(A.ready), "--stamp-value", "ready")
    log(f"rep {rep}: {system} paced: started on {topic}, waiting for its first {A.ready} rows")
    s, _ = start_system(system, name, ks, topic, f"bench-peers-paced-{system}-{rep}-{os.getpid()}", bulk=False)
    try:
        state = {"next": 0.0}

        def has(k):
            def check():
                if time.time() < state["next"]:
                    return False
                state["next"] = time.time() + 0.5
                return count_rows(ks, "created_users") >= k
            return check
        if not s.wait(A.timeout, until=has(A.ready)) or s.code is not None:
            raise RuntimeError(f"{name}: not writing (exit {s.code}); see {A.work}/{name}.err")
        cpu_before = sum(s.last_cpu.values()) / CLK
        log(f"rep {rep}: {system} paced: producing {n} records at {A.rate:.0f}/s (the first {A.paced_warmup:.0f} s not timed)")
        prod = java("PacedProducer", "--bootstrap", A.bootstrap, "--topic", topic, "--payload-file", A.payload,
                    "--rate", str(A.rate), "--count", str(n), heap="256m")
        state["next"] = 0.0
        if not s.wait(120, until=has(A.ready + n)) or s.code is not None:
            raise RuntimeError(f"{name}: {count_rows(ks, 'created_users')} rows after the producer, expected {A.ready + n}")
        cpu_during = sum(s.last_cpu.values()) / CLK - cpu_before
    finally:
        s.stop()
    since_us = prod["start_epoch_us"] + int(A.paced_warmup * 1e6)
    t = java("TableReader", "--port", str(A.cql_port), "--keyspace", ks, "--table", "created_users",
             "--since-us", str(since_us))
    r = {"system": system, "rep": rep, "rate": A.rate, "records": n, "producer": prod,
         "stamped_rows": t["stamped_rows"], "latency_ms": t["latency_ms"],
         "rows_per_s_written": t["rows_per_s_first_to_last"],
         "cpu_s_while_paced": round(cpu_during, 2), "peak_rss_mib": round(s.peak_rss_kib / 1024, 1)}
    log(f"rep {rep}: {system} paced: {r['latency_ms']}")
    settle(ks)
    return r


def ceiling_run(kind, rep):
    if kind == "rdstream-sink":
        cmd = [A.sink_bench, "--port", str(A.cql_port), "--rows", str(A.count), "--in-flight", str(A.in_flight)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"cassandra_sink_bench: {r.stderr[-2000:]}")
        out = json.loads(r.stdout.strip().splitlines()[-1])
    else:
        batch = "10" if kind == "java-batch10" else "1"
        out = java("Loader", "--port", str(A.cql_port), "--rows", str(A.count), "--in-flight", str(A.in_flight),
                   "--batch-rows", batch, "--warmup-rows", str(max(1, A.count // 5)), heap="512m")
    out.update({"kind": kind, "rep": rep})
    log(f"rep {rep}: ceiling {kind}: {out['inserts_per_s']:.0f} inserts/s")
    # cassandra_sink_bench counts with one COUNT(*), which can outlast Cassandra's read timeout on a
    # million rows (-1); its errors and drain still say whether every row was acknowledged.
    if (out["rows_in_table"] not in (A.count, -1)) or out["errors"] or not out.get("drained", True):
        raise RuntimeError(f"ceiling {kind}: {out}")
    settle("rdstream_bench")
    return out


# --- main -----------------------------------------------------------------------------------------
def save_partial(**runs):
    """Every finished run so far, so that a failure later does not lose them."""
    with open(os.path.join(A.results, "peers.partial.json"), "w") as f:
        json.dump(runs, f, indent=1)


def median(xs):
    return round(statistics.median(xs), 2)


def main():
    global A
    ap = argparse.ArgumentParser()
    for flag in ["rdstream", "sink-bench", "java-cp", "bootstrap", "topic", "work", "payload", "results", "here",
                 "spark-venv", "spark-jars", "spark-java-home", "bento", "machine-json"]:
        ap.add_argument("--" + flag, default="")
    ap.add_argument("--cql-port", type=int, required=True)
    ap.add_argument("--cassandra-pid", type=int, required=True)
    ap.add_argument("--kafka-pid", type=int, default=0)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--paced-reps", type=int, default=1)
    ap.add_argument("--rate", type=float, default=10000)
    ap.add_argument("--paced-seconds", type=float, default=30)
    ap.add_argument("--paced-warmup", type=float, default=20)
    ap.add_argument("--ready", type=int, default=300)
    ap.add_argument("--in-flight", type=int, default=1024)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--bento-http-port", type=int, default=4195)
    ap.add_argument("--spark-trigger", default="500 milliseconds")
    ap.add_argument("--spark-driver-memory", default="1g")
    ap.add_argument("--systems", default="rdstream,spark,bento")
    A = ap.parse_args()
    signal.signal(signal.SIGTERM, kill_running)
    signal.signal(signal.SIGINT, kill_running)
    systems = [x for x in A.systems.split(",") if x]
    ceilings = ["java-single", "java-batch10", "rdstream-sink"]

    # Not measured: Cassandra's JIT warms up on one loader run first.
    log(f"warming Cassandra up: the Java loader, {max(A.count // 2, 20000)} rows (not measured)")
    try:
        java("Loader", "--port", str(A.cql_port), "--rows", str(max(A.count // 2, 20000)), "--in-flight", str(A.in_flight),
             "--batch-rows", "10")
    except RuntimeError as e:  # a warm-up only
        log(f"warm-up: {e}")
    settle("rdstream_bench")

    os.makedirs(A.results, exist_ok=True)
    # Not counted either: one bulk run from Kafka. The first one after the loader's warm-up cost
    # Cassandra ~35 % more CPU a row (and Kafka more too) in every run we looked at, whichever
    # system it was, though Cassandra had gone idle and the loader writes the same batches of 10
    # (peers.analysis.md); counted, it fell on repetition 1's first system alone.
    log("warm-up bulk run (not counted)")
    warmup_bulk = bulk_run(systems[0], 0)
    load_before = open("/proc/loadavg").read().split()[:3]
    bulk, ceil, paced = [], [], []
    for rep in range(1, A.reps + 1):
        k = (rep - 1) % len(systems)
        for system in systems[k:] + systems[:k]:  # the order rotates each repetition
            bulk.append(bulk_run(system, rep))
            save_partial(bulk=bulk, ceiling=ceil, paced=paced)
        for kind in ceilings[k % 3:] + ceilings[:k % 3]:
            ceil.append(ceiling_run(kind, rep))
            save_partial(bulk=bulk, ceiling=ceil, paced=paced)
    for rep in range(1, A.paced_reps + 1):
        k = (rep - 1) % len(systems)
        for system in systems[k:] + systems[:k]:
            paced.append(paced_run(system, rep))
            save_partial(bulk=bulk, ceiling=ceil, paced=paced)
    load_after = open("/proc/loadavg").read().split()[:3]

    summary = {}
    for system in systems:
        b = [r for r in bulk if r["system"] == system]
        p = [r for r in paced if r["system"] == system]
        summary[system] = {
            "records_per_s": median([r["records_per_s"] for r in b]),
            "records_per_s_incl_startup": median([r["records_per_s_incl_startup"] for r in b]),
            "cpu_s_per_1m_records": median([r["cpu_s_per_1m"] for r in b]),
            "peak_rss_mib": max(r["peak_rss_mib"] for r in b),
            "time_to_first_row_s": median([r["time_to_first_row_s"] for r in b]),
            "cassandra_cpu_s_per_1m_records": median([r.get("cassandra_cpu_s", 0) / A.count * 1e6 for r in b]),
            "kafka_cpu_s_per_1m_records": median([r.get("kafka_cpu_s", 0) / A.count * 1e6 for r in b]),
            "p50_ms": median([r["latency_ms"]["p50"] for r in p]) if p else None,
            "p99_ms": median([r["latency_ms"]["p99"] for r in p]) if p else None,
            "paced_peak_rss_mib": max(r["peak_rss_mib"] for r in p) if p else None,
            "paced_cpu_s_per_1m_records": median([r["cpu_s_while_paced"] / r["records"] * 1e6 for r in p]) if p else None,
        }
    ceiling = {kind: median([c["inserts_per_s"] for c in ceil if c["kind"] == kind]) for kind in ceilings}
    best_client = max(["java-single", "java-batch10"], key=lambda k: ceiling[k])
    digests = {r["digest"] for r in bulk}
    rd = summary["rdstream"]

    def ratio(key, peer):
        if peer not in summary or not summary[peer][key] or rd[key] is None:
            return None
        return round(rd[key] / summary[peer][key], 3)
    machine = json.load(open(A.machine_json))
    machine["loadavg_before"] = " ".join(load_before)
    machine["loadavg_after"] = " ".join(load_after)
    result = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **{k: machine.pop(k) for k in ["commit", "versions"]},
        "machine": machine,
        "ratio_records_per_s_vs_spark": ratio("records_per_s", "spark"),
        "ratio_records_per_s_vs_bento": ratio("records_per_s", "bento"),
        "ratio_cpu_per_record_vs_spark": ratio("cpu_s_per_1m_records", "spark"),
        "ratio_cpu_per_record_vs_bento": ratio("cpu_s_per_1m_records", "bento"),
        "ratio_rss_vs_spark": ratio("peak_rss_mib", "spark"),
        "ratio_p99_vs_spark": ratio("p99_ms", "spark"),
        "ratio_p99_vs_bento": ratio("p99_ms", "bento"),
        "percent_of_best_client_ceiling": round(100 * rd["records_per_s"] / ceiling[best_client], 1),
        "best_client": best_client,
        "rows_identical_across_systems": len(digests) == 1,
        "digests": sorted(digests),
        "settings": {"records": A.count, "partitions": 3, "repetitions": A.reps, "paced_repetitions": A.paced_reps,
                     "paced_rate_per_s": A.rate, "paced_seconds": A.paced_seconds,
                     "paced_warmup_seconds": A.paced_warmup, "in_flight": A.in_flight,
                     "spark_trigger_paced": A.spark_trigger, "spark_master": "local[2]",
                     "spark_driver_memory": A.spark_driver_memory, "systems": systems},
        "summary": summary,
        "ceiling_inserts_per_s": ceiling,
        "bulk_runs": bulk, "ceiling_runs": ceil, "paced_runs": paced, "warmup_bulk_run": warmup_bulk,
    }
    os.makedirs(A.results, exist_ok=True)
    with open(os.path.join(A.results, "peers.json"), "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    try:
        os.remove(os.path.join(A.results, "peers.partial.json"))  # all of it is in peers.json now
    except OSError:
        pass
    print(json.dumps(result["summary"], indent=1))


if __name__ == "__main__":
    main()
