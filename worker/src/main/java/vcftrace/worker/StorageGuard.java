package vcftrace.worker;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Decides whether the worker's directories can take writes: each store directory (the scratch
 * directory under {@code DATA_DIR}, {@code LANCE_DB}, {@code KUZU_DIR}) must have at least {@code
 * MIN_FREE_DISK_MB} usable and accept a probe file (created, written, deleted). The probe is needed
 * because root ignores permission bits, but not a read-only mount.
 *
 * <p>The worker must notice before Kuzu does: Kuzu 0.11.2 aborts the process when it cannot write its
 * WAL, and a write after a failed commit on a nearly full disk has crashed the JVM. So while {@link
 * #check} says unhealthy the poll loop pauses its partitions (README, "Scaling out"), the graph
 * shards refuse to hand out a shard, and a job whose write failed is handed back, not dead-lettered.
 *
 * <p>Thread-safe: {@link #check} runs on the poll thread and on the step lanes; the gauges read the
 * last result from the metrics thread.
 */
public final class StorageGuard implements MeterBinder {
  /** Default of {@code MIN_FREE_DISK_MB}, in bytes: {@value}. */
  public static final long DEFAULT_MIN_FREE_BYTES = 1024L << 20;

  private static final String PROBE_PREFIX = ".vcf-trace-probe-";

  private final Map<String, Path> stores;
  private final long minFreeBytes;
  private volatile Status last;

  private StorageGuard(Map<String, Path> stores, long minFreeBytes) {
    this.stores = stores;
    this.minFreeBytes = minFreeBytes;
    Map<String, StoreStatus> unknown = new LinkedHashMap<>();
    stores.forEach((name, dir) -> unknown.put(name, new StoreStatus(name, dir, -1, false, "not checked yet")));
    this.last = new Status(false, "not checked yet", unknown);
  }

  /** The guard of a worker's three store directories. */
  public static StorageGuard of(vcftrace.common.WorkerConfig cfg) {
    return builder()
        .store("work", cfg.workDir())
        .store("lancedb", cfg.lanceDb())
        .store("kuzu", cfg.kuzuDir())
        .minFreeBytes(cfg.minFreeDiskBytes())
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The outcome of one {@link #check}: healthy only if every store is. */
  public record Status(boolean healthy, String reason, Map<String, StoreStatus> stores) {
    public Status {
      stores = Map.copyOf(stores);
    }
  }

  /**
   * One directory: its usable bytes (-1 when unknown), whether the probe could write, and why it is
   * unhealthy ({@code null} when it is not).
   */
  public record StoreStatus(String name, Path dir, long freeBytes, boolean writable, String problem) {
    public boolean healthy() {
      return problem == null;
    }
  }

  /** Probes every directory now and returns (and keeps, for the gauges) the result. */
  public synchronized Status check() {
    Map<String, StoreStatus> now = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    stores.forEach((name, dir) -> {
      StoreStatus s = probe(name, dir);
      now.put(name, s);
      if (!s.healthy()) problems.add(s.problem());
    });
    Status status = new Status(problems.isEmpty(), problems.isEmpty() ? null : String.join("; ", problems), now);
    last = status;
    return status;
  }

  /** The result of the last {@link #check}, unhealthy before the first. */
  public Status last() {
    return last;
  }

  public long minFreeBytes() {
    return minFreeBytes;
  }

  private StoreStatus probe(String name, Path dir) {
    String where = name + " " + dir;
    long free;
    try {
      // Creating a missing store directory is what the stores would do on first use anyway.
      Files.createDirectories(dir);
      free = Files.getFileStore(dir).getUsableSpace();
    } catch (IOException | RuntimeException e) {
      return new StoreStatus(name, dir, -1, false, where + ": cannot be used: " + e);
    }
    String problem = writeProbe(dir);
    if (problem != null) return new StoreStatus(name, dir, free, false, where + ": not writable: " + problem);
    if (free < minFreeBytes) {
      return new StoreStatus(name, dir, free, true,
          where + ": " + mib(free) + " MiB free, below MIN_FREE_DISK_MB=" + mib(minFreeBytes));
    }
    return new StoreStatus(name, dir, free, true, null);
  }

  /** Creates, writes and deletes a probe file; returns what failed, or null. */
  private static String writeProbe(Path dir) {
    Path probe = dir.resolve(PROBE_PREFIX + UUID.randomUUID());
    try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        StandardOpenOption.DELETE_ON_CLOSE)) {
      ch.write(ByteBuffer.wrap(new byte[] {'o', 'k'}));
      return null;
    } catch (FileSystemException e) {
      return e.getReason(); // the probe's random name would only clutter /health
    } catch (IOException | RuntimeException e) {
      return e.getMessage() != null ? e.getMessage() : e.toString();
    }
  }

  private static long mib(long bytes) {
    return bytes >> 20;
  }

  /**
   * {@code vcf.storage.healthy} (1 while every store takes writes, else 0), and per store (tag
   * {@code store}: work, lancedb, kuzu) {@code vcf.storage.free} in bytes and {@code
   * vcf.storage.writable} (0/1), all from the last {@link #check}.
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("vcf.storage.healthy", this, g -> g.last.healthy() ? 1 : 0)
        .description("1 while every store directory has MIN_FREE_DISK_MB free and takes writes; 0 pauses the worker")
        .register(registry);
    Gauge.builder("vcf.storage.min_free", this, g -> g.minFreeBytes)
        .description("MIN_FREE_DISK_MB: free space below which the worker pauses")
        .baseUnit("bytes")
        .register(registry);
    for (String name : stores.keySet()) {
      Gauge.builder("vcf.storage.free", this, g -> g.last.stores().get(name).freeBytes())
          .description("usable bytes of the store's file system at the last check (-1 unknown)")
          .baseUnit("bytes")
          .tag("store", name)
          .register(registry);
      Gauge.builder("vcf.storage.writable", this, g -> g.last.stores().get(name).writable() ? 1 : 0)
          .description("1 when a probe file could be written in the store's directory at the last check")
          .tag("store", name)
          .register(registry);
    }
  }

  public static final class Builder {
    private final Map<String, Path> stores = new LinkedHashMap<>();
    private long minFreeBytes = DEFAULT_MIN_FREE_BYTES;

    private Builder() {}

    /** Adds a directory; {@code name} becomes the {@code store} tag, so keep it short and fixed. */
    public Builder store(String name, Path dir) {
      requireNonNull(name, "name");
      requireNonNull(dir, "dir");
      if (stores.putIfAbsent(name, dir.toAbsolutePath().normalize()) != null) {
        throw new IllegalArgumentException("store " + name + " given twice");
      }
      return this;
    }

    /** Free space below which a store is unhealthy; default {@value #DEFAULT_MIN_FREE_BYTES}. */
    public Builder minFreeBytes(long bytes) {
      if (bytes < 0) throw new IllegalArgumentException("minFreeBytes must be >= 0: " + bytes);
      this.minFreeBytes = bytes;
      return this;
    }

    public StorageGuard build() {
      if (stores.isEmpty()) throw new IllegalArgumentException("no store to guard");
      return new StorageGuard(java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stores)), minFreeBytes);
    }
  }
}
