package vcftrace.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard on a real file system: a small tmpfs (the tests run as root), filled with a real file and
 * remounted read-only for real. A second store on the ordinary temp directory stays healthy throughout.
 */
class StorageGuardTest {
  private static final long MIB = 1 << 20;

  @TempDir Path tmp;
  private Path disk;
  private Path kuzu;
  private StorageGuard guard;

  @BeforeEach
  void mountSmallDisk() throws Exception {
    disk = Files.createDirectories(tmp.resolve("disk"));
    run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", disk.toString());
    kuzu = disk.resolve("kuzu");
    guard = StorageGuard.builder()
        .store("kuzu", kuzu)
        .store("lancedb", tmp.resolve("lancedb"))
        .minFreeBytes(2 * MIB)
        .build();
  }

  @AfterEach
  void unmount() throws Exception {
    run("umount", disk.toString());
  }

  @Test
  void freeSpaceBelowTheThresholdIsUnhealthyUntilFreed() throws Exception {
    StorageGuard.Status ok = guard.check();
    assertTrue(ok.healthy(), ok.reason());
    assertNull(ok.reason());
    assertEquals(8 * MIB, ok.stores().get("kuzu").freeBytes());
    assertTrue(Files.isDirectory(kuzu), "a missing store directory is created, as the store would");

    Path filler = fill(disk.resolve("filler"), 7 * MIB); // leaves 1 MiB, under the 2 MiB threshold
    StorageGuard.Status low = guard.check();
    assertFalse(low.healthy());
    assertEquals("kuzu " + kuzu + ": 1 MiB free, below MIN_FREE_DISK_MB=2", low.reason());
    assertEquals(1 * MIB, low.stores().get("kuzu").freeBytes());
    assertTrue(low.stores().get("kuzu").writable(), "1 MiB still takes the probe");
    assertTrue(low.stores().get("lancedb").healthy());
    assertEquals(low, guard.last());

    Path rest = fill(disk.resolve("rest"), Long.MAX_VALUE); // to the last byte
    StorageGuard.Status full = guard.check();
    assertFalse(full.healthy());
    assertEquals("kuzu " + kuzu + ": not writable: No space left on device", full.reason());
    assertEquals(0, full.stores().get("kuzu").freeBytes());

    Files.delete(rest);
    Files.delete(filler);
    StorageGuard.Status freed = guard.check();
    assertTrue(freed.healthy(), freed.reason());
    try (var names = Files.list(kuzu)) {
      assertEquals(List.of(), names.toList(), "no probe file is left behind");
    }
  }

  @Test
  void aReadOnlyMountIsUnhealthyUntilWritableAgain() throws Exception {
    assertTrue(guard.check().healthy());
    run("mount", "-o", "remount,ro", disk.toString());
    StorageGuard.Status ro = guard.check();
    assertFalse(ro.healthy());
    // root ignores permission bits, not a read-only mount: only the probe write notices
    assertEquals("kuzu " + kuzu + ": not writable: Read-only file system", ro.reason());
    assertEquals(8 * MIB, ro.stores().get("kuzu").freeBytes());
    assertFalse(ro.stores().get("kuzu").writable());

    run("mount", "-o", "remount,rw", disk.toString());
    assertTrue(guard.check().healthy());
  }

  @Test
  void aMissingDirectoryOnAReadOnlyMountCannotBeUsed() throws Exception {
    StorageGuard g = StorageGuard.builder().store("lancedb", disk.resolve("never-created")).minFreeBytes(0).build();
    run("mount", "-o", "remount,ro", disk.toString());
    StorageGuard.Status s = g.check();
    assertFalse(s.healthy());
    assertEquals("lancedb " + disk.resolve("never-created") + ": cannot be used: java.nio.file.FileSystemException: "
        + disk.resolve("never-created") + ": Read-only file system", s.reason());
  }

  /** Kuzu aborts the JVM when it cannot write a shard's WAL: no shard is opened on a bad disk. */
  @Test
  void graphShardsOpenNoShardWhileTheDiskCannotTakeWrites() throws Exception {
    try (GraphShards shards = new GraphShards(kuzu, "vcf.jobs", 64L << 20, guard)) {
      fill(disk.resolve("filler"), 7 * MIB);
      StorageUnavailableException e = assertThrows(StorageUnavailableException.class, () -> shards.shard(0));
      assertEquals("storage cannot take writes: kuzu " + kuzu + ": 1 MiB free, below MIN_FREE_DISK_MB=2", e.getMessage());
      assertEquals(0, shards.openShards());
      assertFalse(Files.exists(GraphShards.shardFile(kuzu, "vcf.jobs", 0)), "Kuzu never saw the file");

      Files.delete(disk.resolve("filler"));
      assertTrue(Files.exists(shards.shard(0).file()));
      assertEquals(1, shards.openShards());
    }
  }

  @Test
  void gaugesShowTheLastCheck() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    guard.bindTo(registry);
    assertEquals(0, registry.get("vcf.storage.healthy").gauge().value(), "unhealthy until checked");
    guard.check();
    assertEquals(1, registry.get("vcf.storage.healthy").gauge().value());
    assertEquals(8 * MIB, registry.get("vcf.storage.free").tag("store", "kuzu").gauge().value());
    assertEquals(2 * MIB, registry.get("vcf.storage.min_free").gauge().value());

    run("mount", "-o", "remount,ro", disk.toString());
    guard.check();
    assertEquals(0, registry.get("vcf.storage.healthy").gauge().value());
    assertEquals(0, registry.get("vcf.storage.writable").tag("store", "kuzu").gauge().value());
    assertEquals(1, registry.get("vcf.storage.writable").tag("store", "lancedb").gauge().value());
    run("mount", "-o", "remount,rw", disk.toString());
  }

  @Test
  void badSettingsAreRefusedAtOnce() {
    assertEquals("minFreeBytes must be >= 0: -1",
        assertThrows(IllegalArgumentException.class, () -> StorageGuard.builder().minFreeBytes(-1)).getMessage());
    assertEquals("no store to guard",
        assertThrows(IllegalArgumentException.class, () -> StorageGuard.builder().build()).getMessage());
    assertEquals("store kuzu given twice",
        assertThrows(IllegalArgumentException.class,
            () -> StorageGuard.builder().store("kuzu", tmp).store("kuzu", tmp)).getMessage());
  }

  /** Writes up to {@code bytes} to {@code file}, stopping quietly when the disk is full. */
  private static Path fill(Path file, long bytes) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < bytes; written += chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, bytes - written));
      }
    } catch (IOException e) {
      if (!"No space left on device".equals(e.getMessage())) throw e;
    }
    return file;
  }

  static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) throw new AssertionError(String.join(" ", cmd) + " failed (the tests run as root): " + out);
  }
}
