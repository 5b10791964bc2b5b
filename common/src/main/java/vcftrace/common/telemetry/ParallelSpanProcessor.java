package vcftrace.common.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InternalTelemetryVersion;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;

/**
 * {@link BatchSpanProcessor}s side by side, all exporting through one exporter. A batch processor has
 * a single export thread that waits for each export to finish, so it moves at most {@code
 * maxExportBatchSize} spans per export round trip (2048 spans / 20 ms = ~100k spans/s, before any
 * CPU cost); {@code parallelism} of them keep that many exports in flight at once.
 *
 * <p><b>Routing.</b> {@link #onEnd} sends a span to the shard chosen by its trace id, so the spans of a
 * trace stay together, in end order, in one shard's batches. One very busy trace therefore cannot go
 * faster than one shard; our traces are one job each (a few dozen spans), so that never binds.
 *
 * <p><b>Queue.</b> The configured {@code maxQueueSize} is the total: each shard holds {@code
 * ceil(maxQueueSize / parallelism)} spans, so memory stays what {@code otel.bsp.max.queue.size}
 * says whatever the parallelism. (The SDK's queue rounds each shard up to a power of two internally;
 * with the defaults, 65536 / 4, it is one already.) {@code maxExportBatchSize}, {@code scheduleDelay}
 * and {@code exporterTimeout} apply to every shard unchanged; a batch larger than a shard's queue is
 * cut to the queue size.
 *
 * <p><b>Never blocks.</b> {@code onEnd} only offers the span to a lock-free bounded queue; when it is
 * full the span is dropped and counted ({@link SpanDropReason#QUEUE_FULL}). A slow or unreachable
 * backend costs spans, never the caller's time.
 *
 * <p><b>Exporter.</b> The OTLP exporters are safe for concurrent {@code export} calls (each call
 * takes its own marshaler from a concurrent pool and is sent asynchronously by OkHttp; gRPC
 * multiplexes the calls over one HTTP/2 connection). Their sender runs at most 5 calls at once, so at
 * most {@value #MAX_CONCURRENT_EXPORTS} exports are let through at a time; a parallelism above that
 * only adds threads that convert spans. The exporter is shut down once, after every shard has
 * flushed.
 *
 * <p><b>Figures.</b> Queue size and queue-full drops come from each shard's own SDK telemetry
 * ({@code otel.sdk.processor.span.*}, see {@link ShardTelemetry}); exported spans and failed exports
 * from the export results. {@link SpanPipelineMetrics} puts them on Micrometer. Drops are also logged,
 * at most once per {@value DropWarning#DEFAULT_INTERVAL_SECONDS} s.
 */
public final class ParallelSpanProcessor implements SpanProcessor {

  /**
   * Default number of batch processors: {@value}. Measured with 20 ms exports over OTLP/gRPC on two
   * shared cores, 30 s without a drop (BENCHMARKS.md, "Span pipeline (issue 3)"): one sustains about
   * 25k spans/s, because each gRPC export costs about 40 ms more than the backend's answer (OkHttp
   * leaves Nagle on); 2 sustained 73k; 4 sustained 164k and, in a run with more load beside it, 96k;
   * 8 sustained 100k and 139k, no better than 4 within the noise. At most {@value
   * #MAX_CONCURRENT_EXPORTS} exports are in flight whatever the parallelism.
   */
  public static final int DEFAULT_PARALLELISM = 4;

  /** Upper bound on {@code parallelism}: {@value}. Each shard is a thread. */
  public static final int MAX_PARALLELISM = 16;

  /**
   * Exports in flight at once, over all shards: {@value}, the number of calls the OTLP exporters'
   * OkHttp and JDK senders run at once. See {@link CountingSpanExporter} for why more would fail.
   */
  public static final int MAX_CONCURRENT_EXPORTS = 5;

  /** The configuration property for the parallelism: {@value}. */
  public static final String PARALLELISM_PROPERTY = "vcftrace.bsp.parallelism";

  /** The environment variable for the parallelism: {@value}; wins over the property's default. */
  public static final String PARALLELISM_ENV = "VCFTRACE_BSP_PARALLELISM";

