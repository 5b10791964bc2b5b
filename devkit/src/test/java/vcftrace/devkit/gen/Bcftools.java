package vcftrace.devkit.gen;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the installed bcftools (no shell) so the tests compare the generator with the real tool. */
final class Bcftools {

  private static final long TIMEOUT_SECONDS = 120;

  private Bcftools() {}

  /** The outcome of one bcftools run. */
  record Result(int exitCode, String stdout, String stderr) {
    List<String> lines() {
      return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
    }

    Result check() {
      if (exitCode != 0) throw new AssertionError("bcftools exited " + exitCode + ": " + stderr);
      return this;
    }
  }

  static Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("bcftools");
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    p.getOutputStream().close();
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    String out = read(p.getInputStream());
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bcftools " + String.join(" ", args) + " ran over " + TIMEOUT_SECONDS + " s");
    }
    return new Result(p.exitValue(), out, err.join());
  }

  /** Counts the records {@code bcftools view -H} prints, without holding them as one string. */
  static long countRecords(String... viewArgs) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bcftools", "view", "-H"));
    command.addAll(List.of(viewArgs));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    p.getOutputStream().close();
    long lines = 0;
    byte[] buf = new byte[1 << 16];
    try (InputStream in = p.getInputStream()) {
      for (int n; (n = in.read(buf)) > 0; ) {
        for (int i = 0; i < n; i++) if (buf[i] == '\n') lines++;
      }
    }
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new AssertionError("bcftools view failed on " + command);
    }
    return lines;
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
