package rdstream.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;

/**
 * Reads one system's copy of the table back, after its run, and prints one JSON line:
 *  - rows, and a digest of their contents that does not depend on the order (the sum, mod 2^64,
 *    of each row's SHA-256 over its 11 columns, cut to 64 bits): equal digests, equal rows;
 *  - WRITETIME (microseconds, when the row was written: the writer's timestamp or, when it sends
 *    none, the coordinator's) first / last, and the rate between them;
 *  - for rows whose --stamp-field holds a number (the paced producer's produce time, epoch us):
 *    the end-to-end latency WRITETIME - stamp, p50 / p90 / p99 / p999 / max in ms.
 *
 *   TableReader --keyspace K --table T [--port P] [--stamp-field registered_date] [--since-us T]
 */
public final class TableReader {
  public static void main(String[] args) throws Exception {
    Map<String, String> f = Cql.flags(args);
    final String ks = f.get("keyspace"), table = f.get("table");
    final String stampField = f.getOrDefault("stamp-field", "registered_date");
    final boolean digest = !"false".equals(f.get("digest"));
    // Only rows stamped at or after this time (epoch us) count for the latency: the runs' first
    // seconds warm the JVMs up.
    final long sinceUs = Long.parseLong(f.getOrDefault("since-us", "0"));
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    long rows = 0, sum = 0, wtMin = Long.MAX_VALUE, wtMax = Long.MIN_VALUE;
    long[] lat = new long[1 << 16];
    int nLat = 0;
    int stampIndex = Arrays.asList(Cql.COLUMNS).indexOf(stampField);
    try (CqlSession s = Cql.session(f, 1)) {
      ResultSet rs = s.execute("SELECT " + String.join(", ", Cql.COLUMNS) + ", WRITETIME(first_name) FROM " + ks + "." + table);
      for (Row r : rs) {
        ++rows;
        long wt = r.getLong(Cql.COLUMNS.length);
        wtMin = Math.min(wtMin, wt);
        wtMax = Math.max(wtMax, wt);
        if (digest) {
          sha.reset();
          sha.update(r.getUuid(0).toString().getBytes(StandardCharsets.UTF_8));
          for (int c = 1; c < Cql.COLUMNS.length; ++c) {
            sha.update((byte) 0);
            String v = r.getString(c);
            sha.update((v == null ? "\u0001null" : v).getBytes(StandardCharsets.UTF_8));
          }
          byte[] h = sha.digest();
          long x = 0;
          for (int k = 0; k < 8; ++k) x = (x << 8) | (h[k] & 0xff);
          sum += x;
        }
        String stamp = r.getString(stampIndex);
        if (stamp != null && !stamp.isEmpty() && Character.isDigit(stamp.charAt(0)) && stamp.indexOf('-') < 0) {
          final long stampUs = Long.parseLong(stamp);
          if (stampUs >= sinceUs) {
            if (nLat == lat.length) lat = Arrays.copyOf(lat, lat.length * 2);
            lat[nLat++] = wt - stampUs;
          }
        }
      }
    }
    Arrays.sort(lat, 0, nLat);
    StringBuilder out = new StringBuilder();
    out.append(String.format(java.util.Locale.ROOT,
        "{\"keyspace\": \"%s\", \"table\": \"%s\", \"rows\": %d, \"digest\": \"%016x\", \"writetime_first_us\": %d, "
        + "\"writetime_last_us\": %d, \"rows_per_s_first_to_last\": %.1f, \"stamped_rows\": %d",
        ks, table, rows, sum, rows > 0 ? wtMin : 0, rows > 0 ? wtMax : 0,
        rows > 1 && wtMax > wtMin ? rows / ((wtMax - wtMin) / 1e6) : 0.0, nLat));
    if (nLat > 0) {
      out.append(String.format(java.util.Locale.ROOT,
          ", \"latency_ms\": {\"p50\": %.2f, \"p90\": %.2f, \"p99\": %.2f, \"p999\": %.2f, \"max\": %.2f, \"min\": %.2f}",
          q(lat, nLat, 0.5), q(lat, nLat, 0.9), q(lat, nLat, 0.99), q(lat, nLat, 0.999), lat[nLat - 1] / 1000.0, lat[0] / 1000.0));
    }
    System.out.println(out.append('}'));
  }

  static double q(long[] v, int n, double p) {
    return v[Math.min(n - 1, (int) Math.floor(p * n))] / 1000.0;
  }
}
