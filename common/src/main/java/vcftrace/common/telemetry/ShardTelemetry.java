package vcftrace.common.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;

/**
 * The internal telemetry of one shard's {@link io.opentelemetry.sdk.trace.export.BatchSpanProcessor}
 * (semantic-convention version: {@code otel.sdk.processor.span.*}), read on demand. The SDK is the
 * only one that sees its queue and its queue-full drops, so this is where the exact figures are.
 *
 * <p>Each shard gets a meter provider of its own because in SDK 1.68 every batch processor in the JVM
 * reports under the same {@code otel.component.name} (a static id): on one shared provider the
 * queue-size callbacks of several processors would record the same attributes and all but one
 * would be lost. A provider with only this pull reader owns no thread, so there is nothing to close.
 */
final class ShardTelemetry {
  static final String QUEUE_SIZE = "otel.sdk.processor.span.queue.size";
  static final String PROCESSED = "otel.sdk.processor.span.processed";
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private final PullReader reader = new PullReader();
  private final SdkMeterProvider meterProvider =
      SdkMeterProvider.builder().registerMetricReader(reader).build();

  /** Give this to the shard's batch processor builder. */
  MeterProvider meterProvider() {
    return meterProvider;
  }

  /** The shard's figures now. */
  Snapshot read() {
    long queueSize = 0;
    long queueFull = 0;
    long afterShutdown = 0;
    for (MetricData metric : reader.collect()) {
      if (metric.getType() != MetricDataType.LONG_SUM) {
        continue;
      }
      if (QUEUE_SIZE.equals(metric.getName())) {
        for (LongPointData point : metric.getLongSumData().getPoints()) {
          queueSize += point.getValue();
        }
      } else if (PROCESSED.equals(metric.getName())) {
        for (LongPointData point : metric.getLongSumData().getPoints()) {
          String errorType = point.getAttributes().get(ERROR_TYPE);
          if (SpanDropReason.QUEUE_FULL.tagValue().equals(errorType)) {
            queueFull += point.getValue();
          } else if (SpanDropReason.ALREADY_SHUTDOWN.tagValue().equals(errorType)) {
            afterShutdown += point.getValue();
          }
        }
      }
    }
    return new Snapshot(queueSize, queueFull, afterShutdown);
  }

  /** One reading; the counts are cumulative since the shard started. */
  record Snapshot(long queueSize, long droppedQueueFull, long droppedAfterShutdown) {}

  /** A reader that collects only when asked: no thread, no export. */
  private static final class PullReader implements MetricReader {
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    @Override
    public void register(CollectionRegistration registration) {
      this.registration = registration;
    }

    java.util.Collection<MetricData> collect() {
      return registration.collectAllMetrics();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      // Cumulative: a reading is the total since start, so two readers of the figures (a scrape
      // and the drop warning) never steal each other's deltas.
      return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
