package vcftrace.devkit.otlp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One span as the {@link OtlpReceiver} received it, flattened out of the OTLP protobuf so that tests,
 * the demo and the {@link Waterfall} can read it without knowing the wire format.
 *
 * <p>Ids are lower-case hex (as Jaeger and the OpenTelemetry API print them); a root span has an
 * empty {@code parentSpanId}. {@code kind} is the OpenTelemetry API name ({@code INTERNAL},
 * {@code SERVER}, {@code CLIENT}, {@code PRODUCER}, {@code CONSUMER}, or {@code UNSPECIFIED});
 * {@code statusCode} is {@code UNSET}, {@code OK} or {@code ERROR}. Attribute values are
 * {@link String}, {@link Long}, {@link Double}, {@link Boolean}, a {@link List} of those, or a
 * {@link Map} for a key/value-list value; bytes become a hex string and an empty value an empty string,
 * so no map ever holds {@code null}.
 *
 * <p>The record is immutable (maps and lists are copied on construction and keep their wire order), so
 * a snapshot handed to a test cannot change under it while the receiver keeps receiving.
 */
public record ReceivedSpan(
    String traceId,
    String spanId,
    String parentSpanId,
    String name,
    String kind,
    long startEpochNanos,
    long endEpochNanos,
    String statusCode,
    String statusMessage,
    Map<String, Object> attributes,
    Map<String, Object> resourceAttributes,
    List<Link> links,
    List<Event> events) {

  /** The resource attribute that names the service (semantic conventions). */
  public static final String SERVICE_NAME_KEY = "service.name";

  /** Status code of a span that ended in error. */
  public static final String STATUS_ERROR = "ERROR";

  /** Copies every collection so the record stays immutable; {@code null} strings become empty. */
  public ReceivedSpan {
    traceId = nullToEmpty(traceId);
    spanId = nullToEmpty(spanId);
    parentSpanId = nullToEmpty(parentSpanId);
    name = nullToEmpty(name);
    kind = nullToEmpty(kind);
    statusCode = statusCode == null || statusCode.isEmpty() ? "UNSET" : statusCode;
    statusMessage = nullToEmpty(statusMessage);
    attributes = immutableCopy(attributes);
    resourceAttributes = immutableCopy(resourceAttributes);
    links = links == null ? List.of() : List.copyOf(links);
    events = events == null ? List.of() : List.copyOf(events);
  }

  /** The {@code service.name} resource attribute, or an empty string if the exporter sent none. */
  public String serviceName() {
    Object value = resourceAttributes.get(SERVICE_NAME_KEY);
    return value == null ? "" : value.toString();
  }

  /** {@code endEpochNanos - startEpochNanos}. */
  public long durationNanos() {
    return endEpochNanos - startEpochNanos;
  }

  /** True if the span has no parent at all (a trace root as the exporter saw it). */
  public boolean isRoot() {
    return parentSpanId.isEmpty();
  }

  /** True if the span's status is {@code ERROR}. */
  public boolean isError() {
    return STATUS_ERROR.equals(statusCode);
  }

  /** The span attribute {@code key}, or {@code null} if absent. */
  public Object attribute(String key) {
    return attributes.get(key);
  }

  /** A link from this span to another span context, as received. */
  public record Link(String traceId, String spanId, Map<String, Object> attributes) {
    /** Copies the attributes so the record stays immutable. */
    public Link {
      traceId = nullToEmpty(traceId);
      spanId = nullToEmpty(spanId);
      attributes = immutableCopy(attributes);
    }
  }

  /** A timestamped event recorded on the span (for example an exception), as received. */
  public record Event(String name, long epochNanos, Map<String, Object> attributes) {
    /** Copies the attributes so the record stays immutable. */
    public Event {
      name = nullToEmpty(name);
      attributes = immutableCopy(attributes);
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  /** Unlike {@link Map#copyOf}, keeps insertion order, which makes failure messages readable. */
  private static Map<String, Object> immutableCopy(Map<String, Object> map) {
    if (map == null || map.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> copy = new LinkedHashMap<>(map.size() * 2);
    map.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "attribute key"),
        Objects.requireNonNull(v, () -> "attribute value of " + k)));
    return Collections.unmodifiableMap(copy);
  }
}
