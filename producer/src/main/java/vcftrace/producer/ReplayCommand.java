package vcftrace.producer;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code vcf-producer replay}: re-publishes dead letters once their cause is fixed. */
@Command(name = "replay", mixinStandardHelpOptions = true, description = "Re-publish dead-lettered jobs.")
public final class ReplayCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 0;
  }
}
