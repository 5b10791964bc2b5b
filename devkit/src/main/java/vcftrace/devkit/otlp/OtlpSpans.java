package vcftrace.devkit.otlp;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns OTLP trace requests into {@link ReceivedSpan}s. Kept apart from the receiver so the wire
 * format details (enum prefixes, {@code AnyValue} cases, byte ids) live in one place.
 */
final class OtlpSpans {

  private static final HexFormat HEX = HexFormat.of();
  private static final String KIND_PREFIX = "SPAN_KIND_";
  private static final String STATUS_PREFIX = "STATUS_CODE_";
  private static final int RESOURCE_SPANS_TAG =
      lengthDelimitedTag(ExportTraceServiceRequest.RESOURCE_SPANS_FIELD_NUMBER);
  private static final int SCOPE_SPANS_TAG = lengthDelimitedTag(ResourceSpans.SCOPE_SPANS_FIELD_NUMBER);
  private static final int SPANS_TAG = lengthDelimitedTag(ScopeSpans.SPANS_FIELD_NUMBER);

  private OtlpSpans() {}

  /**
   * Number of spans in a serialized {@code ExportTraceServiceRequest}, found by walking the wire format
   * and skipping every span's bytes: no message objects are built, which is what lets the counting-only
   * receiver keep up with a benchmark on a small machine. Throws on a malformed body.
   */
  static long count(byte[] serializedRequest) throws InvalidProtocolBufferException {
    try {
      CodedInputStream in = CodedInputStream.newInstance(serializedRequest);
      return countNested(in, RESOURCE_SPANS_TAG, SCOPE_SPANS_TAG, SPANS_TAG);
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
  }

  /**
   * Counts the occurrences of {@code path}'s last tag inside the messages found at the earlier tags;
   * every other field is skipped.
   */
  private static long countNested(CodedInputStream in, int... path) throws IOException {
    long n = 0;
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag != path[0]) {
        in.skipField(tag);
      } else if (path.length == 1) {
        in.skipField(tag);
        n++;
      } else {
        int limit = in.pushLimit(in.readRawVarint32());
        n += countNested(in, Arrays.copyOfRange(path, 1, path.length));
        in.checkLastTagWas(0);
        in.popLimit(limit);
      }
    }
    return n;
  }

  private static int lengthDelimitedTag(int fieldNumber) {
    return (fieldNumber << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;
  }

  /** Every span of the request, in wire order, with its resource's attributes attached. */
  static List<ReceivedSpan> convert(ExportTraceServiceRequest request) {
    List<ReceivedSpan> out = new ArrayList<>();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      Map<String, Object> resource = attributes(rs.getResource().getAttributesList());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          out.add(convert(span, resource));
        }
      }
    }
    return out;
  }

  private static ReceivedSpan convert(Span span, Map<String, Object> resource) {
    List<ReceivedSpan.Link> links = new ArrayList<>(span.getLinksCount());
    for (Span.Link link : span.getLinksList()) {
      links.add(new ReceivedSpan.Link(hex(link.getTraceId()), hex(link.getSpanId()),
          attributes(link.getAttributesList())));
    }
    List<ReceivedSpan.Event> events = new ArrayList<>(span.getEventsCount());
    for (Span.Event event : span.getEventsList()) {
      events.add(new ReceivedSpan.Event(event.getName(), event.getTimeUnixNano(),
          attributes(event.getAttributesList())));
    }
    return new ReceivedSpan(
        hex(span.getTraceId()),
        hex(span.getSpanId()),
        hex(span.getParentSpanId()),
        span.getName(),
        kind(span.getKind()),
        span.getStartTimeUnixNano(),
        span.getEndTimeUnixNano(),
        statusCode(span.getStatus()),
        span.getStatus().getMessage(),
        attributes(span.getAttributesList()),
        resource,
        links,
        events);
  }

  static String hex(ByteString bytes) {
    return bytes.isEmpty() ? "" : HEX.formatHex(bytes.toByteArray());
  }

  private static String kind(Span.SpanKind kind) {
    return stripPrefix(kind == Span.SpanKind.UNRECOGNIZED ? "UNSPECIFIED" : kind.name(), KIND_PREFIX);
  }

  private static String statusCode(Status status) {
    Status.StatusCode code = status.getCode();
    return code == Status.StatusCode.UNRECOGNIZED ? "UNSET" : stripPrefix(code.name(), STATUS_PREFIX);
  }

  private static String stripPrefix(String s, String prefix) {
    return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
  }

  static Map<String, Object> attributes(List<KeyValue> keyValues) {
    if (keyValues.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> map = new LinkedHashMap<>(keyValues.size() * 2);
    for (KeyValue kv : keyValues) {
      map.put(kv.getKey(), value(kv.getValue()));
    }
    return map;
  }

  private static Object value(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case BOOL_VALUE:
        return v.getBoolValue();
      case INT_VALUE:
        return v.getIntValue();
      case DOUBLE_VALUE:
        return v.getDoubleValue();
      case ARRAY_VALUE: {
        List<Object> list = new ArrayList<>(v.getArrayValue().getValuesCount());
        for (AnyValue element : v.getArrayValue().getValuesList()) {
          list.add(value(element));
        }
        return List.copyOf(list);
      }
      case KVLIST_VALUE:
        return Collections.unmodifiableMap(attributes(v.getKvlistValue().getValuesList()));
      case BYTES_VALUE:
        return hex(v.getBytesValue());
      default:
        return "";
    }
  }
}
