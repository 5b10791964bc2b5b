package vcftrace.worker.store;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.Fragment;
import com.lancedb.lance.FragmentMetadata;
import com.lancedb.lance.ReadOptions;
import com.lancedb.lance.WriteParams;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import com.lancedb.lance.operation.Append;
import com.lancedb.lance.operation.Operation;
import com.lancedb.lance.operation.Update;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;

/**
 * Writes normalised variant records of a job into the LanceDB table {@code variants} (the Lance
 * dataset {@code <dbDir>/variants.lance}) and reads them back for the {@code query} command.
 *
 * <p><b>Bulk and streaming.</b> The TSV is parsed byte-wise straight into Arrow vectors of
 * {@link #DEFAULT_BATCH_ROWS} rows that are handed to Lance through the Arrow C stream interface
 * ({@link Fragment#create(String, ArrowArrayStream, WriteParams)}), so only one batch is on the
 * heap/direct memory at a time whatever the file size.
 *
 * <p><b>Idempotency in one commit.</b> Data files are written first, uncommitted. Then, against
 * the latest version, the job's previous rows are located with a {@code job_id = '...'} scan that
 * returns row addresses only: fragments that hold nothing but the job's rows (the normal case,
 * because every job writes its own fragments) are dropped whole, mixed fragments (only after a
 * compaction) get a deletion vector. Removal and the new fragments go into a single Lance
 * {@code Update} transaction (a plain {@code Append} when there is nothing to remove), so readers
 * see either the old or the new copy of the job, never both or neither.
 *
 * <p><b>Concurrency.</b> Lance commits are optimistic. Transactions touching disjoint fragments
 * (different jobs) are rebased by Lance itself; a real conflict is retried from the scan, at most
 * {@link #DEFAULT_MAX_COMMIT_ATTEMPTS} times. Two writers of the <em>same</em> job would not
 * conflict in Lance when neither sees old rows (two appends), so writers of one job are serialised
 * with a striped file lock in {@code <dbDir>/.variants.locks} (an in-JVM lock plus an OS file lock,
 * so threads and processes on the same file system are covered; this does not extend to object
 * stores). Creating the dataset is race-safe: if {@code create} loses, the winner's dataset is
 * opened.
 *
 * <p>All native handles (allocators, datasets, scanners, streams) are scoped with
 * try-with-resources; a leaking child allocator throws on close and fails the call, on purpose.
 * Instances are thread-safe.
 */
public final class LanceVariantStore implements AutoCloseable {

  /** LanceDB table name; the dataset lives at {@code <dbDir>/<table>.lance}. */
  public static final String TABLE = "variants";

  /** Rows per Arrow batch handed to Lance; big enough to amortise JNI, small enough for -Xmx1g. */
  public static final int DEFAULT_BATCH_ROWS = 65_536;

  /** Commit attempts before a conflict is reported (each re-scans the latest version). */
  public static final int DEFAULT_MAX_COMMIT_ATTEMPTS = 10;

  /** Number of lock files that serialise writers of the same job. */
  public static final int DEFAULT_LOCK_STRIPES = 64;

  /** How long a writer waits for another writer of the same job (stripe) before giving up. */
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMinutes(10);

  /** Default row limit of {@link #scan} when the caller passes {@code limit <= 0}. */
  public static final int DEFAULT_SCAN_LIMIT = 1_000;

  static final String LOCK_DIR = ".variants.locks";

  /** Column names, in schema order. */
  public static final List<String> COLUMNS =
      List.of(
          "job_id", "batch_id", "variant_id", "chrom", "pos", "ref", "alt", "qual", "filter",
          "sample_count");

  /** Arrow schema of the table; everything but {@code qual} is non-nullable. */
  public static final Schema SCHEMA =
      new Schema(
          List.of(
              utf8("job_id"),
              utf8("batch_id"),
              utf8("variant_id"),
              utf8("chrom"),
              new Field("pos", FieldType.notNullable(new ArrowType.Int(64, true)), null),
              utf8("ref"),
              utf8("alt"),
              new Field(
                  "qual",
                  FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                  null),
              utf8("filter"),
              new Field("sample_count", FieldType.notNullable(new ArrowType.Int(32, true)), null)));

  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS =
      new ConcurrentHashMap<>();

  private final Path dbDir;
  private final Path datasetPath;
  private final String uri;
  private final BufferAllocator root;
  private volatile boolean datasetReady;

