package vcftrace.devkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A worker or producer started as its own JVM, from this JVM's classpath: the demo, the benchmarks and
 * the fault tests run the real processes, so SIGTERM and SIGKILL mean what they mean in production.
 */
public final class ChildJvm implements AutoCloseable {
  private final String name;
  private final Process process;

  private ChildJvm(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  /**
   * Starts {@code mainClass} with {@code env} added to this process's environment.
   *
   * @param log where stdout and stderr go; {@code null} inherits this process's
   */
  public static ChildJvm start(String name, String mainClass, List<String> jvmArgs, Map<String, String> env,
      List<String> args, Path log) throws IOException {
    return start(name, List.of(), mainClass, jvmArgs, env, args, log);
  }

  /**
   * @param launcher words put before {@code java}, e.g. {@code taskset -c 0} to confine the JVM and
   *     every process it starts to one core
   */
  public static ChildJvm start(String name, List<String> launcher, String mainClass, List<String> jvmArgs,
      Map<String, String> env, List<String> args, Path log) throws IOException {
    List<String> cmd = new ArrayList<>(launcher);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED"); // Lance's JNI layer
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    if (log == null) {
      pb.inheritIO();
    } else {
      File f = log.toFile();
      pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(f));
    }
    return new ChildJvm(name, pb.start());
  }

  public static ChildJvm worker(String id, Map<String, String> env, Path log, String... jvmArgs) throws IOException {
    return worker(id, List.of(), env, log, jvmArgs);
  }

  /** A worker started through {@code launcher} (see {@link #start(String, List, String, List, Map, List, Path)}). */
  public static ChildJvm worker(String id, List<String> launcher, Map<String, String> env, Path log, String... jvmArgs)
      throws IOException {
    Map<String, String> e = new java.util.HashMap<>(env);
    e.put("WORKER_ID", id);
    return start(id, launcher, "vcftrace.worker.WorkerMain", List.of(jvmArgs), e, List.of(), log);
  }

  public String name() {
    return name;
  }

  public Process process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM, then waits; returns the exit code, or -1 if it had to be killed. */
  public int terminate(long timeout, TimeUnit unit) throws InterruptedException {
    process.destroy();
    if (process.waitFor(timeout, unit)) return process.exitValue();
    process.destroyForcibly().waitFor();
    return -1;
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed or committed. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  public int waitFor() throws InterruptedException {
    return process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) terminate(60, TimeUnit.SECONDS);
  }
}
