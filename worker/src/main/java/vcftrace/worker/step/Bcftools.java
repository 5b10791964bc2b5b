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
 * Runs bcftools (or another htslib tool, such as tabix) as a child process: arguments as a list (no
 * shell ever parses them), a timeout that kills the process, stderr kept for the error message. Every
 * call describes itself on the current span with {@code tool.*} attributes and the exit code.
 *
 * <p>bcftools says on stderr, not in its exit code, when it could not read a record: it prints
 * {@code [E::…]} or {@code Bad BCF record} and goes on. {@link #run(JobContext, String, List, Map, Path)}
 * fails the job on those lines and turns {@code [W::…]} lines into the job's warnings.
 */
public final class Bcftools {
  private static final int STDERR_LIMIT = 2000;

  private final String binary;
  private final String toolName;
  private final Duration timeout;

  public Bcftools(String binary, Duration timeout) {
    this(binary, "bcftools", timeout);
  }

  /** A runner of another htslib tool ({@code toolName} goes on the span as {@code tool.name}). */
  public Bcftools(String binary, String toolName, Duration timeout) {
    this.binary = requireNonNull(binary, "binary");
    this.toolName = requireNonNull(toolName, "toolName");
    this.timeout = requireNonNull(timeout, "timeout");
  }

  /**
   * Runs {@code bcftools <subcommand> <args...>} for a job: its {@code [W::…]} stderr lines become the
   * job's warnings, and an {@code [E::…]} or {@code Bad BCF record} line fails it as
   * {@link ErrorType#RECORD_COUNT_MISMATCH}: bcftools skipped something it could not read.
   */
  public void run(JobContext job, String subcommand, List<String> args, Map<String, String> named, Path stdout)
      throws StepException {
    List<String> stderr = run(subcommand, args, named, stdout, job.scratch());
    for (String line : stderr) {
      if (line.startsWith("[E::") || line.contains("Bad BCF record")) {
        throw new StepException(ErrorType.RECORD_COUNT_MISMATCH, toolName + " " + subcommand
            + " could not read a record and went on without it: " + abbreviate(line));
      }
    }
    for (String line : stderr) {
      if (line.startsWith("[W::")) job.warn(0, toolName + ": " + abbreviate(line)); // each step repeats it
    }
  }

  /** Runs the tool without a subcommand ({@code tabix <args...>}); returns its stderr lines. */
  public List<String> runTool(List<String> args, Map<String, String> named, Path stdout, Path scratch)
      throws StepException {
    return exec(null, args, named, stdout, scratch);
  }

  /**
   * Runs {@code bcftools <subcommand> <args...>}, stdout to {@code stdout} (or discarded when null).
   *
   * @param named the arguments worth seeing on the span, as {@code tool.args.<name>}
   */
  public List<String> run(String subcommand, List<String> args, Map<String, String> named, Path stdout, Path scratch)
      throws StepException {
    return exec(requireNonNull(subcommand, "subcommand"), args, named, stdout, scratch);
  }

  private List<String> exec(String subcommand, List<String> args, Map<String, String> named, Path stdout, Path scratch)
      throws StepException {
    List<String> cmd = new ArrayList<>(args.size() + 2);
    cmd.add(binary);
    if (subcommand != null) cmd.add(subcommand);
    cmd.addAll(args);
    String what = subcommand == null ? toolName : toolName + " " + subcommand;
    Span span = Span.current();
    span.setAttribute(Attrs.TOOL_NAME, toolName);
    if (subcommand != null) span.setAttribute(Attrs.toolArg("subcommand"), subcommand);
    named.forEach((k, v) -> span.setAttribute(Attrs.toolArg(k), v));

    Path stderr;
    try {
      stderr = Files.createTempFile(scratch, subcommand == null ? toolName : subcommand, ".stderr"); // lanes run tools at once
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
          ErrorType.BCFTOOLS_FAILED, "cannot start " + binary + " (install " + toolName + "): " + e.getMessage(), e);
    }
    boolean finished;
    try {
      finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new StepException(ErrorType.INTERNAL, "interrupted while " + what + " ran", e);
    }
    if (!finished) {
      p.destroyForcibly();
      span.setAttribute(Attrs.TOOL_STATUS, "timeout");
      throw new StepException(
          ErrorType.BCFTOOLS_TIMEOUT,
          what + " ran longer than BCFTOOLS_TIMEOUT=" + timeout + " and was killed");
    }
    int exit = p.exitValue();
    span.setAttribute(Attrs.PROCESS_EXIT_CODE, (long) exit);
    span.setAttribute(Attrs.TOOL_STATUS, exit == 0 ? "ok" : "failed");
    if (exit != 0) {
      throw new StepException(
          ErrorType.BCFTOOLS_FAILED,
          what + " exited " + exit + ": " + tail(stderr));
    }
    try {
      return Files.readAllLines(stderr, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new StepException(ErrorType.INTERNAL, "cannot read the stderr of " + what + ": " + e.getMessage(), e);
    }
  }

  private static String abbreviate(String line) {
    String clean = line.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 300 ? clean.substring(0, 300) + "…" : clean;
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
