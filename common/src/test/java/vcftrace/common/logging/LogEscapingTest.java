package vcftrace.common.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * The shipped {@code logback.xml}: a value with a newline (a job id, a path, an exception message) is
 * written escaped, on its event's own line, so it can never forge a log line of its own.
 */
class LogEscapingTest {
  /** What a forged line would look like: a real line's start, then any text. */
  static final String FORGED = "12:00:00.000 INFO  [main] vcftrace.worker.JobRunner trace_id= span_id= - job x SUCCEEDED";
  /**
   * A line the layout writes: an event's first line, or a line of a stack trace (the exception, a
   * frame, the frames omitted, a cause). A forged line would be an event's first line too: the test
   * counts those.
   */
  static final Pattern LAYOUT_LINE = Pattern.compile(
      "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (INFO |WARN |ERROR) \\[.*|java\\.lang\\.\\w+: .*|\tat .*"
          + "|\t\\.\\.\\. \\d+ common frames omitted|Caused by: .*");

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final PrintStream err = System.err;
  private LoggerContext context;

  @BeforeEach
  void configureFromTheShippedFile() throws Exception {
    System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
    context = new LoggerContext();
    context.setMDCAdapter(MDC.getMDCAdapter()); // the adapter MDC.put writes to
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LogEscapingTest.class.getResource("/logback.xml"));
  }

  @AfterEach
  void restore() {
    context.stop();
    System.setErr(err);
    MDC.clear();
  }

  @Test
  void controlCharactersInMessagesMdcAndExceptionsAreEscaped() {
    Logger log = context.getLogger("vcftrace.worker.JobRunner");
    log.info("job {} SUCCEEDED: {} normalised records", "evil\n" + FORGED, 3);
    log.warn("job {} FAILED (INPUT_NOT_FOUND): no file {}", "j\r\n" + FORGED, "/in/a\u2028b\u0085c\u001b[31md.vcf");
    MDC.put("trace_id", "0af7\n" + FORGED);
    log.info("with a forged MDC value");
    MDC.remove("trace_id");
    log.error("cannot publish the outcome", new IllegalStateException("path /in/x\n" + FORGED,
        new RuntimeException("cause\r\n" + FORGED)));
    context.stop(); // flushes

    String written = out.toString(StandardCharsets.UTF_8);
    List<String> lines = written.lines().toList();
    for (String line : lines) {
      assertTrue(LAYOUT_LINE.matcher(line).matches(), () -> "a line the layout did not write: [" + line + "] in\n" + written);
    }
    assertEquals(4, lines.stream().filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*")).count(),
        "one first line per event, none forged:\n" + written);
    assertTrue(written.contains("job evil\\n" + FORGED + " SUCCEEDED: 3 normalised records"), written);
    assertTrue(written.contains("job j\\r\\n" + FORGED + " FAILED"), written);
    assertTrue(written.contains("/in/a\\u2028b\\u0085c\\u001b[31md.vcf"), "separators and ESC escaped: " + written);
    assertTrue(written.contains("trace_id=0af7\\n" + FORGED + " span_id="), written);
    assertTrue(written.contains("java.lang.IllegalStateException: path /in/x\\n" + FORGED), written);
    assertTrue(written.contains("Caused by: java.lang.RuntimeException: cause\\r\\n" + FORGED), written);
  }

  @Test
  void plainTextIsLeftAlone() {
    assertEquals("job 5b0c-9 ü → ok, tab\\tand\\\\ backslash", ControlChars.escape("job 5b0c-9 ü → ok, tab\tand\\\\ backslash"));
    String s = "no control characters here: /data/a b.vcf";
    assertTrue(s == ControlChars.escape(s), "the same string, not a copy");
  }
}
