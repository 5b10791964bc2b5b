package vcftrace.devkit;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import vcftrace.devkit.bench.PipelineBenchCommand;
import vcftrace.devkit.bench.SpanBenchCommand;
import vcftrace.devkit.gen.GenerateCommand;

/** {@code vcf-devkit}: the demo, the VCF generator and the benchmarks. Never deployed. */
@Command(name = "vcf-devkit", mixinStandardHelpOptions = true,
    description = "Runs vcf-trace without Docker: demo, generator, benchmarks.",
    subcommands = {DemoCommand.class, GenerateCommand.class, SpanBenchCommand.class, PipelineBenchCommand.class,
        vcftrace.devkit.bench.FailoverBenchCommand.class,
        CommandLine.HelpCommand.class})
public final class DevkitMain implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DevkitMain()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
