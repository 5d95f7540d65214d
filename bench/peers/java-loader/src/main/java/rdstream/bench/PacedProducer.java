package rdstream.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The paced producer of the peers benchmark's latency runs: records of the generator's shape
 * (lines of a payload file written by ingest_record_sample: `rdstream ingest --source generator`'s
 * JSON values), each with a fresh id and its produce time (epoch microseconds, this machine's clock,
 * taken just before send()) in the string field --stamp-field. No peer is instrumented: the latency
 * is read back from Cassandra as WRITETIME minus that field.
 *
 *   PacedProducer --bootstrap H:P --topic T --payload-file F [--rate R --count N] [--partitions 3]
 *                 [--stamp-field registered_date] [--stamp-value ready]
 * Creates the topic if missing. --rate 0 sends the records at once (the "ready" records a run
 * starts with, stamped with --stamp-value so that they are told apart). Prints one JSON line.
 */
public final class PacedProducer {
  public static void main(String[] args) throws Exception {
    Map<String, String> f = Cql.flags(args);
    final String bootstrap = f.get("bootstrap");
    final String topic = f.get("topic");
    final double rate = Double.parseDouble(f.getOrDefault("rate", "0"));
    final long count = Long.parseLong(f.getOrDefault("count", "1000"));
    final int partitions = Integer.parseInt(f.getOrDefault("partitions", "3"));
    final String stampField = f.getOrDefault("stamp-field", "registered_date");
    final String fixedStamp = f.get("stamp-value");

    // Each payload line split around the id's value and the stamp field's value.
    List<String[]> templates = new ArrayList<>();
    final String idKey = "\"id\":\"", stampKey = "\"" + stampField + "\":\"";
    for (String line : Files.readAllLines(Path.of(f.get("payload-file")))) {
      int a = line.indexOf(idKey), b = line.indexOf(stampKey);
      if (a < 0 || b < a) throw new IllegalArgumentException("payload line without id before " + stampField + ": " + line);
      a += idKey.length();
      b += stampKey.length();
      int aEnd = line.indexOf('"', a), bEnd = line.indexOf('"', b);
      templates.add(new String[] {line.substring(0, a), line.substring(aEnd, b), line.substring(bEnd)});
    }

    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(p)) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) throw e;
    }
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    p.put("compression.type", "lz4");
    p.put("linger.ms", "5");
    p.put("batch.size", "262144");
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    final AtomicLong failed = new AtomicLong();
    long sent = 0, maxBehindUs = 0;
    final Instant start = Instant.now();
    final long t0 = System.nanoTime();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      while (sent < count) {
        final long elapsed = System.nanoTime() - t0;
        long due = rate > 0 ? Math.min(count, (long) (elapsed / 1e9 * rate) + 1) : count;
        if (rate > 0 && due - sent > 1) maxBehindUs = Math.max(maxBehindUs, (long) ((due - sent - 1) / rate * 1e6));
        for (; sent < due; ++sent) {
          String[] t = templates.get((int) (sent % templates.size()));
          String id = UUID.randomUUID().toString();
          String stamp = fixedStamp;
          if (stamp == null) {
            Instant now = Instant.now();
            stamp = Long.toString(now.getEpochSecond() * 1_000_000L + now.getNano() / 1000);
          }
          producer.send(new ProducerRecord<>(topic, id, t[0] + id + t[1] + stamp + t[2]), (md, e) -> {
            if (e != null && failed.getAndIncrement() == 0) System.err.println("producer: " + e);
          });
        }
        if (rate > 0 && sent < count) Thread.sleep(1);
      }
      producer.flush();
    }
    final double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(java.util.Locale.ROOT,
        "{\"tool\": \"paced producer\", \"topic\": \"%s\", \"sent\": %d, \"failed\": %d, \"rate\": %.1f, "
        + "\"seconds\": %.3f, \"achieved_per_s\": %.1f, \"max_behind_ms\": %.1f, \"start_epoch_us\": %d}%n",
        topic, sent, failed.get(), rate, seconds, sent / seconds, maxBehindUs / 1000.0,
        start.getEpochSecond() * 1_000_000L + start.getNano() / 1000);
    System.exit(failed.get() == 0 ? 0 : 1);
  }
}
