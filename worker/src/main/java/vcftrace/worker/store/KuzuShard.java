package vcftrace.worker.store;

import com.kuzudb.Connection;
import com.kuzudb.Database;
import com.kuzudb.FlatTuple;
import com.kuzudb.PreparedStatement;
import com.kuzudb.QueryResult;
import com.kuzudb.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kuzu database file holding the sample/variant graph of the jobs of one Kafka partition.
 * {@link #open} refuses a file already open in this JVM; {@link #replaceJob} is idempotent per job
 * fingerprint, writes in transactions sized from the buffer pool, marks a job complete only once it
 * is durable, and throws {@link KuzuCapacityException} when a transaction does not fit the pool.
 * Instances are thread-safe (calls are serialised). Why it works this way (Kuzu 0.11.2 findings):
 * {@code docs/design-notes.md}, section "Kuzu shards".
 */
public final class KuzuShard implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KuzuShard.class);

  /** A sensible buffer pool for one shard when the caller has no better figure. */
  public static final long DEFAULT_BUFFER_POOL_BYTES = 256L << 20;

  /**
   * Virtual address space Kuzu reserves for the file (must be a power of two). 256 GiB keeps
   * hundreds of shards inside the 128 TiB user address space; Kuzu's 8 TiB default allows ~16.
   */
  public static final long DEFAULT_MAX_DB_SIZE_BYTES = 1L << 38;

  /** WAL size that triggers an automatic checkpoint; -1 lets Kuzu use its default (16 MiB). */
  public static final long DEFAULT_CHECKPOINT_THRESHOLD = -1;

  /**
   * Buffer pool that one row (a Variant node or a relationship) of a transaction is budgeted at.
   * Kuzu keeps a transaction's COPY data in the pool until it commits; measured with Kuzu 0.11.2 as
   * the most rows that fit a 64 and a 128 MiB pool: a relationship (with a 36-character job id)
   * takes about 335 bytes, a new Variant node 110-150. Every row is counted at the larger figure.
   */
  static final long POOL_BYTES_PER_ROW = 350;

  /**
   * Share of the buffer pool, in percent, that one transaction's rows are sized to: the rest is for
   * what does not scale with the transaction (the key index's pages, the new-key probe's hash
   * table, the commit's checkpoint, which rewrites the relationships of the job's samples already in
   * the shard), and for rows larger than measured.
   */
  static final int TRANSACTION_POOL_PERCENT = 50;

  /**
   * Rows (variant nodes + relationships) per transaction for a buffer pool: {@value
   * #TRANSACTION_POOL_PERCENT}% of the pool at {@value #POOL_BYTES_PER_ROW} bytes a row, e.g.
   * 383,479 rows for 256 MiB and 1,533,916 for 1 GiB.
   */
  public static long rowsPerTransaction(long bufferPoolBytes) {
    if (bufferPoolBytes <= 0) {
      throw new IllegalArgumentException("bufferPoolBytes must be > 0: " + bufferPoolBytes);
    }
    return Math.max(1, bufferPoolBytes / 100 * TRANSACTION_POOL_PERCENT / POOL_BYTES_PER_ROW);
  }

  static final String CSV_OPTIONS =
      "(HEADER=false, DELIM=',', QUOTE='\"', ESCAPE='\"', AUTO_DETECT=false)";

  /** Kuzu's message when a statement needs more buffer pool than it can free (Kuzu 0.11.2). */
  static final String BUFFER_POOL_FULL = "The buffer pool is full";

  /** Files open read-write in this JVM (POSIX locks: docs/design-notes.md, "Why one file per partition"). */
  private static final Set<Path> OPEN_FILES = ConcurrentHashMap.newKeySet();

  /** Counts of what one job contributes to the graph. */
  public record WriteCounts(long sampleNodes, long variantNodes, long relationships) {}

  private final Path file;
  /** Phase -> milliseconds of the last {@link #replaceJob}; for the benchmark and diagnostics. */
  private final Map<String, Long> lastPhaseMillis = new LinkedHashMap<>();
  private long phaseStart;
  private final long bufferPoolBytes;
  private final long maxDbSizeBytes;
  private final long rowsPerTransaction;
  // replaced by reopen() after a failed write transaction; null while a reopen has failed
  private Database database;
  private Connection connection;
  private boolean closed;

  private KuzuShard(
      Path file,
      Database database,
      Connection connection,
      long bufferPoolBytes,
      long maxDbSizeBytes,
      long rowsPerTransaction) {
    this.file = file;
    this.database = database;
    this.connection = connection;
    this.bufferPoolBytes = bufferPoolBytes;
    this.maxDbSizeBytes = maxDbSizeBytes;
    this.rowsPerTransaction = rowsPerTransaction;
  }

  /**
   * How a shard is opened. {@link #forPool(long)} gives the defaults: {@link
   * KuzuShard#DEFAULT_MAX_DB_SIZE_BYTES} and transactions of {@link KuzuShard#rowsPerTransaction(long)} rows.
   *
   * @param bufferPoolBytes Kuzu buffer pool (native memory, outside the Java heap). For good COPY
   *     speed it should hold the Variant primary-key index: measured 5M variants in 1M-row chunks
   *     took ~68 s with 1 GiB but ~6.5 min with 256 MiB (index pages thrashing)
   * @param maxDbSizeBytes virtual address space reserved for the file, a power of two
   * @param rowsPerTransaction most variant nodes + relationships per Kuzu transaction; {@link
   *     KuzuShard#rowsPerTransaction(long)} of the pool unless a test needs other sizes
   */
  public record Options(long bufferPoolBytes, long maxDbSizeBytes, long rowsPerTransaction) {
    public Options {
      if (rowsPerTransaction <= 0) {
        throw new IllegalArgumentException("rowsPerTransaction must be > 0: " + rowsPerTransaction);
      }
      if (bufferPoolBytes <= 0) {
        throw new IllegalArgumentException("bufferPoolBytes must be > 0: " + bufferPoolBytes);
      }
      if (maxDbSizeBytes <= 0 || Long.bitCount(maxDbSizeBytes) != 1) {
        throw new IllegalArgumentException("maxDbSizeBytes must be a power of two: " + maxDbSizeBytes);
      }
    }

    /** The defaults for a buffer pool of {@code bufferPoolBytes}. */
    public static Options forPool(long bufferPoolBytes) {
      return new Options(
          bufferPoolBytes, DEFAULT_MAX_DB_SIZE_BYTES, KuzuShard.rowsPerTransaction(bufferPoolBytes));
    }

    public Options withMaxDbSizeBytes(long maxDbSizeBytes) {
      return new Options(bufferPoolBytes, maxDbSizeBytes, rowsPerTransaction);
    }

    public Options withRowsPerTransaction(long rowsPerTransaction) {
      return new Options(bufferPoolBytes, maxDbSizeBytes, rowsPerTransaction);
    }
  }

  /**
   * Opens (creating if needed) the shard file read-write and creates the schema if missing.
   *
   * @param options buffer pool, reserved address space and transaction size (see {@link Options})
   * @throws IllegalStateException if the file is open in this JVM already, or locked by another
   *     process (Kuzu: "Could not set lock on file"); callers taking over a partition should retry
   */
  public static KuzuShard open(Path file, Options options) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
    long bufferPoolBytes = options.bufferPoolBytes();
    long maxDbSizeBytes = options.maxDbSizeBytes();
    long rowsPerTransaction = options.rowsPerTransaction();
    Path path = file.toAbsolutePath().normalize();
    if (!OPEN_FILES.add(path)) {
      throw new IllegalStateException(path + " is already open in this process");
    }
    Database database = null;
    Connection connection = null;
    try {
      Files.createDirectories(path.getParent());
      // a WAL or shadow file left over: the last process did not close the shard cleanly
      boolean crashed = Files.exists(walFile(path)) || Files.exists(shadowFile(path));
      database = newDatabase(path, bufferPoolBytes, maxDbSizeBytes, false);
      connection = new Connection(database);
      boolean migrated = KuzuSchema.ensure(connection);
      if (crashed || migrated) {
        List<String> unmarked = new KuzuJobs(connection).auditCompleteJobs();
        for (String problem : unmarked) {
          log.warn("{}: {}: no longer marked complete, its redelivery writes it again", path, problem);
        }
        log.info("{}: checked the complete jobs ({}), {} un-marked",
            path, migrated ? "shard migrated from the first version" : "the shard was not closed cleanly",
            unmarked.size());
      }
      return new KuzuShard(
          path, database, connection, bufferPoolBytes, maxDbSizeBytes, rowsPerTransaction);
    } catch (IOException e) {
      closeQuietly(connection, database);
      OPEN_FILES.remove(path);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      closeQuietly(connection, database);
      OPEN_FILES.remove(path);
      throw e;
    }
  }

  /**
   * Kuzu's JNI throws checked exceptions (e.g. lock failures) from a constructor that declares
   * none; normalise them.
   */
  static Database newDatabase(Path path, long bufferPoolBytes, long maxDbSizeBytes, boolean readOnly) {
    try {
      return new Database(
          path.toString(),
          bufferPoolBytes,
          true,
          readOnly,
          maxDbSizeBytes,
          !readOnly,
          DEFAULT_CHECKPOINT_THRESHOLD);
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot open Kuzu database " + path + ": " + e.getMessage(), e);
    } catch (Exception e) { // NOSONAR: native code throws undeclared checked exceptions
      throw new IllegalStateException("cannot open Kuzu database " + path + ": " + e.getMessage(), e);
    }
  }

  /** Kuzu 0.11.2's write-ahead log of {@code file} ({@code StorageUtils::getWALFilePath}). */
  static Path walFile(Path file) {
    return Path.of(file + ".wal");
  }

  /** Kuzu 0.11.2's shadow pages of {@code file}, written by a checkpoint. */
  static Path shadowFile(Path file) {
    return Path.of(file + ".shadow");
  }

  static boolean isOpenInThisProcess(Path file) {
    return OPEN_FILES.contains(file.toAbsolutePath().normalize());
  }

  public Path file() {
    return file;
  }

  /**
   * Replaces the job's relationships with those of {@code variantsTsv}, adding missing Sample and
   * Variant nodes. A job is written in one or more transactions (a reader can see a partly loaded
   * job while it is being written) and marked complete once all of it is durable; a crash before
   * leaves it incomplete, and the next call removes the partial rows and writes it again. A call
   * for a complete job with the same input returns at once if all the job's counts are found.
   *
   * @param samples sample names in genotype-column order (every line must have this many GTs)
   * @param scratchDir directory for the temporary CSV files (a private sub-directory is created
   *     and deleted)
   * @return the job's distinct samples, distinct variants (ALT not {@code .}) and relationships
   * @throws KuzuCapacityException if a transaction of the job does not fit the buffer pool; the
   *     shard stays usable and the failed transaction left nothing behind
   */
  public synchronized WriteCounts replaceJob(
      String jobId, List<String> samples, Path variantsTsv, Path scratchDir) throws IOException {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(samples, "samples");
    Objects.requireNonNull(variantsTsv, "variantsTsv");
    Objects.requireNonNull(scratchDir, "scratchDir");
    samples.forEach(s -> Objects.requireNonNull(s, "sample name"));
    checkOpen();
    if (connection == null) {
      reopen(); // an earlier reopen failed; the file is intact
    }
    Files.createDirectories(scratchDir);
    Path work = Files.createTempDirectory(scratchDir, "kuzu-job-");
    lastPhaseMillis.clear();
    phaseStart = System.nanoTime();
    try {
      KuzuJobs jobs = new KuzuJobs(connection);
      KuzuJobs.Stored stored = jobs.find(jobId);
      // the number tags the nodes the job's writes create; a job keeps it across writes
      long num = stored != null && !stored.legacy() ? stored.num() : jobs.nextNum();
      KuzuConversion conversion = KuzuConversion.convert(jobId, samples, variantsTsv, work, num, rowsPerTransaction);
      phase("convert");
      boolean sameInput = stored != null && stored.complete()
          && stored.fingerprint().equals(conversion.fingerprint());
      if (sameInput) {
        boolean allFound = allFound(jobs, jobId, stored, conversion);
        phase("counts-check");
        if (allFound) {
          return stored.counts(); // an identical replay (Kafka redelivery): nothing to do
        }
        log.warn("{}: job {} is marked complete but its counts are not all there; writing it again",
            file, jobId);
      }
      write(jobs, jobId, num, conversion, work, stored);
      return conversion.counts();
    } finally {
      deleteRecursively(work);
    }
  }

  /** The first column of a query's rows, as strings; for tests and diagnostics. */
  synchronized List<String> query(String query) {
    checkOpen();
    try (QueryResult result = checked(connection.query(query), query)) {
      return strings(result);
    }
  }

  /** Timings of the last {@link #replaceJob} call by phase, in milliseconds. */
  synchronized Map<String, Long> lastPhaseMillis() {
    return new LinkedHashMap<>(lastPhaseMillis);
  }

  private void phase(String name) {
    long now = System.nanoTime();
    lastPhaseMillis.put(name, (now - phaseStart) / 1_000_000);
    phaseStart = now;
  }

  /**
   * True if every count a complete job recorded is found in the shard (see {@link KuzuJobs}). A job
   * written by the first version has untagged nodes: its own keys, from the input, are looked up.
   */
  private boolean allFound(KuzuJobs jobs, String jobId, KuzuJobs.Stored stored, KuzuConversion c) {
    if (!stored.legacy()) {
      return KuzuJobs.allFound(stored, jobs.found(jobId, stored.num()));
    }
    if (jobs.relationshipsOf(jobId) != stored.counts().relationships()) {
      return false;
    }
    long samples = existingKeys("Sample", KuzuSchema.SAMPLE_COLUMNS, null, c.samplesCsv());
    long variants = 0;
    for (KuzuConversion.Chunk chunk : c.chunks()) {
      variants += existingKeys("Variant", KuzuSchema.VARIANT_COLUMNS, chunk.region(), chunk.variantsCsv());
    }
    return samples == stored.counts().sampleNodes() && variants == stored.counts().variantNodes();
  }

  /**
   * Loads the converted job: chunk 0 (with the removal of an earlier version, the Sample nodes and
   * the Job node, not complete) in the first transaction, one transaction per further chunk; then,
   * once all of it is durable, the completion marker in a transaction of its own.
   */
  private void write(
      KuzuJobs jobs, String jobId, long num, KuzuConversion c, Path work, KuzuJobs.Stored stored) {
    // Variant keys are unique within the job, so when the table starts empty no chunk can collide
    boolean probe = count("MATCH (x:Variant) RETURN count(*)") > 0;
    // nodes that earlier writes of this job created (a crashed or a changed write) keep its tag
    boolean tagged = stored != null && !stored.legacy();
    long ownSamples = tagged ? jobs.nodesCreatedBy("Sample", num) : 0;
    long ownVariants = tagged ? jobs.nodesCreatedBy("Variant", num) : 0;
    for (int k = 0; k < c.chunks().size(); k++) {
      long[] created = writeChunk(jobId, num, c, work, k, stored != null, probe);
      ownSamples += created[0];
      ownVariants += created[1];
    }
    try {
      checkpointIfWalLeft();
      phase("checkpoint");
      // No silent loss: the job is marked complete only if the shard holds every relationship the
      // extract gave it (a mismatch fails the attempt as a write failure, retried, never SUCCEEDED).
      long found = jobs.relationshipsOf(jobId);
      if (found != c.counts().relationships()) {
        throw new IllegalStateException("job " + jobId + ": the shard holds " + found + " of its "
            + c.counts().relationships() + " relationships after the write");
      }
      phase("verify");
      new KuzuJobs(connection).markComplete(jobId, ownSamples, ownVariants);
      phase("mark-complete");
    } catch (RuntimeException e) {
      discardFailedTransaction(e);
      throw e;
    }
  }

  /**
   * Makes sure every committed transaction is in the database file, not only in the WAL. Kuzu
   * 0.11.2 does so itself for a transaction holding a COPY: its COMMIT runs a checkpoint
   * ({@code ClientContext} sets the transaction's force-checkpoint flag for COPY FROM; {@code
   * TransactionManager::commit} checkpoints before returning), and a checkpoint deletes the WAL
   * file. So the WAL is normally gone here and this costs a file lookup; if it is not gone, the
   * data transactions may have committed without a checkpoint, and one is run now.
   */
  private void checkpointIfWalLeft() {
    long walBytes;
    try {
      walBytes = Files.exists(walFile(file)) ? Files.size(walFile(file)) : 0;
    } catch (IOException e) {
      walBytes = 1; // cannot tell: checkpoint
    }
    if (walBytes > 0) {
      run(connection, "CHECKPOINT");
    }
  }

  /**
   * Writes chunk {@code k} in one transaction.
   *
   * @return the Sample and Variant nodes the chunk created
   */
  private long[] writeChunk(
      String jobId, long num, KuzuConversion c, Path work, int k, boolean jobExisted, boolean probeVariants) {
    List<KuzuConversion.Chunk> chunks = c.chunks();
    boolean first = k == 0;
    KuzuConversion.Chunk chunk = chunks.get(k);
    long createdSamples = 0;
    run(connection, "BEGIN TRANSACTION");
    try {
      if (first) {
        if (jobExisted) {
          // content changed, or an earlier write did not finish: drop its rels
          try (PreparedStatement ps =
                  prepare("MATCH (:Sample)-[r:CARRIES]->(:Variant) WHERE r.job_id = $id DELETE r");
              Value id = new Value(jobId);
              QueryResult ignored = execute(ps, Map.of("id", id))) {
            // executed
          }
          phase("delete-old-rels");
        }
        createdSamples =
            copyNewNodes(
                "Sample",
                KuzuSchema.SAMPLE_COLUMNS,
                KuzuSchema.SAMPLE_NAMES,
                true,
                null,
                c.samplesCsv(),
                c.counts().sampleNodes(),
                work.resolve("samples.new.csv"));
        phase("copy-samples");
      }
      long createdVariants =
          copyNewNodes(
              "Variant",
              KuzuSchema.VARIANT_COLUMNS,
              KuzuSchema.VARIANT_NAMES,
              probeVariants,
              chunk.region(),
              chunk.variantsCsv(),
              chunk.variants(),
              work.resolve("variants-" + k + ".new.csv"));
      phase("copy-variants-" + k);
      run(connection, "COPY CARRIES FROM " + literal(chunk.carriesCsv()) + " " + CSV_OPTIONS);
      phase("copy-carries-" + k);
      if (first) {
        new KuzuJobs(connection).begin(jobId, num, c.fingerprint(), c.counts());
      }
      run(connection, "COMMIT");
      phase("commit-" + k);
      return new long[] {createdSamples, createdVariants};
    } catch (RuntimeException e) {
      // Kuzu has rolled the transaction back (or it is still open after a Java-side failure);
      // either way its in-memory state can be corrupt: docs/design-notes.md, "A failed transaction reopens the database"
      discardFailedTransaction(e);
      if (e.getMessage() != null && e.getMessage().contains(BUFFER_POOL_FULL)) {
        throw new KuzuCapacityException(
            bufferPoolBytes, chunk.rows(), rowsPerTransaction, c.counts(), e);
      }
      throw e;
    }
  }

  /**
   * Discards the database's in-memory state after a failed write transaction: closes it without a
   * checkpoint and opens the file again (WAL recovery restores exactly the committed state).
   * Failures are added to {@code failure}; if the file cannot be opened again, {@link #replaceJob}
   * retries on its next call.
   */
  private void discardFailedTransaction(RuntimeException failure) {
    try {
      try (QueryResult ignored = connection.query("ROLLBACK")) {
        // "No active transaction for ROLLBACK" is the usual answer: Kuzu rolled back already
      }
      // without this, close() would checkpoint the corrupt in-memory index into the file
      run(connection, "CALL force_checkpoint_on_close=false");
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
    try {
      reopen();
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /** Closes the current database (if any) and opens the file again. */
  private void reopen() {
    Connection oldConnection = connection;
    Database oldDatabase = database;
    connection = null;
    database = null;
    closeQuietly(oldConnection, oldDatabase);
    Database newDb = newDatabase(file, bufferPoolBytes, maxDbSizeBytes, false);
    try {
      connection = new Connection(newDb);
    } catch (RuntimeException e) {
      closeQuietly(null, newDb);
      throw e;
    }
    database = newDb;
  }

  /**
   * COPYs the rows of {@code csv} whose primary key is not in {@code table} yet.
   *
   * <p>Why this shape: Kuzu 0.11's {@code COPY .. (IGNORE_ERRORS=true)} skips existing keys but was
   * slow, intermittently failed with "Write-write conflict" and, on a 5M-variant shard, crashed the
   * JVM (SIGSEGV in {@code NodeGroup::findChunkedGroupIdxFromRowIdxNoLock}) in the following rel
   * COPY; {@code LOAD .. MERGE} ran out of buffer pool. So the new rows are selected with a probe
   * query and copied plainly. Kuzu plans the probe as a hash join whose build side is the table,
   * which hashed the whole Variant table and ran out of a 256 MiB pool at 5M rows; restricting the
   * build side to the chunk's region ({@code chrom}/{@code pos} are part of the id, so no match
   * can lie outside it) bounds its memory by the region instead of the shard.
   *
   * @param probe false when no row of {@code csv} can exist (plain COPY)
   * @param region contig -> [min, max] pos of the rows, or null/empty for no restriction
   * @param rows rows in {@code csv}
   * @return rows copied: the nodes created
   */
  private long copyNewNodes(
      String table,
      String columns,
      String names,
      boolean probe,
      Map<String, long[]> region,
      Path csv,
      long rows,
      Path filtered) {
    Path source = csv;
    long copied = rows;
    if (probe && count("MATCH (x:" + table + ") RETURN count(*)") > 0) {
      run(
          connection,
          "COPY (LOAD WITH HEADERS (" + columns + ") FROM " + literal(csv) + " " + CSV_OPTIONS
              + " OPTIONAL MATCH (x:" + table + ") WHERE " + keyMatch(region) + " WITH " + names
              + ", ID(x) AS xid WHERE xid IS NULL RETURN " + names + ") TO " + literal(filtered)
              + " " + CSV_OPTIONS);
      source = filtered;
      copied = lines(filtered);
      phase(table + "-probe-new-keys");
    }
    run(connection, "COPY " + table + " FROM " + literal(source) + " " + CSV_OPTIONS);
    return copied;
  }

  /** How many keys of {@code csv} (a {@link KuzuConversion#convert} output) exist in {@code table}. */
  private long existingKeys(String table, String columns, Map<String, long[]> region, Path csv) {
    return count(
        "LOAD WITH HEADERS (" + columns + ") FROM " + literal(csv) + " " + CSV_OPTIONS
            + " MATCH (x:" + table + ") WHERE " + keyMatch(region) + " RETURN count(*)");
  }

  /** {@code x.id = id}, restricted to the region (see {@link #copyNewNodes}). */
  private static String keyMatch(Map<String, long[]> region) {
    StringBuilder where = new StringBuilder("x.id = id");
    if (region != null && !region.isEmpty()) {
      where.append(" AND (");
      boolean firstContig = true;
      for (Map.Entry<String, long[]> e : region.entrySet()) {
        where.append(firstContig ? "" : " OR ")
            .append("(x.chrom = ").append(literal(e.getKey()))
            .append(" AND x.pos >= ").append(e.getValue()[0])
            .append(" AND x.pos <= ").append(e.getValue()[1]).append(')');
        firstContig = false;
      }
      where.append(')');
    }
    return where.toString();
  }

  /** Rows of a CSV file Kuzu wrote (no field of ours holds a line break). */
  private static long lines(Path csv) {
    long n = 0;
    byte[] buf = new byte[1 << 16];
    try (var in = Files.newInputStream(csv)) {
      for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
        for (int i = 0; i < r; i++) {
          if (buf[i] == '\n') {
            n++;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }

  private long count(String query) {
    try (QueryResult result = checked(connection.query(query), query);
        FlatTuple row = result.getNext()) {
      return int64(row, 0);
    }
  }

  private PreparedStatement prepare(String query) {
    return prepare(connection, query);
  }

  static PreparedStatement prepare(Connection connection, String query) {
    PreparedStatement ps = connection.prepare(query);
    if (!ps.isSuccess()) {
      String message = ps.getErrorMessage();
      ps.close();
      throw new IllegalStateException("Kuzu prepare failed: " + message + " [" + query + "]");
    }
    return ps;
  }

  private QueryResult execute(PreparedStatement ps, Map<String, Value> params) {
    return checked(connection.execute(ps, params), "prepared statement");
  }

  static void run(Connection connection, String statement) {
    try (QueryResult ignored = checked(connection.query(statement), statement)) {
      // success checked
    }
  }

  static QueryResult checked(QueryResult result, String statement) {
    if (!result.isSuccess()) {
      String message = result.getErrorMessage();
      result.close();
      throw new IllegalStateException("Kuzu query failed: " + message + " [" + statement + "]");
    }
    return result;
  }

  static String string(FlatTuple row, int column) {
    try (Value v = row.getValue(column)) {
      return v.isNull() ? null : v.getValue();
    }
  }

  static long int64(FlatTuple row, int column) {
    try (Value v = row.getValue(column)) {
      Object o = v.isNull() ? null : v.getValue();
      return o == null ? 0 : ((Number) o).longValue();
    }
  }

  /** A Cypher single-quoted string literal. */
  static String literal(Path path) {
    return literal(path.toAbsolutePath().toString());
  }

  static String literal(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(file + " is closed");
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (connection != null) {
        connection.close();
      }
    } finally {
      try {
        if (database != null) {
          database.close();
        }
      } finally {
        OPEN_FILES.remove(file);
      }
    }
  }

  /** Best effort, for a failed open or a database being discarded by {@link #reopen()}. */
  private static void closeQuietly(Connection connection, Database database) {
    try {
      if (connection != null) {
        connection.close();
      }
    } catch (RuntimeException ignored) {
      // the database is closed next either way
    }
    try {
      if (database != null) {
        database.close();
      }
    } catch (RuntimeException ignored) {
      // nothing of it is kept
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Package-private access for {@link KuzuGraphReader} helpers. */
  static List<String> strings(QueryResult result) {
    List<String> out = new ArrayList<>();
    while (result.hasNext()) {
      try (FlatTuple row = result.getNext()) {
        out.add(string(row, 0));
      }
    }
    return out;
  }
}
