package vcftrace.devkit.otlp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Draws a trace as a text waterfall, the way Jaeger's timeline view would, so the demo can show a
 * trace in the terminal (there is no Jaeger here) and a failing end-to-end test can print one.
 *
 * <pre>
 * Trace 4bf92f3577b34da6a3ce929d0e0e4736  3 spans  120.00 ms  1 error
 * SPAN          SERVICE    START ms     DUR ms  TIMELINE
 * submit        producer       0.00     120.00  |████████████████████|
 *   send        producer      10.00      50.00  |  ████████          |
 *     process   worker        20.00      10.00  |   ██               | ✗ ERROR
 * </pre>
 *
 * <p>Rows are in tree order: parent before children, siblings by start time; a span whose parent is
 * not in the list (lost, or in another service's batch not yet exported) is drawn as a root. The bar
 * column is proportional to the whole trace; a span shorter than one cell is drawn as a thin {@code ▏}.
 * Apart from {@code █ ▏ ✗ …}, the output is ASCII; {@link #render(List, int, boolean)} with {@code
 * asciiOnly} avoids even those, for log files read with the wrong encoding.
 */
public final class Waterfall {

  /** A width that fits a common terminal. */
  public static final int DEFAULT_WIDTH = 120;

  /** The bar column never shrinks below this, however narrow the requested width. */
  public static final int MIN_BAR_WIDTH = 10;

  /** Indentation per tree level. */
  public static final int INDENT = 2;

  /** Names longer than this (with indentation) are cut, so a long name does not eat the bars. */
  public static final int MAX_NAME_WIDTH = 56;

  /** Service names longer than this are cut. */
  public static final int MAX_SERVICE_WIDTH = 24;

  /** Marks a span whose status is ERROR. */
  public static final String ERROR_MARK = "✗ ERROR";

  private static final String ASCII_ERROR_MARK = "x ERROR";
  private static final char FULL = '█';
  private static final char THIN = '▏';
  private static final char ASCII_FULL = '#';
  private static final char ASCII_THIN = ':';
  private static final String ELLIPSIS = "…";
  private static final String ASCII_ELLIPSIS = "~";
  private static final int NUMBER_WIDTH = 10;
  private static final String GAP = "  ";
  private static final String BAR_EDGE = "|";
  private static final double NANOS_PER_MILLI = 1_000_000.0;

  private Waterfall() {}

  /**
   * Renders {@code trace} (normally the spans of one trace) aiming at lines of {@code width} columns:
   * the text columns take what they need and the bar column gets the rest, at least {@link
   * #MIN_BAR_WIDTH}. Returns lines separated by {@code \n}, the last one terminated too.
   */
  public static String render(List<ReceivedSpan> trace, int width) {
    return render(trace, width, false);
  }

  /** Like {@link #render(List, int)}; with {@code asciiOnly}, bars are {@code #}/{@code :}. */
  public static String render(List<ReceivedSpan> trace, int width, boolean asciiOnly) {
    Objects.requireNonNull(trace, "trace");
    Glyphs glyphs = asciiOnly ? Glyphs.ASCII : Glyphs.UNICODE;
    StringBuilder out = new StringBuilder();
    if (trace.isEmpty()) {
      return out.append("Trace (none): no spans\n").toString();
    }
    List<Row> rows = treeOrder(trace);

    long traceStart = Long.MAX_VALUE;
    long traceEnd = Long.MIN_VALUE;
    int errors = 0;
    Set<String> traceIds = new LinkedHashSet<>();
    for (ReceivedSpan span : trace) {
      traceStart = Math.min(traceStart, span.startEpochNanos());
      traceEnd = Math.max(traceEnd, Math.max(span.startEpochNanos(), span.endEpochNanos()));
      errors += span.isError() ? 1 : 0;
      traceIds.add(span.traceId());
    }
    long total = traceEnd - traceStart;

    int nameWidth = "SPAN".length();
    int serviceWidth = "SERVICE".length();
    for (Row row : rows) {
      nameWidth = Math.max(nameWidth, row.depth * INDENT + row.span.name().length());
      serviceWidth = Math.max(serviceWidth, serviceOf(row.span).length());
    }
    nameWidth = Math.min(nameWidth, MAX_NAME_WIDTH);
    serviceWidth = Math.min(serviceWidth, MAX_SERVICE_WIDTH);
    int markWidth = errors > 0 ? 1 + glyphs.errorMark.length() : 0;
    int fixed = nameWidth + GAP.length() + serviceWidth + 2 * (GAP.length() + NUMBER_WIDTH)
        + GAP.length() + 2 * BAR_EDGE.length() + markWidth;
    int barWidth = Math.max(MIN_BAR_WIDTH, width - fixed);

    out.append("Trace ").append(String.join(", ", traceIds))
        .append(traceIds.size() > 1 ? " (" + traceIds.size() + " traces)" : "")
        .append(GAP).append(trace.size()).append(trace.size() == 1 ? " span" : " spans")
        .append(GAP).append(millis(total)).append(" ms");
    if (errors > 0) {
      out.append(GAP).append(errors).append(errors == 1 ? " error" : " errors");
    }
    out.append('\n');
    out.append(pad("SPAN", nameWidth)).append(GAP).append(pad("SERVICE", serviceWidth))
        .append(GAP).append(leftPad("START ms", NUMBER_WIDTH))
        .append(GAP).append(leftPad("DUR ms", NUMBER_WIDTH))
        .append(GAP).append("TIMELINE").append('\n');

    for (Row row : rows) {
      ReceivedSpan span = row.span;
      String name = " ".repeat(row.depth * INDENT) + span.name();
      out.append(pad(cut(name, nameWidth, glyphs), nameWidth))
          .append(GAP).append(pad(cut(serviceOf(span), serviceWidth, glyphs), serviceWidth))
          .append(GAP).append(leftPad(millis(span.startEpochNanos() - traceStart), NUMBER_WIDTH))
          .append(GAP).append(leftPad(millis(Math.max(0, span.durationNanos())), NUMBER_WIDTH))
          .append(GAP).append(BAR_EDGE)
          .append(bar(span, traceStart, total, barWidth, glyphs))
          .append(BAR_EDGE);
      if (span.isError()) {
        out.append(' ').append(glyphs.errorMark);
      }
      out.append('\n');
    }
    return out.toString();
  }

  /**
   * Renders every trace found in {@code spans}, one waterfall after the other (blank line between),
   * traces in order of their first span in the list.
   */
  public static String renderAll(List<ReceivedSpan> spans, int width) {
    Map<String, List<ReceivedSpan>> byTrace = new LinkedHashMap<>();
    for (ReceivedSpan span : spans) {
      byTrace.computeIfAbsent(span.traceId(), id -> new ArrayList<>()).add(span);
    }
    StringBuilder out = new StringBuilder();
    for (List<ReceivedSpan> trace : byTrace.values()) {
      if (out.length() > 0) {
        out.append('\n');
      }
      out.append(render(trace, width));
    }
    return out.toString();
  }

  /**
   * The spans in the order the waterfall draws them: depth-first, parent before children, roots and
   * siblings by start time (then name, then id, so the order is stable).
   */
  public static List<ReceivedSpan> treeOrdered(List<ReceivedSpan> trace) {
    return treeOrder(trace).stream().map(row -> row.span).toList();
  }

  /** The bar for one span: blank before its start, then full cells, or one thin cell if shorter. */
  static String bar(ReceivedSpan span, long traceStart, long total, int barWidth, Glyphs glyphs) {
    char[] cells = new char[barWidth];
    Arrays.fill(cells, ' ');
    long offset = Math.max(0, span.startEpochNanos() - traceStart);
    long duration = Math.max(0, span.durationNanos());
    long span0 = Math.max(1, total);
    int start = (int) Math.min(barWidth - 1, offset * barWidth / span0);
    if (duration * barWidth < span0) {
      cells[start] = glyphs.thin;
    } else {
      long endExclusive = ceilDiv((offset + duration) * barWidth, span0);
      int end = (int) Math.max(start + 1, Math.min(barWidth, endExclusive));
      Arrays.fill(cells, start, end, glyphs.full);
    }
    return new String(cells);
  }

  private static List<Row> treeOrder(List<ReceivedSpan> trace) {
    Comparator<ReceivedSpan> byStart = Comparator.comparingLong(ReceivedSpan::startEpochNanos)
        .thenComparing(ReceivedSpan::name)
        .thenComparing(ReceivedSpan::spanId);
    Set<String> ids = new LinkedHashSet<>();
    for (ReceivedSpan span : trace) {
      ids.add(span.spanId());
    }
    Map<String, List<ReceivedSpan>> children = new HashMap<>();
    List<ReceivedSpan> roots = new ArrayList<>();
    for (ReceivedSpan span : trace) {
      String parent = span.parentSpanId();
      if (parent.isEmpty() || parent.equals(span.spanId()) || !ids.contains(parent)) {
        roots.add(span);
      } else {
        children.computeIfAbsent(parent, p -> new ArrayList<>()).add(span);
      }
    }
    roots.sort(byStart);
    children.values().forEach(list -> list.sort(byStart));

    List<Row> rows = new ArrayList<>(trace.size());
    Set<ReceivedSpan> visited = Collections.newSetFromMap(new IdentityHashMap<>());
    for (ReceivedSpan root : roots) {
      visit(root, 0, children, visited, rows);
    }
    // Only a parent cycle (corrupt data) leaves spans unvisited; show them rather than drop them.
    List<ReceivedSpan> orphans = new ArrayList<>();
    for (ReceivedSpan span : trace) {
      if (!visited.contains(span)) {
        orphans.add(span);
      }
    }
    orphans.sort(byStart);
    for (ReceivedSpan orphan : orphans) {
      visit(orphan, 0, children, visited, rows);
    }
    return rows;
  }

  private static void visit(ReceivedSpan span, int depth, Map<String, List<ReceivedSpan>> children,
      Set<ReceivedSpan> visited, List<Row> rows) {
    if (!visited.add(span)) {
      return;
    }
    rows.add(new Row(span, depth));
    for (ReceivedSpan child : children.getOrDefault(span.spanId(), List.of())) {
      visit(child, depth + 1, children, visited, rows);
    }
  }

  private static String serviceOf(ReceivedSpan span) {
    String service = span.serviceName();
    return service.isEmpty() ? "?" : service;
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / NANOS_PER_MILLI);
  }

  private static String cut(String s, int width, Glyphs glyphs) {
    return s.length() <= width ? s : s.substring(0, width - glyphs.ellipsis.length()) + glyphs.ellipsis;
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }

  private static String leftPad(String s, int width) {
    return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  /** One drawn line: a span and its depth in the tree. */
  private record Row(ReceivedSpan span, int depth) {}

  /** The characters of one output style. */
  enum Glyphs {
    UNICODE(FULL, THIN, ERROR_MARK, ELLIPSIS),
    ASCII(ASCII_FULL, ASCII_THIN, ASCII_ERROR_MARK, ASCII_ELLIPSIS);

    final char full;
    final char thin;
    final String errorMark;
    final String ellipsis;

    Glyphs(char full, char thin, String errorMark, String ellipsis) {
      this.full = full;
      this.thin = thin;
      this.errorMark = errorMark;
      this.ellipsis = ellipsis;
    }
  }
}
