package vcftrace.worker.step;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import vcftrace.common.Attrs;
import vcftrace.common.ErrorType;

/**
 * Runs bcftools as a child process: arguments as a list (no shell ever parses them), a timeout that
 * kills the process, stderr kept for the error message. Every call describes itself on the current
 * span with {@code tool.*} attributes and the exit code.
 */
public final class Bcftools {
  private static final int STDERR_LIMIT = 2000;

  private final String binary;
  private final Duration timeout;

  public Bcftools(String binary, Duration timeout) {
    this.binary = requireNonNull(binary, "binary");
    this.timeout = requireNonNull(timeout, "timeout");
  }

  /**
   * Runs {@code bcftools <subcommand> <args...>}, stdout to {@code stdout} (or discarded when null).
   *
   * @param named the arguments worth seeing on the span, as {@code tool.args.<name>}
   */
  public void run(String subcommand, List<String> args, Map<String, String> named, Path stdout, Path scratch)
      throws StepException {
    List<String> cmd = new ArrayList<>(args.size() + 2);
    cmd.add(binary);
    cmd.add(subcommand);
    cmd.addAll(args);
    Span span = Span.current();
    span.setAttribute(Attrs.TOOL_NAME, "bcftools");
    span.setAttribute(Attrs.toolArg("subcommand"), subcommand);
    named.forEach((k, v) -> span.setAttribute(Attrs.toolArg(k), v));

    Path stderr;
    try {
      stderr = Files.createTempFile(scratch, subcommand, ".stderr"); // lanes run bcftools at once
    } catch (IOException e) {
      throw new StepException(ErrorType.INTERNAL, "cannot create a stderr file in " + scratch + ": " + e.getMessage(), e);
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(stderr.toFile());
    pb.redirectOutput(stdout == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(stdout.toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      span.setAttribute(Attrs.TOOL_STATUS, "not_started");
      throw new StepException(
          ErrorType.BCFTOOLS_FAILED, "cannot start " + binary + " (install bcftools): " + e.getMessage(), e);
    }
    boolean finished;
    try {
      finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new StepException(ErrorType.INTERNAL, "interrupted while bcftools " + subcommand + " ran", e);
    }
    if (!finished) {
      p.destroyForcibly();
      span.setAttribute(Attrs.TOOL_STATUS, "timeout");
      throw new StepException(
          ErrorType.BCFTOOLS_TIMEOUT,
          "bcftools " + subcommand + " ran longer than BCFTOOLS_TIMEOUT=" + timeout + " and was killed");
    }
    int exit = p.exitValue();
    span.setAttribute(Attrs.PROCESS_EXIT_CODE, (long) exit);
    span.setAttribute(Attrs.TOOL_STATUS, exit == 0 ? "ok" : "failed");
    if (exit != 0) {
      throw new StepException(
          ErrorType.BCFTOOLS_FAILED,
          "bcftools " + subcommand + " exited " + exit + ": " + tail(stderr));
    }
  }

  /** Named arguments for the span, in order. */
  public static Map<String, String> named(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  private static String tail(Path stderr) {
    try {
      String s = Files.readString(stderr, StandardCharsets.UTF_8).strip();
      return s.length() <= STDERR_LIMIT ? s : "…" + s.substring(s.length() - STDERR_LIMIT);
    } catch (IOException e) {
      return "(stderr unreadable: " + e.getMessage() + ")";
    }
  }
}