  /** The SDK's default total queue size, {@value}; {@code otel.bsp.max.queue.size} sets it. */
  public static final int DEFAULT_MAX_QUEUE_SIZE = 2048;

  /** The SDK's default batch size, {@value}; {@code otel.bsp.max.export.batch.size} sets it. */
  public static final int DEFAULT_MAX_EXPORT_BATCH_SIZE = 512;

  /** The SDK's default delay between exports, {@value} ms; {@code otel.bsp.schedule.delay}. */
  public static final long DEFAULT_SCHEDULE_DELAY_MILLIS = 5000;

  /** The SDK's default export timeout, {@value} ms; {@code otel.bsp.export.timeout}. */
  public static final long DEFAULT_EXPORT_TIMEOUT_MILLIS = 30_000;

  /**
   * The SDK's batch processor logs a WARNING after every export once spans were dropped: dozens of
   * lines a second under load. {@link DropWarning} reports the same, rate-limited, so that logger is
   * raised to SEVERE unless someone configured it. Held here because JUL keeps loggers weakly and
   * would forget the level.
   */
  private static final java.util.logging.Logger SDK_BATCH_LOGGER =
      java.util.logging.Logger.getLogger(BatchSpanProcessor.class.getName());

  private final SpanExporter exporter;
  private final CountingSpanExporter counting;
  private final DropWarning dropWarning;
  private final ShardTelemetry[] telemetry;
  private final BatchSpanProcessor[] shards;
  private final int shardQueueSize;
  private final int maxExportBatchSize;
  private final Duration scheduleDelay;
  private final Duration exporterTimeout;
  private final AtomicReference<CompletableResultCode> shutdownResult = new AtomicReference<>();

  private ParallelSpanProcessor(Builder builder) {
    this.exporter = builder.exporter;
    int parallelism = builder.parallelism;
    this.shardQueueSize = (builder.maxQueueSize + parallelism - 1) / parallelism;
    // The SDK would cut it too, with a WARNING per shard; cutting here is the documented behaviour.
    this.maxExportBatchSize = Math.min(builder.maxExportBatchSize, shardQueueSize);
    this.scheduleDelay = builder.scheduleDelay;
    this.exporterTimeout = builder.exporterTimeout;
    synchronized (SDK_BATCH_LOGGER) {
      if (SDK_BATCH_LOGGER.getLevel() == null) {
        SDK_BATCH_LOGGER.setLevel(Level.SEVERE);
      }
    }
    // Both exist before the first shard starts its thread, which is all an export callback needs.
    this.dropWarning = new DropWarning(this::spansDropped);
    this.counting =
        new CountingSpanExporter(exporter, MAX_CONCURRENT_EXPORTS, dropWarning::check);
    this.telemetry = new ShardTelemetry[parallelism];
    this.shards = new BatchSpanProcessor[parallelism];
    for (int i = 0; i < parallelism; i++) {
      telemetry[i] = new ShardTelemetry();
      shards[i] =
          BatchSpanProcessor.builder(counting)
              .setMaxQueueSize(shardQueueSize)
              .setMaxExportBatchSize(maxExportBatchSize)
              .setScheduleDelay(scheduleDelay)
              .setExporterTimeout(exporterTimeout)
              .setMeterProvider(telemetry[i].meterProvider())
              .setInternalTelemetryVersion(InternalTelemetryVersion.LATEST)
              .build();
    }
  }

  /** A builder exporting to {@code exporter}, which the processor owns and shuts down. */
  public static Builder builder(SpanExporter exporter) {
    return new Builder(exporter);
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {}

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    shardFor(span).onEnd(span);
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }

  private BatchSpanProcessor shardFor(ReadableSpan span) {
    if (shards.length == 1) {
      return shards[0];
    }
    // The SpanContext of every span of a trace shares one trace-id String, whose hash is cached
    // after the first span; the trace id is random, so its hash spreads traces evenly.
    int h = span.getSpanContext().getTraceId().hashCode();
    return shards[Math.floorMod(h ^ (h >>> 16), shards.length)];
  }

