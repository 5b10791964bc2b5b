package vcftrace.worker;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code vcf-worker query}: what landed in the stores. */
@Command(name = "query", mixinStandardHelpOptions = true, description = "Query the LanceDB table and the Kuzu graph.")
public final class QueryCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 0;
  }
}
