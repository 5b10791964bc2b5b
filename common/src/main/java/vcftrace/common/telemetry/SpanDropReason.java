package vcftrace.common.telemetry;

/**
 * Why an ended span never reached the trace backend. The tag values are the {@code error.type} values
 * the OpenTelemetry SDK's own processor metrics use, plus {@code export_failed}, so one dashboard can
 * read both.
 */
public enum SpanDropReason {
  /** The processor's queue was full when the span ended: spans end faster than they are exported. */
  QUEUE_FULL("queue_full"),
  /**
   * The span was in a batch whose export failed after the exporter's own retries (backend down,
   * refusing or too slow); the batch processor does not export a batch twice.
   */
  EXPORT_FAILED("export_failed"),
  /** The span ended after the processor was shut down. */
  ALREADY_SHUTDOWN("already_shutdown");

  private final String tagValue;

  SpanDropReason(String tagValue) {
    this.tagValue = tagValue;
  }

  /** The value of the {@code reason} tag on {@code otel.spans.dropped}. */
  public String tagValue() {
    return tagValue;
  }
}