  /** Exports every span ended so far; completes when every shard has. */
  @Override
  public CompletableResultCode forceFlush() {
    List<CompletableResultCode> results = new ArrayList<>(shards.length);
    for (BatchSpanProcessor shard : shards) {
      results.add(shard.forceFlush());
    }
    return CompletableResultCode.ofAll(results);
  }

  /**
   * Flushes and stops every shard, then shuts the exporter down once. Calling it again returns the
   * first call's result. Spans ending afterwards are dropped as {@link
   * SpanDropReason#ALREADY_SHUTDOWN}.
   */
  @Override
  public CompletableResultCode shutdown() {
    CompletableResultCode result = new CompletableResultCode();
    if (!shutdownResult.compareAndSet(null, result)) {
      return shutdownResult.get();
    }
    List<CompletableResultCode> flushed = new ArrayList<>(shards.length);
    for (BatchSpanProcessor shard : shards) {
      flushed.add(shard.shutdown());
    }
    CompletableResultCode allShards = CompletableResultCode.ofAll(flushed);
    allShards.whenComplete(
        () -> {
          // Spans lost since the last warning would otherwise go unmentioned at exit.
          dropWarning.checkNow();
          CompletableResultCode closed = exporter.shutdown();
          closed.whenComplete(
              () -> {
                if (allShards.isSuccess() && closed.isSuccess()) {
                  result.succeed();
                } else {
                  result.fail();
                }
              });
        });
    return result;
  }

  /** How many batch processors run side by side. */
  public int parallelism() {
    return shards.length;
  }

  /** Spans each shard exports at most per call (after cutting to the shard's queue). */
  public int maxExportBatchSize() {
    return maxExportBatchSize;
  }

  /** Longest a shard waits before exporting a partial batch. */
  public Duration scheduleDelay() {
    return scheduleDelay;
  }

  /** Longest a shard waits for one export before it moves on. */
  public Duration exporterTimeout() {
    return exporterTimeout;
  }

  /** Spans the queues can hold in total: the per-shard capacity times the parallelism. */
  public long queueCapacity() {
    return (long) shardQueueSize * shards.length;
  }

  /** Spans waiting in the queues now, summed over the shards. */
  public long queueSize() {
    long size = 0;
    for (ShardTelemetry t : telemetry) {
      size += t.read().queueSize();
    }
    return size;
  }

  /** Spans the backend accepted, since start. */
  public long spansExported() {
    return counting.exportedSpans();
  }

  /** Export calls that failed (after the exporter's own retries), since start. */
  public long exportFailures() {
    return counting.failedExports();
  }

  /** Spans dropped for {@code reason}, since start. */
  public long spansDropped(SpanDropReason reason) {
    return spansDropped().get(requireNonNull(reason, "reason"));
  }

  /** Spans dropped, by reason, since start; every reason is present. */
  public Map<SpanDropReason, Long> spansDropped() {
    long queueFull = 0;
    long afterShutdown = 0;
    for (ShardTelemetry t : telemetry) {
      ShardTelemetry.Snapshot s = t.read();
      queueFull += s.droppedQueueFull();
      afterShutdown += s.droppedAfterShutdown();
    }
    EnumMap<SpanDropReason, Long> dropped = new EnumMap<>(SpanDropReason.class);
    dropped.put(SpanDropReason.QUEUE_FULL, queueFull);
    dropped.put(SpanDropReason.EXPORT_FAILED, counting.failedSpans());
    dropped.put(SpanDropReason.ALREADY_SHUTDOWN, afterShutdown);
    return Collections.unmodifiableMap(dropped);
  }

  /** The exporter every shard exports through (as given to the builder). */
  public SpanExporter getSpanExporter() {
    return exporter;
  }

  @Override
  public String toString() {
    return "ParallelSpanProcessor{parallelism="
        + shards.length
        + ", queueCapacity="
        + queueCapacity()
        + ", maxExportBatchSize="
        + maxExportBatchSize
        + ", scheduleDelay="
        + scheduleDelay
        + ", exporterTimeout="
        + exporterTimeout
        + ", exporter="
        + exporter
        + '}';
  }

