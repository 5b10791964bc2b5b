package vcftrace.worker.step;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** An extract with no row: what a store's per-job replace takes to remove a job. */
final class Emptiness {
  private Emptiness() {}

  static Path emptyTsv(JobContext job) throws IOException {
    Path p = job.scratch().resolve("no-variants.tsv");
    return Files.exists(p) ? p : Files.createFile(p);
  }
}
