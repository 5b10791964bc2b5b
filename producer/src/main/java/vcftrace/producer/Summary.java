package vcftrace.producer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import vcftrace.common.JobRequest;
import vcftrace.common.JobResult;

/** The table {@code publish --wait} ends with: one row per job. */
final class Summary {
  private Summary() {}

  static void print(PrintStream out, List<JobRequest> jobs, Map<String, JobResult> results) {
    out.println();
    out.printf("%-28s %-9s %10s %10s %9s  %-32s  %s%n", "FILE", "STATUS", "RECORDS", "VARIANTS", "MILLIS", "TRACE ID", "ERROR");
    int ok = 0, failed = 0, missing = 0;
    for (JobRequest j : jobs) {
      JobResult r = results.get(j.jobId());
      String file = Path.of(j.input()).getFileName().toString() + (j.region() == null ? "" : ":" + j.region());
      if (r == null) {
        missing++;
        out.printf("%-28s %-9s%n", abbreviate(file, 28), "PENDING");
        continue;
      }
      if (r.status() == vcftrace.common.JobStatus.SUCCEEDED) ok++; else failed++;
      out.printf("%-28s %-9s %10d %10d %9d  %-32s  %s%n", abbreviate(file, 28), r.status(), r.counts().records(),
          r.counts().normalisedRecords(), r.durationMillis(), r.traceId(),
          r.errorType() == null ? "" : r.errorType() + ": " + abbreviate(r.errorMessage(), 100));
    }
    out.printf("%d succeeded, %d failed, %d pending%n", ok, failed, missing);
  }

  static String abbreviate(String s, int n) {
    if (s == null) return "";
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }
}
