package vcftrace.producer;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vcftrace.common.KafkaSettings;
import vcftrace.common.KafkaTracing;
import vcftrace.common.Attrs;
import vcftrace.common.DlqHeaders;
import vcftrace.common.Telemetry;
import vcftrace.common.Topics;

/**
 * {@code vcf-producer replay}: re-publishes dead letters to the topic they came from, once their cause
 * is fixed. The record's key and value go back byte for byte; each replay is a new {@code job.replay}
 * trace with a span link to the failed one, so both are one click apart. The dead-letter topic is a
 * log: replaying does not remove anything from it.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Re-publish dead-lettered jobs (all, or by job id) to their original topic.")
public final class ReplayCommand implements Callable<Integer> {
  static final class Selection {
    @Option(names = "--job-id", required = true, description = "replay this job (repeatable)")
    List<String> jobIds;

    @Option(names = "--all", required = true, description = "replay every dead letter")
    boolean all;
  }

  @ArgGroup(multiplicity = "1")
  Selection selection;

  @Option(names = "--dry-run", description = "list what would be replayed, publish nothing")
  boolean dryRun;

  private final Map<String, String> env;

  public ReplayCommand() {
    this(System.getenv());
  }

  /** With {@code env} in place of the process environment (tests). */
  public ReplayCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Topics topics = Topics.fromEnv(env);
    Map<String, ConsumerRecord<byte[], byte[]>> letters = readDeadLetters(topics.dlq());
    if (selection.jobIds != null) {
      Set<String> missing = new java.util.TreeSet<>(selection.jobIds);
      missing.removeAll(letters.keySet());
      if (!missing.isEmpty()) {
        System.err.println("vcf-producer: no dead letter for job id " + String.join(", ", missing));
        return ProducerMain.EXIT_USAGE;
      }
      letters.keySet().retainAll(selection.jobIds);
    }
    out.printf("%-36s  %-32s  %-32s  %s%n", "JOB ID", "FAILED TRACE", "REPLAY TRACE", "ERROR");
    if (dryRun) {
      letters.forEach((id, rec) -> out.printf("%-36s  %-32s  %-32s  %s%n", id, header(rec, DlqHeaders.TRACE_ID), "-",
          header(rec, DlqHeaders.ERROR_TYPE)));
      return 0;
    }
    Telemetry telemetry = Telemetry.create("vcf-producer", env);
    try (Producer<byte[], byte[]> producer = ProducerClients.producer(env,
        KafkaTracing.create(telemetry.openTelemetry(), KafkaSettings.clientProperties(env)), "vcf-producer-replay")) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (Map.Entry<String, ConsumerRecord<byte[], byte[]>> e : letters.entrySet()) {
        ConsumerRecord<byte[], byte[]> rec = e.getValue();
        SpanContext failed = Span.fromContext(telemetry.openTelemetry().getPropagators().getTextMapPropagator()
            .extract(Context.root(), rec, HEADERS)).getSpanContext();
        var builder = telemetry.tracer().spanBuilder("job.replay").setParent(Context.root())
            .setAttribute(Attrs.JOB_ID, e.getKey());
        if (failed.isValid()) builder.addLink(failed);
        Span span = builder.startSpan();
        String topic = header(rec, DlqHeaders.ORIGINAL_TOPIC);
        try (Scope ignored = span.makeCurrent()) {
          sent.add(producer.send(new ProducerRecord<>(topic != null ? topic : topics.jobs(), rec.key(), rec.value())));
        } finally {
          span.end();
        }
        out.printf("%-36s  %-32s  %-32s  %s%n", e.getKey(), failed.isValid() ? failed.getTraceId() : "-",
            span.getSpanContext().getTraceId(), header(rec, DlqHeaders.ERROR_TYPE));
      }
      producer.flush();
      for (Future<RecordMetadata> f : sent) f.get();
      out.printf("replayed %d job(s)%n", sent.size());
    } finally {
      telemetry.close(ProducerMain.SPAN_FLUSH_AT_EXIT); // after the producer, within a bound
    }
    return 0;
  }

  /** The dead-letter topic from its beginning to its current end; the last letter of a job id wins. */
  private Map<String, ConsumerRecord<byte[], byte[]>> readDeadLetters(String topic) {
    Map<String, ConsumerRecord<byte[], byte[]>> letters = new LinkedHashMap<>();
    try (KafkaConsumer<byte[], byte[]> c = ProducerClients.reader(env, "vcf-producer-replay")) {
      List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(500))) {
          String id = header(rec, DlqHeaders.JOB_ID);
          if (id == null && rec.key() != null) id = new String(rec.key(), StandardCharsets.UTF_8);
          if (id == null) id = rec.topic() + "-" + rec.partition() + "@" + rec.offset();
          letters.remove(id); // keep insertion order = order of the latest letter
          letters.put(id, rec);
        }
      }
    }
    return letters;
  }

  private static String header(ConsumerRecord<byte[], byte[]> rec, String key) {
    Header h = rec.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static final TextMapGetter<ConsumerRecord<byte[], byte[]>> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(ConsumerRecord<byte[], byte[]> carrier) {
      List<String> keys = new ArrayList<>();
      carrier.headers().forEach(h -> keys.add(h.key()));
      return keys;
    }

    @Override
    public String get(ConsumerRecord<byte[], byte[]> carrier, String key) {
      return carrier == null ? null : header(carrier, key);
    }
  };
}