  /** Opens (lazily creates) the {@value #TABLE} table under {@code dbDir}. */
  public LanceVariantStore(Path dbDir) {
    this.dbDir = Objects.requireNonNull(dbDir, "dbDir").toAbsolutePath().normalize();
    this.datasetPath = datasetPath(this.dbDir);
    this.uri = datasetPath.toString();
    try {
      Files.createDirectories(this.dbDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + this.dbDir, e);
    }
    this.root = new RootAllocator(Long.MAX_VALUE);
  }

  /** The Lance dataset directory of the variants table under {@code dbDir}. */
  public static Path datasetPath(Path dbDir) {
    return Objects.requireNonNull(dbDir, "dbDir").resolve(TABLE + ".lance");
  }

  /**
   * Replaces every row of {@code jobId} with the records of {@code variantsTsv}.
   *
   * @param sampleCount number of genotype columns each line must have (stored per row)
   * @return number of rows written (one per TSV line, {@code .} ALT rows included)
   * @throws IllegalArgumentException when the TSV is malformed; nothing is committed then
   */
  public long replaceJob(String jobId, String batchId, int sampleCount, Path variantsTsv)
      throws IOException {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(batchId, "batchId");
    Objects.requireNonNull(variantsTsv, "variantsTsv");
    if (sampleCount < 0) {
      throw new IllegalArgumentException("sampleCount must be >= 0: " + sampleCount);
    }
    ensureDataset();
    try (JobLock ignored = JobLock.acquire(dbDir.resolve(LOCK_DIR), jobId);
        BufferAllocator allocator =
            root.newChildAllocator("replaceJob", 0, Long.MAX_VALUE)) {
      WriteResult written = writeFragments(allocator, jobId, batchId, sampleCount, variantsTsv);
      commitReplacement(allocator, jobId, batchId, written.fragments());
      return written.rows();
    }
  }

  private record WriteResult(List<FragmentMetadata> fragments, long rows) {}

  private WriteResult writeFragments(
      BufferAllocator allocator, String jobId, String batchId, int sampleCount, Path tsv)
      throws IOException {
    TsvArrowReader reader =
        new TsvArrowReader(allocator, tsv, jobId, batchId, sampleCount, DEFAULT_BATCH_ROWS);
    List<FragmentMetadata> fragments;
    try (reader;
        ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
      Data.exportArrayStream(allocator, reader, stream);
      try {
        fragments = Fragment.create(uri, stream, new WriteParams.Builder().build());
      } catch (RuntimeException e) {
        reader.rethrowFailure(); // the real cause (e.g. malformed TSV) beats the FFI wrapper
        throw e;
      }
    }
    reader.rethrowFailure();
    return new WriteResult(fragments, reader.rows());
  }

  private void commitReplacement(
      BufferAllocator allocator, String jobId, String batchId, List<FragmentMetadata> fresh) {
    String predicate = "job_id = " + sqlString(jobId);
    RuntimeException last = null;
    for (int attempt = 1; attempt <= DEFAULT_MAX_COMMIT_ATTEMPTS; attempt++) {
      try (Dataset dataset = Dataset.open(allocator, uri, new ReadOptions.Builder().build())) {
        List<Long> removed = new ArrayList<>();
        List<FragmentMetadata> updated = new ArrayList<>();
        for (Map.Entry<Integer, IntList> e : locateRows(dataset, predicate).entrySet()) {
          Fragment fragment = dataset.getFragment(e.getKey());
          IntList offsets = e.getValue();
          if (fragment.metadata().getNumRows() == offsets.size()) {
            removed.add((long) e.getKey());
          } else {
            FragmentMetadata afterDelete = fragment.deleteRows(offsets.boxed());
            if (afterDelete == null) {
              removed.add((long) e.getKey());
            } else {
              updated.add(afterDelete);
            }
          }
        }
        if (removed.isEmpty() && updated.isEmpty() && fresh.isEmpty()) {
          return; // empty job never written before: nothing to commit
        }
        Operation operation =
            removed.isEmpty() && updated.isEmpty()
                ? Append.builder().fragments(fresh).build()
                : Update.builder()
                    .removedFragmentIds(removed)
                    .updatedFragments(updated)
                    .newFragments(fresh)
                    .build();
        try (Dataset committed =
            dataset
                .newTransactionBuilder()
                .operation(operation)
                .transactionProperties(
                    Map.of("vcftrace.job_id", jobId, "vcftrace.batch_id", batchId))
                .build()
                .commit()) {
          return;
        }
      } catch (RuntimeException e) {
        if (!isCommitConflict(e)) {
          throw e;
        }
        last = e;
        sleepQuietly(backoffMillis(attempt));
      }
    }
    throw new IllegalStateException(
        "job " + jobId + ": commit still conflicting after " + DEFAULT_MAX_COMMIT_ATTEMPTS
            + " attempts",
        last);
  }

