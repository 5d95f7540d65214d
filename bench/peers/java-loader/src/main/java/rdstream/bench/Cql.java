package rdstream.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Shared by the tools: flags as --name value pairs, and a session on the Java driver. */
final class Cql {
  static final String[] COLUMNS = {"id", "first_name", "last_name", "gender", "address", "post_code", "email",
                                   "username", "registered_date", "phone", "picture"};

  private Cql() {}

  static Map<String, String> flags(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --flag value, got " + args[i]);
      m.put(args[i].substring(2), args[i + 1]);
    }
    return m;
  }

  static CqlSession session(Map<String, String> f, int connections) {
    DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
        .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, Duration.ofSeconds(10))
        .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, connections)
        .withInt(DefaultDriverOption.CONNECTION_MAX_REQUESTS, 32768)
        .withString(DefaultDriverOption.REQUEST_CONSISTENCY, "LOCAL_ONE")
        .withInt(DefaultDriverOption.REQUEST_PAGE_SIZE, 5000)
        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
        .build();
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress(f.getOrDefault("host", "127.0.0.1"),
                                               Integer.parseInt(f.getOrDefault("port", "9042"))))
        .withLocalDatacenter(f.getOrDefault("dc", "datacenter1"))
        .withAuthCredentials(f.getOrDefault("user", "cassandra"), f.getOrDefault("password", "cassandra"))
        .withConfigLoader(config)
        .build();
  }
}
