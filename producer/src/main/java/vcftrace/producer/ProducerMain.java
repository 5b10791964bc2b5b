package vcftrace.producer;

import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import vcftrace.common.Telemetry;

/** {@code vcf-producer}: publishes VCF jobs, waits for their results, replays dead letters. */
@Command(
    name = "vcf-producer",
    mixinStandardHelpOptions = true,
    versionProvider = ProducerMain.Version.class,
    description = "Publishes VCF jobs to Kafka, each the root of its own trace.%n"
        + "Kafka and OpenTelemetry are configured by environment variables (see README).",
    subcommands = {PublishCommand.class, ReplayCommand.class, CommandLine.HelpCommand.class})
public final class ProducerMain implements Runnable {
  /** Exit codes: 0 all jobs succeeded, 1 some failed, 2 usage or setup error, 3 timed out waiting. */
  public static final int EXIT_FAILED_JOBS = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_TIMEOUT = 3;

  /**
   * How long a command waits at exit for its last spans to be exported. With the backend up that takes
   * milliseconds (spans are exported every 200 ms while the command runs); with it down, the exporter
   * would retry for up to 10 s per export, and the command used to exit 10–20 s late.
   */
  public static final Duration SPAN_FLUSH_AT_EXIT = Duration.ofSeconds(1);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with our exception-to-exit-code mapping, for main and for tests. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new ProducerMain());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("vcf-producer: " + e.getMessage());
      return EXIT_USAGE;
    });
    return cl;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: publish or replay");
  }

  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"vcf-producer " + Telemetry.version()};
    }
  }
}
