package vcftrace.producer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vcftrace.common.JobRequest;
import vcftrace.common.JobResult;

/**
 * The table {@code publish --wait} ends with: one row per unsharded job, one row per sharded file
 * (followed by its failed or pending shards). The closing count is of jobs, shards included.
 */
final class Summary {
  private Summary() {}

  static void print(PrintStream out, List<JobRequest> jobs, Map<String, JobResult> results) {
    out.println();
    out.printf("%-28s %-9s %10s %10s %9s  %-32s  %s%n", "FILE", "STATUS", "RECORDS", "VARIANTS", "MILLIS", "TRACE ID", "ERROR");
    int ok = 0, failed = 0, missing = 0;
    Map<String, List<JobRequest>> byFile = new LinkedHashMap<>();
    for (JobRequest j : jobs) byFile.computeIfAbsent(j.input(), k -> new ArrayList<>()).add(j);
    for (List<JobRequest> fileJobs : byFile.values()) {
      if (fileJobs.size() > 1 || fileJobs.get(0).shardCount() > 1) {
        int[] tally = printSharded(out, fileJobs, results);
        ok += tally[0];
        failed += tally[1];
        missing += tally[2];
        continue;
      }
      JobRequest j = fileJobs.get(0);
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

  /**
   * One line for a sharded file: done when every shard is. RECORDS and VARIANTS are sums over the
   * shards, MILLIS is the longest shard, and the trace column says how many shards succeeded (each
   * has its own trace). Each failed or pending shard follows on its own indented line.
   *
   * @return {succeeded, failed, pending} shards
   */
  private static int[] printSharded(PrintStream out, List<JobRequest> shards, Map<String, JobResult> results) {
    int ok = 0, failed = 0, missing = 0;
    long records = 0, variants = 0, millis = 0;
    for (JobRequest j : shards) {
      JobResult r = results.get(j.jobId());
      if (r == null) {
        missing++;
      } else {
        if (r.status() == vcftrace.common.JobStatus.SUCCEEDED) ok++; else failed++;
        records += r.counts().records();
        variants += r.counts().normalisedRecords();
        millis = Math.max(millis, r.durationMillis());
      }
    }
    String status = failed > 0 ? "FAILED" : missing > 0 ? "PENDING" : "SUCCEEDED";
    String file = Path.of(shards.get(0).input()).getFileName().toString();
    out.printf("%-28s %-9s %10d %10d %9d  %-32s  %s%n", abbreviate(file, 28), status, records, variants, millis,
        ok + "/" + shards.size() + " shards succeeded", failed == 0 ? "" : failed + " shards failed");
    for (JobRequest j : shards) {
      JobResult r = results.get(j.jobId());
      if (r != null && r.status() == vcftrace.common.JobStatus.SUCCEEDED) continue;
      String shard = "  " + (j.shardIndex() + 1) + "/" + j.shardCount() + " " + j.region();
      if (r == null) {
        out.printf("%-28s %-9s%n", abbreviate(shard, 28), "PENDING");
      } else {
        out.printf("%-28s %-9s %10d %10d %9d  %-32s  %s%n", abbreviate(shard, 28), r.status(), r.counts().records(),
            r.counts().normalisedRecords(), r.durationMillis(), r.traceId(),
            r.errorType() == null ? "" : r.errorType() + ": " + abbreviate(r.errorMessage(), 100));
      }
    }
    return new int[] {ok, failed, missing};
  }

  static String abbreviate(String s, int n) {
    if (s == null) return "";
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }
}
