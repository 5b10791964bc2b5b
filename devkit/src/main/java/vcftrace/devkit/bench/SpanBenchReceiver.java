package vcftrace.devkit.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import vcftrace.devkit.otlp.OtlpReceiver;

/**
 * The receiving end of {@code bench-spans}: an {@link OtlpReceiver} that only counts spans, in a JVM of
 * its own so that its CPU (gRPC, gunzip, protobuf parsing) is not charged to the sender being measured
 * and can be read separately from {@code /proc/<pid>/stat}.
 *
 * <p>Run as {@code java -cp <classpath> vcftrace.devkit.bench.SpanBenchReceiver <delayMs>}. It prints
 * {@code READY <grpcPort> <httpPort>} on stdout, then answers one line per command read from stdin: {@code delay
 * <ms>} ({@code OK}), {@code count} ({@code COUNT <spans>}); {@code quit} or end of input stops it. Logs
 * go to stderr, so stdout carries only the protocol.
 */
public final class SpanBenchReceiver {
  /** First stdout line, followed by the gRPC and the HTTP port. */
  public static final String READY = "READY";

  private SpanBenchReceiver() {}

  public static void main(String[] args) throws IOException {
    long delayMs = args.length > 0 ? Long.parseLong(args[0]) : 0;
    PrintStream out = System.out;
    try (OtlpReceiver receiver =
        OtlpReceiver.builder().storeSpans(false).responseDelay(Duration.ofMillis(delayMs)).build()) {
      out.println(READY + " " + receiver.grpcPort() + " " + receiver.httpPort());
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] words = line.trim().split("\\s+");
        switch (words[0]) {
          case "delay" -> {
            receiver.setResponseDelay(Duration.ofMillis(Long.parseLong(words[1])));
            out.println("OK");
          }
          case "count" -> out.println("COUNT " + receiver.spanCount());
          case "quit" -> {
            return;
          }
          default -> out.println("ERROR unknown command: " + line);
        }
        out.flush();
      }
    }
  }

  /** Starts the receiver JVM and talks to it; closing it stops the JVM. */
  static Handle start(long delayMs) throws IOException {
    return new Handle(delayMs);
  }

  /** The parent's side of the protocol. Not thread-safe: one benchmark thread uses it. */
  static final class Handle implements AutoCloseable {
    private final Process process;
    private final BufferedReader replies;
    private final PrintWriter commands;
    private final int grpcPort;
    private final int httpPort;

    private Handle(long delayMs) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb =
          new ProcessBuilder(
              List.of(
                  java,
                  // Logback reports its own start-up on stdout when it has something to say (e.g. two
                  // logback.xml on the class path); stdout is the protocol channel.
                  "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                  "-cp",
                  System.getProperty("java.class.path"),
                  SpanBenchReceiver.class.getName(),
                  Long.toString(delayMs)));
      pb.redirectError(ProcessBuilder.Redirect.INHERIT);
      this.process = pb.start();
      this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
      this.commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), UTF_8), true);
      String ready = replies.readLine();
      StringBuilder said = new StringBuilder();
      // Anything a library prints to stdout before READY is not for us.
      while (ready != null && !ready.startsWith(READY + " ")) {
        said.append(ready).append('\n');
        ready = replies.readLine();
      }
      if (ready == null) {
        process.destroyForcibly();
        throw new IOException("The receiver JVM did not start; it said: " + said);
      }
      String[] ports = ready.substring(READY.length() + 1).trim().split(" ");
      this.grpcPort = Integer.parseInt(ports[0]);
      this.httpPort = Integer.parseInt(ports[1]);
    }

    String grpcEndpoint() {
      return "http://127.0.0.1:" + grpcPort;
    }

    /** The OTLP/HTTP traces URL. */
    String httpEndpoint() {
      return "http://127.0.0.1:" + httpPort + "/v1/traces";
    }

    long pid() {
      return process.pid();
    }

    void setDelay(long delayMs) throws IOException {
      expect(ask("delay " + delayMs), "OK");
    }

    long spanCount() throws IOException {
      String reply = ask("count");
      expect(reply, "COUNT ");
      return Long.parseLong(reply.substring("COUNT ".length()).trim());
    }

    private String ask(String command) throws IOException {
      commands.println(command);
      String reply = replies.readLine();
      if (reply == null) {
        throw new IOException("The receiver JVM exited (exit code " + exitCode() + ")");
      }
      return reply;
    }

    private String exitCode() {
      return process.isAlive() ? "none yet" : Integer.toString(process.exitValue());
    }

    private static void expect(String reply, String prefix) throws IOException {
      if (!reply.startsWith(prefix)) {
        throw new IOException("Unexpected answer from the receiver JVM: " + reply);
      }
    }

    @Override
    public void close() throws InterruptedException {
      commands.println("quit");
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
