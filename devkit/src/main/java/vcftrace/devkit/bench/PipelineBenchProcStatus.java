package vcftrace.devkit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What Linux says about a worker process: peak resident memory and CPU time, its bcftools children included. */
final class PipelineBenchProcStatus {
  private PipelineBenchProcStatus() {}

  /** {@code VmHWM} of {@code /proc/<pid>/status} in KiB (peak RSS), or -1 when unreadable. */
  static long peakRssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process is gone: the report shows "?"
    }
    return -1;
  }

  /**
   * utime + stime + cutime + cstime of {@code /proc/<pid>/stat}, in seconds. The c* fields count
   * children the process waited for: the worker waits for every bcftools it starts, so this is the
   * CPU of the whole job, not only of the JVM.
   */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Field 2 (comm) may contain spaces: count fields from after its closing parenthesis.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
      return ticks / (double) CLOCK_TICKS;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** USER_HZ: 100 on every Linux architecture the JDK runs on. */
  private static final int CLOCK_TICKS = 100;
}
