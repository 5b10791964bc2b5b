package vcftrace.devkit.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Renders hand-built traces, where every timestamp is known, and checks the row order, the
 * indentation, the numbers and the bar geometry.
 */
final class WaterfallTest {

  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long MS = 1_000_000L;
  private static final int WIDTH = 120;

  /**
   * submit (0-100 ms)
   *   send (10-60)
   *     process (20-30, ERROR)
   *     index (40-40, zero length)
   *   ack (70-90)
   * late (50-55, parent not exported: drawn as a root)
   */
  private static List<ReceivedSpan> trace() {
    // Deliberately shuffled: the renderer must not rely on arrival order.
    return List.of(
        span("ack", "a4", "a1", "producer", 70, 90, "UNSET"),
        span("process", "a3", "a2", "worker", 20, 30, "ERROR"),
        span("late", "b1", "ffffffffffffffff", "worker", 50, 55, "UNSET"),
        span("submit", "a1", "", "producer", 0, 100, "OK"),
        span("index", "a5", "a2", "worker", 40, 40, "UNSET"),
        span("send", "a2", "a1", "producer", 10, 60, "UNSET"));
  }

  @Test
  void rowsAreInTreeOrderWithIndentation() {
    List<String> rows = rows(Waterfall.render(trace(), WIDTH));
    List<String> names = rows.stream().map(row -> row.substring(0, row.indexOf("  ", indent(row)))).toList();
    assertEquals(List.of("submit", "  send", "    process", "    index", "  ack", "late"), names);
    assertEquals(List.of("submit", "send", "process", "index", "ack", "late"),
        Waterfall.treeOrdered(trace()).stream().map(ReceivedSpan::name).toList());
  }

  @Test
  void headerNamesTraceDurationAndErrors() {
    String[] lines = Waterfall.render(trace(), WIDTH).split("\n");
    assertEquals("Trace " + TRACE + "  6 spans  100.00 ms  1 error", lines[0]);
    assertTrue(lines[1].startsWith("SPAN "), lines[1]);
    assertTrue(lines[1].contains("SERVICE") && lines[1].contains("START ms")
        && lines[1].contains("DUR ms") && lines[1].contains("TIMELINE"), lines[1]);
  }

  @Test
  void rowsShowServiceOffsetDurationAndErrorMark() {
    List<String> rows = rows(Waterfall.render(trace(), WIDTH));
    assertEquals(List.of("submit", "producer", "0.00", "100.00"), textColumns(rows.get(0)));
    assertEquals(List.of("send", "producer", "10.00", "50.00"), textColumns(rows.get(1)));
    assertEquals(List.of("process", "worker", "20.00", "10.00"), textColumns(rows.get(2)));
    assertEquals(List.of("late", "worker", "50.00", "5.00"), textColumns(rows.get(5)));
    assertTrue(rows.get(2).endsWith("| " + Waterfall.ERROR_MARK), rows.get(2));
    for (int i = 0; i < rows.size(); i++) {
      if (i != 2) {
        assertFalse(rows.get(i).contains("ERROR"), rows.get(i));
      }
    }
  }

  @Test
  void barsAreProportionalAndChildrenStartAtOrAfterTheirParent() {
    List<String> rows = rows(Waterfall.render(trace(), WIDTH));
    String root = bar(rows.get(0));
    int width = root.length();
    assertTrue(width >= Waterfall.MIN_BAR_WIDTH);
    assertEquals("█".repeat(width), root, "the root spans the whole trace");

    Map<String, String> parentOf = Map.of("send", "submit", "process", "send", "index", "send",
        "ack", "submit");
    List<String> order = List.of("submit", "send", "process", "index", "ack", "late");
    for (Map.Entry<String, String> edge : parentOf.entrySet()) {
      int child = barStart(rows.get(order.indexOf(edge.getKey())));
      int parent = barStart(rows.get(order.indexOf(edge.getValue())));
      assertTrue(child >= parent, edge + ": child bar at " + child + " before parent's at " + parent);
    }
    // Proportional: send starts at 10% of the trace and lasts 50%.
    String send = bar(rows.get(1));
    assertEquals(width * 10 / 100, barStart(rows.get(1)));
    assertEquals(width / 2, send.chars().filter(c -> c == '█').count(), 1.0);
    // A zero-length span is a thin mark, not nothing.
    assertEquals("▏", bar(rows.get(3)).strip());
    assertEquals(width * 40 / 100, barStart(rows.get(3)));
  }

  @Test
  void linesFitTheRequestedWidth() {
    for (String line : Waterfall.render(trace(), WIDTH).split("\n")) {
      assertTrue(line.codePointCount(0, line.length()) <= WIDTH, line.length() + ": " + line);
    }
    String errorRow = rows(Waterfall.render(trace(), WIDTH)).get(2);
    assertEquals(WIDTH, errorRow.codePointCount(0, errorRow.length()));
    // Too narrow a width still leaves a usable bar column.
    String narrow = rows(Waterfall.render(trace(), 20)).get(0);
    assertEquals(Waterfall.MIN_BAR_WIDTH, bar(narrow).length());
  }

  @Test
  void asciiOnlyOutputHasNoOtherCharacters() {
    String ascii = Waterfall.render(trace(), WIDTH, true);
    assertTrue(ascii.chars().allMatch(c -> c < 128), ascii);
    assertTrue(ascii.contains("x ERROR"), ascii);
    assertTrue(ascii.contains("#"), ascii);
  }

  @Test
  void renderAllDrawsEveryTraceAndEmptyInputIsSaid() {
    List<ReceivedSpan> two = new ArrayList<>(trace());
    two.add(new ReceivedSpan("1" + TRACE.substring(1), "c1", "", "other", "SERVER", T0, T0 + 5 * MS,
        "UNSET", "", Map.of(), Map.of("service.name", "worker"), List.of(), List.of()));
    String all = Waterfall.renderAll(two, WIDTH);
    assertEquals(2, all.lines().filter(l -> l.startsWith("Trace ")).count(), all);
    assertEquals("Trace (none): no spans\n", Waterfall.render(List.of(), WIDTH));
  }

  // ---------------------------------------------------------------- helpers

  private static ReceivedSpan span(String name, String id, String parent, String service,
      long startMs, long endMs, String status) {
    return new ReceivedSpan(TRACE, "00000000000000" + id, parent.isEmpty() || parent.length() == 16
        ? parent : "00000000000000" + parent, name, "INTERNAL", T0 + startMs * MS, T0 + endMs * MS,
        status, status.equals("ERROR") ? "boom" : "", Map.of(), Map.of("service.name", service),
        List.of(), List.of());
  }

  /** The span rows: everything after the header and the column titles. */
  private static List<String> rows(String rendered) {
    List<String> lines = rendered.lines().toList();
    return lines.subList(2, lines.size());
  }

  private static int indent(String row) {
    int i = 0;
    while (row.charAt(i) == ' ') {
      i++;
    }
    return i;
  }

  /** Name (without indentation), service, offset and duration of a row. */
  private static List<String> textColumns(String row) {
    String text = row.substring(0, row.indexOf('|')).strip();
    return List.of(text.split("\\s+"));
  }

  private static String bar(String row) {
    return row.substring(row.indexOf('|') + 1, row.lastIndexOf('|'));
  }

  private static int barStart(String row) {
    String bar = bar(row);
    for (int i = 0; i < bar.length(); i++) {
      if (bar.charAt(i) != ' ') {
        return i;
      }
    }
    throw new AssertionError("empty bar: " + row);
  }
}
