package rdstream.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reference insert load on the Apache Cassandra Java driver (org.apache.cassandra:java-driver-core):
 * asynchronous prepared inserts of created_users-shaped rows (the same values as
 * bench/cassandra/sink_bench.cc makes), at most --in-flight rows in flight, LOCAL_ONE, idempotent.
 * With --batch-rows N > 1, N consecutive rows go as one UNLOGGED batch (on one node every row shares
 * its replica, as rdstream's sink groups them). Prints one JSON line in the format of
 * cassandra_sink_bench, which scripts/bench-cassandra and scripts/bench-peers read.
 *
 *   Loader [--host H] [--port P] [--rows N] [--in-flight K] [--batch-rows B] [--connections C]
 *          [--keyspace rdstream_bench] [--table created_users_java]
 */
public final class Loader {
  static Object[] makeRow(int i) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    UUID id = new UUID((r.nextLong() & 0xffffffffffff0fffL) | 0x4000L, (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L);
    return new Object[] {id, "First" + (i % 997), "Last" + (i % 991), (i % 2 == 1) ? "female" : "male",
                         (i % 9999) + " Harbour Road, Eastvale, Oregon, United States", Integer.toString(10000 + i % 89999),
                         "first" + (i % 997) + ".last" + (i % 991) + "@example.com", "bluefox" + (i % 100000),
                         "2011-07-02T18:03:10.101Z", "(512) 555-0176",
                         "https://randomuser.me/api/portraits/med/women/" + (i % 99) + ".jpg"};
  }

  static double cpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  /** Inserts rows first..first+count-1, at most inFlight rows in flight; returns the rows that failed. */
  static long load(CqlSession s, PreparedStatement insert, int first0, int count, int inFlight, int batchRows,
                   long[] latencyNs) {
    final Semaphore slots = new Semaphore(inFlight);
    final AtomicLong errors = new AtomicLong();
    for (int start = 0; start < count; start += batchRows) {
      final int n = Math.min(batchRows, count - start);
      slots.acquireUninterruptibly(n);
      Statement<?> st;
      if (n == 1) {
        st = insert.bind(makeRow(first0 + start)).setIdempotent(true);
      } else {
        BatchStatementBuilder b = BatchStatement.builder(DefaultBatchType.UNLOGGED);
        for (int i = start; i < start + n; ++i) b.addStatement(insert.bind(makeRow(first0 + i)));
        st = b.build().setIdempotent(true);
      }
      send(s, st, start, n, System.nanoTime(), 1, slots, errors, latencyNs);
    }
    slots.acquireUninterruptibly(inFlight);
    return errors.get();
  }

  static final AtomicLong RETRIES = new AtomicLong();

  /** One request; a failed one (a timeout on a busy node) is sent again, up to 4 attempts, as a
   *  driver user with idempotent inserts would; its latency runs from the first attempt. */
  static void send(CqlSession s, Statement<?> st, int first, int n, long sent, int attempt, Semaphore slots,
                   AtomicLong errors, long[] latencyNs) {
    s.executeAsync(st).whenComplete((result, error) -> {
      if (error != null && attempt < 4) {
        RETRIES.incrementAndGet();
        send(s, st, first, n, sent, attempt + 1, slots, errors, latencyNs);
        return;
      }
      final long took = System.nanoTime() - sent;
      for (int i = first; i < first + n; ++i) latencyNs[i] = took;
      if (error != null && errors.getAndAdd(n) == 0) System.err.println("loader: " + error);
      slots.release(n);
    });
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> f = Cql.flags(args);
    final int rows = Integer.parseInt(f.getOrDefault("rows", "100000"));
    final int inFlight = Integer.parseInt(f.getOrDefault("in-flight", "256"));
    final int batchRows = Integer.parseInt(f.getOrDefault("batch-rows", "1"));
    final int connections = Integer.parseInt(f.getOrDefault("connections", "1"));
    final String ks = f.getOrDefault("keyspace", "rdstream_bench");
    final String table = f.getOrDefault("table", "created_users_java");
    if (rows <= 0 || inFlight <= 0 || batchRows <= 0 || batchRows > inFlight) {
      System.err.println("loader: --rows, --in-flight and --batch-rows must be > 0, --batch-rows <= --in-flight");
      System.exit(2);
    }
    try (CqlSession s = Cql.session(f, connections)) {
      s.execute("CREATE KEYSPACE IF NOT EXISTS " + ks
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
      StringBuilder cols = new StringBuilder();
      for (int c = 1; c < Cql.COLUMNS.length; ++c) cols.append(", ").append(Cql.COLUMNS[c]).append(" TEXT");
      s.execute("CREATE TABLE IF NOT EXISTS " + ks + "." + table + " (id UUID PRIMARY KEY" + cols + ")");
      s.execute("TRUNCATE " + ks + "." + table);
      PreparedStatement insert = s.prepare("INSERT INTO " + ks + "." + table + " (" + String.join(", ", Cql.COLUMNS)
                                           + ") VALUES (?" + ", ?".repeat(Cql.COLUMNS.length - 1) + ")");

      final int warmup = Integer.parseInt(f.getOrDefault("warmup-rows", "0"));
      if (warmup > 0) {  // not timed: the JIT compiles the driver's paths first (rows of other ids)
        long[] ignored = new long[warmup];
        if (load(s, insert, 1_000_000_000, warmup, inFlight, batchRows, ignored) > 0) System.exit(1);
      }
      final long[] latencyNs = new long[rows];
      final double cpu0 = cpuSeconds();
      final long t0 = System.nanoTime();
      final long errors = load(s, insert, 0, rows, inFlight, batchRows, latencyNs);
      final double seconds = (System.nanoTime() - t0) / 1e9;
      final double cpu = cpuSeconds() - cpu0;
      // Counted page by page (5,000 ids a request): one COUNT(*) over a million rows outlasts
      // Cassandra's read timeout on this machine.
      long inTable = -warmup;
      for (com.datastax.oss.driver.api.core.cql.Row ignored : s.execute("SELECT id FROM " + ks + "." + table)) ++inTable;
      Arrays.sort(latencyNs);
      String tool = "java-driver-core 4.19.4 executeAsync" + (batchRows > 1 ? ", unlogged batches of " + batchRows : "");
      System.out.printf(java.util.Locale.ROOT,
          "{\"tool\": \"%s\", \"rows\": %d, \"rows_in_table\": %d, \"errors\": %d, \"in_flight\": %d, "
          + "\"rows_per_request\": %.2f, \"connections\": %d, \"seconds\": %.3f, \"inserts_per_s\": %.1f, "
          + "\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"client_cpu_s\": %.3f, \"retries\": %d}%n",
          tool, rows, inTable, errors, inFlight, (double) batchRows, connections, seconds, rows / seconds,
          latencyNs[rows / 2] / 1e6, latencyNs[(int) (rows * 0.99)] / 1e6, cpu, RETRIES.get());
      System.exit(errors == 0 ? 0 : 1);
    }
  }
}
