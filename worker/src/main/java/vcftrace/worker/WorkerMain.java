package vcftrace.worker;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import vcftrace.common.Telemetry;
import vcftrace.common.WorkerConfig;

/** {@code vcf-worker}: joins the consumer group and processes jobs until SIGTERM. */
@Command(
    name = "vcf-worker",
    mixinStandardHelpOptions = true,
    versionProvider = WorkerMain.Version.class,
    description = "Consumes VCF jobs, runs bcftools, writes LanceDB and Kuzu, publishes results.%n"
        + "Configured by environment variables (see README).",
    subcommands = {QueryCommand.class})
public final class WorkerMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);

  public static void main(String[] args) {
    System.exit(new CommandLine(new WorkerMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    WorkerConfig cfg = WorkerConfig.fromEnv();
    CountDownLatch closed = new CountDownLatch(1);
    AtomicReference<WorkerApp> app = new AtomicReference<>();
    // SIGTERM: stop polling, let the job in flight finish and commit, close the clients and stores,
    // flush the spans, then exit 0: a clean stop is not a failure, whatever the JVM's 143 would say.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        WorkerApp a = app.get();
        if (a != null && !a.stop(cfg.shutdownTimeout())) {
          log.warn("the job in flight did not finish within SHUTDOWN_TIMEOUT; it will be processed again");
        }
        if (closed.await(closeWait(cfg.shutdownTimeout()).toMillis(), TimeUnit.MILLISECONDS)) Runtime.getRuntime().halt(0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "shutdown"));
    try (Telemetry telemetry = Telemetry.create("vcf-worker")) {
      try (WorkerApp a = WorkerApp.create(cfg, telemetry)) {
        app.set(a);
        a.run();
      }
      // Telemetry closes last: the spans of the final job are flushed after its commit.
    } finally {
      closed.countDown();
    }
    return 0;
  }

  /**
   * How long the shutdown hook waits, once the poll loop stopped, for the main thread to close the
   * worker and then {@link Telemetry}: {@code shutdownTimeout} (SHUTDOWN_TIMEOUT) for closing the
   * clients and stores (a job that overran SHUTDOWN_TIMEOUT in {@code stop} gets it once more), plus
   * {@link Telemetry#DEFAULT_CLOSE_TIMEOUT_SECONDS}, the bound {@link Telemetry#close()} puts on the
   * last span export. A fixed 30 s was shorter than the export bound alone, so the hook gave up
   * (and the JVM exited 143) while the final spans were still being flushed.
   */
  static Duration closeWait(Duration shutdownTimeout) {
    if (shutdownTimeout.isNegative()) throw new IllegalArgumentException("shutdownTimeout must be >= 0: " + shutdownTimeout);
    return shutdownTimeout.plusSeconds(Telemetry.DEFAULT_CLOSE_TIMEOUT_SECONDS);
  }

  /** The project version for {@code --version}. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"vcf-worker " + Telemetry.version()};
    }
  }
}