  /**
   * Settings for {@link ParallelSpanProcessor}. The defaults are the SDK's batch-processor defaults
   * plus {@link #DEFAULT_PARALLELISM}; {@link #readConfig} applies the standard {@code otel.bsp.*}
   * properties and {@value #PARALLELISM_PROPERTY}.
   */
  public static final class Builder {
    private final SpanExporter exporter;
    private int parallelism = DEFAULT_PARALLELISM;
    private int maxQueueSize = DEFAULT_MAX_QUEUE_SIZE;
    private int maxExportBatchSize = DEFAULT_MAX_EXPORT_BATCH_SIZE;
    private Duration scheduleDelay = Duration.ofMillis(DEFAULT_SCHEDULE_DELAY_MILLIS);
    private Duration exporterTimeout = Duration.ofMillis(DEFAULT_EXPORT_TIMEOUT_MILLIS);

    private Builder(SpanExporter exporter) {
      this.exporter = requireNonNull(exporter, "exporter");
    }

    /** Batch processors side by side, 1 to {@value #MAX_PARALLELISM}. */
    public Builder setParallelism(int parallelism) {
      checkArgument(
          parallelism >= 1 && parallelism <= MAX_PARALLELISM,
          PARALLELISM_PROPERTY + " must be 1.." + MAX_PARALLELISM + ": " + parallelism);
      this.parallelism = parallelism;
      return this;
    }

    /** Total queue size over all shards; must be positive. */
    public Builder setMaxQueueSize(int maxQueueSize) {
      checkArgument(maxQueueSize > 0, "maxQueueSize must be positive: " + maxQueueSize);
      this.maxQueueSize = maxQueueSize;
      return this;
    }

    /** Spans per export call, per shard; must be positive. */
    public Builder setMaxExportBatchSize(int maxExportBatchSize) {
      checkArgument(
          maxExportBatchSize > 0, "maxExportBatchSize must be positive: " + maxExportBatchSize);
      this.maxExportBatchSize = maxExportBatchSize;
      return this;
    }

    /** Longest wait before a partial batch is exported; must not be negative. */
    public Builder setScheduleDelay(Duration scheduleDelay) {
      requireNonNull(scheduleDelay, "scheduleDelay");
      checkArgument(!scheduleDelay.isNegative(), "scheduleDelay must not be negative");
      this.scheduleDelay = scheduleDelay;
      return this;
    }

    /** Longest wait for one export; {@link Duration#ZERO} waits forever, as in the SDK. */
    public Builder setExporterTimeout(Duration exporterTimeout) {
      requireNonNull(exporterTimeout, "exporterTimeout");
      checkArgument(!exporterTimeout.isNegative(), "exporterTimeout must not be negative");
      this.exporterTimeout = exporterTimeout;
      return this;
    }

    /**
     * Applies the keys the SDK's autoconfiguration reads for its batch processor ({@code
     * otel.bsp.schedule.delay}, {@code otel.bsp.max.queue.size}, {@code
     * otel.bsp.max.export.batch.size}, {@code otel.bsp.export.timeout}), with the same meaning, and
     * {@value #PARALLELISM_PROPERTY} ({@value #PARALLELISM_ENV} in the environment). Keys that are
     * not set leave the builder's values alone.
     */
    public Builder readConfig(ConfigProperties config) {
      requireNonNull(config, "config");
      Integer parallelismValue = config.getInt(PARALLELISM_PROPERTY);
      if (parallelismValue != null) {
        setParallelism(parallelismValue);
      }
      Duration delay = config.getDuration("otel.bsp.schedule.delay");
      if (delay != null) {
        setScheduleDelay(delay);
      }
      Integer queue = config.getInt("otel.bsp.max.queue.size");
      if (queue != null) {
        setMaxQueueSize(queue);
      }
      Integer batch = config.getInt("otel.bsp.max.export.batch.size");
      if (batch != null) {
        setMaxExportBatchSize(batch);
      }
      Duration timeout = config.getDuration("otel.bsp.export.timeout");
      if (timeout != null) {
        setExporterTimeout(timeout);
      }
      return this;
    }

    /** Starts the shards' export threads. */
    public ParallelSpanProcessor build() {
      return new ParallelSpanProcessor(this);
    }

    private static void checkArgument(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