  /** Row offsets of the rows matching {@code predicate}, grouped by fragment id. */
  private static Map<Integer, IntList> locateRows(Dataset dataset, String predicate) {
    ScanOptions options =
        new ScanOptions.Builder()
            .filter(predicate)
            .columns(List.of())
            .withRowAddress(true)
            .batchSize(DEFAULT_BATCH_ROWS)
            .build();
    Map<Integer, IntList> byFragment = new TreeMap<>();
    try (LanceScanner scanner = dataset.newScan(options);
        ArrowReader batches = scanner.scanBatches()) {
      while (batches.loadNextBatch()) {
        UInt8Vector addresses =
            (UInt8Vector) batches.getVectorSchemaRoot().getVector("_rowaddr");
        for (int i = 0, n = addresses.getValueCount(); i < n; i++) {
          long address = addresses.get(i);
          // a Lance row address is (fragment id << 32) | row offset within the fragment
          byFragment.computeIfAbsent((int) (address >>> 32), k -> new IntList()).add((int) address);
        }
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("scan of " + predicate + " failed", e);
    }
    return byFragment;
  }

  private static boolean isCommitConflict(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null) {
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.contains("conflict") || lower.contains("retryable")) {
          return true;
        }
      }
    }
    return false;
  }

  private static long backoffMillis(int attempt) {
    long base = Math.min(2_000L, 25L << Math.min(attempt, 6));
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while retrying a Lance commit", e);
    }
  }

  /** Creates the empty dataset once; losing a create race to another process is fine. */
  private void ensureDataset() {
    if (datasetReady) {
      return;
    }
    synchronized (this) {
      if (datasetReady) {
        return;
      }
      RuntimeException last = null;
      for (int attempt = 1; attempt <= DEFAULT_MAX_COMMIT_ATTEMPTS && !datasetReady; attempt++) {
        try (BufferAllocator allocator = root.newChildAllocator("open", 0, Long.MAX_VALUE)) {
          if (Files.isDirectory(datasetPath.resolve("_versions"))) {
            try (Dataset dataset =
                Dataset.open(allocator, uri, new ReadOptions.Builder().build())) {
              checkSchema(dataset.getSchema());
              datasetReady = true;
            }
          } else {
            WriteParams create =
                new WriteParams.Builder().withMode(WriteParams.WriteMode.CREATE).build();
            try (Dataset created = Dataset.create(allocator, uri, SCHEMA, create)) {
              datasetReady = true;
            }
          }
        } catch (IllegalStateException e) {
          throw e; // schema mismatch: retrying will not help
        } catch (RuntimeException e) {
          // lost the create race, or the winner has not finished its first commit yet
          last = e;
          sleepQuietly(backoffMillis(attempt));
        }
      }
      if (!datasetReady) {
        throw new IllegalStateException("cannot create or open " + uri, last);
      }
    }
  }

  private void checkSchema(Schema actual) {
    List<String> names = new ArrayList<>();
    for (Field f : actual.getFields()) {
      names.add(f.getName());
    }
    if (!names.equals(COLUMNS)) {
      throw new IllegalStateException(
          uri + " has columns " + names + ", expected " + COLUMNS + "; refusing to write");
    }
  }

  /** Quotes a string as a Lance/DataFusion SQL literal ({@code '} doubled). */
  public static String sqlString(String value) {
    Objects.requireNonNull(value, "value");
    return "'" + value.replace("'", "''") + "'";
  }

  /**
   * Counts the rows of the variants table under {@code dbDir}, optionally filtered (Lance SQL
   * predicate such as {@code job_id = 'j1'}). A missing table counts as empty.
   */
  public static long countRows(Path dbDir, String filterOrNull) {
    Path path = datasetPath(dbDir);
    if (!Files.isDirectory(path.resolve("_versions"))) {
      return 0;
    }
    try (BufferAllocator allocator = new RootAllocator(Long.MAX_VALUE);
        Dataset dataset =
            Dataset.open(allocator, path.toString(), new ReadOptions.Builder().build())) {
      return filterOrNull == null || filterOrNull.isBlank()
          ? dataset.countRows()
          : dataset.countRows(filterOrNull);
    }
  }

  /**
   * Returns up to {@code limit} rows matching {@code filter}, e.g. {@code chrom = 'chr1' AND pos
   * >= 100 AND pos <= 200}. Strings come back as {@link String}, {@code pos} as {@link Long},
   * {@code qual} as {@link Double} or null, {@code sample_count} as {@link Integer}.
   *
   * @param filter Lance SQL predicate, or null/blank for all rows
   * @param columns projection, or null/empty for every column
   * @param limit maximum rows; {@code <= 0} means {@value #DEFAULT_SCAN_LIMIT}
   */
  public static List<Map<String, Object>> scan(
      Path dbDir, String filter, List<String> columns, int limit) {
    Path path = datasetPath(dbDir);
    if (!Files.isDirectory(path.resolve("_versions"))) {
      return List.of();
    }
    int max = limit <= 0 ? DEFAULT_SCAN_LIMIT : limit;
    ScanOptions.Builder options = new ScanOptions.Builder().limit(max).batchSize(8_192);
    if (filter != null && !filter.isBlank()) {
      options.filter(filter);
    }
    if (columns != null && !columns.isEmpty()) {
      options.columns(List.copyOf(columns));
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator(Long.MAX_VALUE);
        Dataset dataset =
            Dataset.open(allocator, path.toString(), new ReadOptions.Builder().build());
        LanceScanner scanner = dataset.newScan(options.build());
        ArrowReader batches = scanner.scanBatches()) {
      while (batches.loadNextBatch() && rows.size() < max) {
        VectorSchemaRoot batch = batches.getVectorSchemaRoot();
        List<FieldVector> vectors = batch.getFieldVectors();
        for (int i = 0; i < batch.getRowCount() && rows.size() < max; i++) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (FieldVector v : vectors) {
            Object value = v.getObject(i);
            row.put(v.getName(), value instanceof Text ? value.toString() : value);
          }
          rows.add(row);
        }
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("scan of " + path + " failed", e);
    }
    return rows;
  }

  @Override
  public void close() {
    root.close();
  }

  private static Field utf8(String name) {
    return new Field(name, FieldType.notNullable(new ArrowType.Utf8()), null);
  }

  /** Growable int array; avoids boxing millions of row offsets. */
  private static final class IntList {
    private int[] values = new int[64];
    private int size;

    void add(int v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    int size() {
      return size;
    }

    List<Integer> boxed() {
      List<Integer> out = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        out.add(values[i]);
      }
      return out;
    }
  }

  /**
   * Serialises writers of one job (stripe) across threads of this JVM and across processes on the
   * same file system. Lock files are never deleted, which avoids the unlink-while-locked race.
   */
  private static final class JobLock implements AutoCloseable {
    private final ReentrantLock jvmLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private JobLock(ReentrantLock jvmLock, FileChannel channel, FileLock fileLock) {
      this.jvmLock = jvmLock;
      this.channel = channel;
      this.fileLock = fileLock;
    }

    static JobLock acquire(Path lockDir, String jobId) throws IOException {
      Files.createDirectories(lockDir);
      int stripe = Math.floorMod(jobId.hashCode(), DEFAULT_LOCK_STRIPES);
      Path file = lockDir.resolve(String.format(Locale.ROOT, "stripe-%02d.lock", stripe));
      ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
      long deadline = System.nanoTime() + DEFAULT_LOCK_TIMEOUT.toNanos();
      try {
        if (!jvmLock.tryLock(DEFAULT_LOCK_TIMEOUT.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
          throw new IllegalStateException("timed out waiting for in-process writer of " + file);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + file, e);
      }
      FileChannel channel = null;
      try {
        channel =
            FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        while (true) {
          FileLock lock = channel.tryLock();
          if (lock != null) {
            return new JobLock(jvmLock, channel, lock);
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("timed out waiting for another process on " + file);
          }
          sleepQuietly(50);
        }
      } catch (IOException | RuntimeException e) {
        if (channel != null) {
          channel.close();
        }
        jvmLock.unlock();
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      try {
        try {
          fileLock.release();
        } finally {
          channel.close();
        }
      } finally {
        jvmLock.unlock();
      }
    }
  }

  /**
   * Arrow stream over the TSV: each {@link #loadNextBatch()} allocates fresh vectors (the previous
   * batch may still be referenced by Lance through the C interface) and fills up to
   * {@code batchRows} rows.
   */
  private static final class TsvArrowReader extends ArrowReader {
    private final Path tsv;
    private final int sampleCount;
    private final int batchRows;
    private final byte[] jobBytes;
    private final byte[] batchBytes;
    private final long[] lastBytes = new long[COLUMNS.size()];
    private VariantTsvReader lines;
    private byte[] idScratch = new byte[256];
    private long rows;
    private Throwable failure;

    TsvArrowReader(
        BufferAllocator allocator,
        Path tsv,
        String jobId,
        String batchId,
        int sampleCount,
        int batchRows) {
      super(allocator);
      this.tsv = tsv;
      this.sampleCount = sampleCount;
      this.batchRows = batchRows;
      this.jobBytes = jobId.getBytes(StandardCharsets.UTF_8);
      this.batchBytes = batchId.getBytes(StandardCharsets.UTF_8);
    }

    long rows() {
      return rows;
    }

    void rethrowFailure() throws IOException {
      if (failure instanceof IOException io) {
        throw io;
      }
      if (failure instanceof RuntimeException re) {
        throw re;
      }
      if (failure instanceof Error err) {
        throw err;
      }
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      try {
        return fill();
      } catch (IOException | RuntimeException | Error e) {
        failure = e;
        throw e;
      }
    }

    private boolean fill() throws IOException {
      if (lines == null) {
        lines = new VariantTsvReader(tsv, sampleCount, null);
      }
      VectorSchemaRoot root = getVectorSchemaRoot();
      List<FieldVector> v = root.getFieldVectors();
      VarCharVector job = (VarCharVector) v.get(0);
      VarCharVector batch = (VarCharVector) v.get(1);
      VarCharVector id = (VarCharVector) v.get(2);
      VarCharVector chrom = (VarCharVector) v.get(3);
      BigIntVector pos = (BigIntVector) v.get(4);
      VarCharVector ref = (VarCharVector) v.get(5);
      VarCharVector alt = (VarCharVector) v.get(6);
      Float8Vector qual = (Float8Vector) v.get(7);
      VarCharVector filter = (VarCharVector) v.get(8);
      IntVector samples = (IntVector) v.get(9);
      for (int c = 0; c < v.size(); c++) {
        FieldVector vector = v.get(c);
        if (vector instanceof VarCharVector varChar) {
          // fresh buffers every batch: the previous ones may still be owned by Lance
          long bytes = Math.max(lastBytes[c] + lastBytes[c] / 8, 16L * batchRows);
          varChar.allocateNew(bytes, batchRows);
        } else {
          vector.setInitialCapacity(batchRows);
          vector.allocateNew();
        }
      }
      VariantTsvReader in = lines;
      byte[] buf = in.buffer();
      int n = 0;
      while (n < batchRows && in.next()) {
        buf = in.buffer();
        job.setSafe(n, jobBytes, 0, jobBytes.length);
        batch.setSafe(n, batchBytes, 0, batchBytes.length);
        idScratch = in.variantIdInto(idScratch);
        id.setSafe(n, idScratch, 0, in.variantIdLength());
        chrom.setSafe(n, buf, in.start(VariantTsvReader.CHROM), in.length(VariantTsvReader.CHROM));
        pos.set(n, in.pos());
        ref.setSafe(n, buf, in.start(VariantTsvReader.REF), in.length(VariantTsvReader.REF));
        alt.setSafe(n, buf, in.start(VariantTsvReader.ALT), in.length(VariantTsvReader.ALT));
        double q = in.qual();
        if (Double.isNaN(q)) {
          qual.setNull(n);
        } else {
          qual.set(n, q);
        }
        filter.setSafe(
            n, buf, in.start(VariantTsvReader.FILTER), in.length(VariantTsvReader.FILTER));
        samples.set(n, sampleCount);
        n++;
      }
      root.setRowCount(n); // sets every vector's value count
      for (int c = 0; c < v.size(); c++) {
        if (v.get(c) instanceof VarCharVector varChar && n > 0) {
          // remember the byte size so the next batch is allocated once, not grown repeatedly
          lastBytes[c] = varChar.getOffsetBuffer().getInt((long) n * VarCharVector.OFFSET_WIDTH);
        }
      }
      rows += n;
      return n > 0;
    }

    @Override
    public long bytesRead() {
      return 0;
    }

    @Override
    protected void closeReadSource() throws IOException {
      if (lines != null) {
        lines.close();
      }
    }

    @Override
    protected Schema readSchema() {
      return SCHEMA;
    }
  }
}
