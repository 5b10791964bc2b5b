package vcftrace.worker.store;

import com.kuzudb.Connection;
import com.kuzudb.Database;
import com.kuzudb.FlatTuple;
import com.kuzudb.PreparedStatement;
import com.kuzudb.QueryResult;
import com.kuzudb.Value;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * One Kuzu database file holding the sample/variant graph of the jobs of one Kafka partition.
 *
 * <p><b>Why one file per partition.</b> A Kuzu database is a single file guarded by an exclusive
 * POSIX lock while open read-write, so two worker processes can never share one. Sharding by
 * partition gives every file exactly one owner. POSIX locks are per process: a second
 * {@link Database} on the same file inside this JVM would <em>succeed</em> and, when closed,
 * silently drop the lock of the first. {@link #open} therefore refuses a file that is already open
 * in this JVM.
 *
 * <p><b>Memory.</b> Kuzu's default buffer pool is ~80% of physical RAM <em>per database</em> and
 * its default virtual reservation (max DB size) is 8 TiB, both wrong when a process holds several
 * shards, so both are always set explicitly.
 *
 * <p><b>Bulk path.</b> The TSV is converted (streaming, deduplicated) into three CSV files in a
 * private scratch directory and loaded with {@code COPY}. Nodes are shared between jobs; Kuzu
 * 0.11's {@code IGNORE_ERRORS=true} does skip duplicate primary keys, but measured on 1M rows it
 * was slow and intermittently failed with "Write-write conflict", and {@code LOAD FROM .. MERGE}
 * exhausted the buffer pool. So new keys are first selected with
 * {@code COPY (LOAD FROM f OPTIONAL MATCH (x {id}) WHERE x IS NULL ..) TO f2} (a vectorised
 * primary-key probe) and only those are {@code COPY}ed. Duplicates inside one job are removed
 * while converting (a 64-bit hash set of ids, confirmed exactly against the current position for
 * sorted input), so no COPY ever sees a duplicate key.
 *
 * <p><b>Idempotency and atomicity.</b> All statements of {@link #replaceJob} run in one explicit
 * Kuzu transaction ({@code COPY} is allowed inside one in 0.11, and a failing statement rolls the
 * whole transaction back), so a job is either completely present or absent, also after a crash. A
 * {@code Job} node records a SHA-256 fingerprint of (job id, samples, TSV bytes) plus the counts,
 * in the same transaction. A replay with the same fingerprint (Kafka redelivery) is a no-op
 * returning the stored counts. When the content changed, the job's previous {@code CARRIES} are
 * deleted in the transaction before the copy. Kuzu 0.11 deletes a relationship in O(degree of its
 * endpoints) (measured: 50k rels of one sample 4 s, 100k 22 s), so re-writing a <em>changed</em>
 * large single-sample job is slow; identical replays are not affected.
 *
 * <p>Instances are thread-safe (calls are serialised; Kuzu allows one write transaction anyway).
 */
public final class KuzuShard implements AutoCloseable {

  /** A sensible buffer pool for one shard when the caller has no better figure. */
  public static final long DEFAULT_BUFFER_POOL_BYTES = 256L << 20;

  /**
   * Virtual address space Kuzu reserves for the file (must be a power of two). 256 GiB keeps
   * hundreds of shards inside the 128 TiB user address space; Kuzu's 8 TiB default allows ~16.
   */
  public static final long DEFAULT_MAX_DB_SIZE_BYTES = 1L << 38;

  /** WAL size that triggers an automatic checkpoint; -1 lets Kuzu use its default (16 MiB). */
  public static final long DEFAULT_CHECKPOINT_THRESHOLD = -1;

  /** Bumped when the conversion changes, so old fingerprints no longer short-circuit a replay. */
  static final String FORMAT_VERSION = "vcftrace-kuzu-v1";

  static final String SCHEMA_SAMPLE = "CREATE NODE TABLE IF NOT EXISTS Sample(id STRING PRIMARY KEY)";
  static final String SCHEMA_VARIANT =
      "CREATE NODE TABLE IF NOT EXISTS Variant("
          + "id STRING PRIMARY KEY, chrom STRING, pos INT64, ref STRING, alt STRING)";
  static final String SCHEMA_CARRIES =
      "CREATE REL TABLE IF NOT EXISTS CARRIES("
          + "FROM Sample TO Variant, job_id STRING, genotype STRING, zygosity STRING)";
  static final String SCHEMA_JOB =
      "CREATE NODE TABLE IF NOT EXISTS Job(id STRING PRIMARY KEY, fingerprint STRING, "
          + "sample_nodes INT64, variant_nodes INT64, relationships INT64)";

  static final String CSV_OPTIONS =
      "(HEADER=false, DELIM=',', QUOTE='\"', ESCAPE='\"', AUTO_DETECT=false)";

  private static final Map<String, byte[]> ZYGOSITY_CSV =
      Map.of(
          Genotypes.HET, CsvWriter.field(Genotypes.HET),
          Genotypes.HOM_ALT, CsvWriter.field(Genotypes.HOM_ALT),
          Genotypes.HEMI, CsvWriter.field(Genotypes.HEMI));

  /** Files open read-write in this JVM (see class comment on POSIX locks). */
  private static final Set<Path> OPEN_FILES = ConcurrentHashMap.newKeySet();

  /** Counts of what one job contributes to the graph. */
  public record WriteCounts(long sampleNodes, long variantNodes, long relationships) {}

  private final Path file;
  /** Phase -> milliseconds of the last {@link #replaceJob}; for the benchmark and diagnostics. */
  private final Map<String, Long> lastPhaseMillis = new LinkedHashMap<>();
  private long phaseStart;
  private final Database database;
  private final Connection connection;
  private boolean closed;

  private KuzuShard(Path file, Database database, Connection connection) {
    this.file = file;
    this.database = database;
    this.connection = connection;
  }

  /** Opens (creating if needed) a shard with {@link #DEFAULT_MAX_DB_SIZE_BYTES}. */
  public static KuzuShard open(Path file, long bufferPoolBytes) {
    return open(file, bufferPoolBytes, DEFAULT_MAX_DB_SIZE_BYTES);
  }

  /**
   * Opens (creating if needed) the shard file read-write and creates the schema if missing.
   *
   * @throws IllegalStateException if the file is open in this JVM already, or locked by another
   *     process (Kuzu: "Could not set lock on file"); callers taking over a partition should retry
   */
  public static KuzuShard open(Path file, long bufferPoolBytes, long maxDbSizeBytes) {
    Objects.requireNonNull(file, "file");
    if (bufferPoolBytes <= 0) {
      throw new IllegalArgumentException("bufferPoolBytes must be > 0: " + bufferPoolBytes);
    }
    if (maxDbSizeBytes <= 0 || Long.bitCount(maxDbSizeBytes) != 1) {
      throw new IllegalArgumentException("maxDbSizeBytes must be a power of two: " + maxDbSizeBytes);
    }
    Path path = file.toAbsolutePath().normalize();
    if (!OPEN_FILES.add(path)) {
      throw new IllegalStateException(path + " is already open in this process");
    }
    Database database = null;
    Connection connection = null;
    try {
      Files.createDirectories(path.getParent());
      database = newDatabase(path, bufferPoolBytes, maxDbSizeBytes, false);
      connection = new Connection(database);
      for (String ddl : List.of(SCHEMA_SAMPLE, SCHEMA_VARIANT, SCHEMA_CARRIES, SCHEMA_JOB)) {
        run(connection, ddl);
      }
      return new KuzuShard(path, database, connection);
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

  static boolean isOpenInThisProcess(Path file) {
    return OPEN_FILES.contains(file.toAbsolutePath().normalize());
  }

  public Path file() {
    return file;
  }

  /**
   * Replaces the job's relationships with those of {@code variantsTsv}, adding missing Sample and
   * Variant nodes, atomically.
   *
   * @param samples sample names in genotype-column order (every line must have this many GTs)
   * @param scratchDir directory for the temporary CSV files (a private sub-directory is created
   *     and deleted)
   * @return the job's distinct samples, distinct variants (ALT not {@code .}) and relationships
   */
  public synchronized WriteCounts replaceJob(
      String jobId, List<String> samples, Path variantsTsv, Path scratchDir) throws IOException {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(samples, "samples");
    Objects.requireNonNull(variantsTsv, "variantsTsv");
    Objects.requireNonNull(scratchDir, "scratchDir");
    samples.forEach(s -> Objects.requireNonNull(s, "sample name"));
    checkOpen();
    Files.createDirectories(scratchDir);
    Path work = Files.createTempDirectory(scratchDir, "kuzu-job-");
    lastPhaseMillis.clear();
    phaseStart = System.nanoTime();
    try {
      Conversion conversion = convert(jobId, samples, variantsTsv, work);
      phase("convert");
      WriteCounts previous = storedCounts(jobId, conversion.fingerprint());
      phase("fingerprint-check");
      if (previous != null) {
        return previous; // identical replay: already fully committed
      }
      write(jobId, conversion, work);
      return conversion.counts();
    } finally {
      deleteRecursively(work);
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

  private record Conversion(
      WriteCounts counts, String fingerprint, Path samplesCsv, Path variantsCsv, Path carriesCsv) {}

  /** Streams the TSV once into deduplicated CSVs and fingerprints the input. */
  private static Conversion convert(String jobId, List<String> samples, Path tsv, Path work)
      throws IOException {
    MessageDigest digest = sha256();
    digest.update((FORMAT_VERSION + '\0' + jobId + '\0').getBytes(StandardCharsets.UTF_8));
    for (String s : samples) {
      digest.update((s + '\0').getBytes(StandardCharsets.UTF_8));
    }
    // unique sample names; a repeated column name (invalid VCF) is written once
    Map<String, Integer> unique = new LinkedHashMap<>();
    byte[][] sampleCsv = new byte[samples.size()][];
    boolean[] skipColumn = new boolean[samples.size()];
    for (int i = 0; i < samples.size(); i++) {
      skipColumn[i] = unique.putIfAbsent(samples.get(i), i) != null;
      sampleCsv[i] = CsvWriter.field(samples.get(i));
    }
    Path samplesCsv = work.resolve("samples.csv");
    Path variantsCsv = work.resolve("variants.csv");
    Path carriesCsv = work.resolve("carries.csv");
    try (CsvWriter out = new CsvWriter(samplesCsv)) {
      for (String s : unique.keySet()) {
        out.field(CsvWriter.field(s)).endRow();
      }
    }
    byte[] jobCsv = CsvWriter.field(jobId);
    long variants = 0;
    long relationships = 0;
    try (VariantTsvReader in = new VariantTsvReader(tsv, samples.size(), digest);
        CsvWriter variantOut = new CsvWriter(variantsCsv);
        CsvWriter carriesOut = new CsvWriter(carriesCsv)) {
      Deduplicator dedup = new Deduplicator();
      byte[] id = new byte[256];
      while (in.next()) {
        if (in.isDot(VariantTsvReader.ALT)) {
          continue; // no-variant record: stored in Lance only
        }
        id = in.variantIdInto(id);
        int idLength = in.variantIdLength();
        if (!dedup.firstOccurrence(in, id, idLength)) {
          continue; // same normalised variant twice in one job: first record wins
        }
        variants++;
        byte[] buf = in.buffer();
        variantOut
            .field(id, 0, idLength)
            .field(buf, in.start(VariantTsvReader.CHROM), in.length(VariantTsvReader.CHROM))
            .field(buf, in.start(VariantTsvReader.POS), in.length(VariantTsvReader.POS))
            .field(buf, in.start(VariantTsvReader.REF), in.length(VariantTsvReader.REF))
            .field(buf, in.start(VariantTsvReader.ALT), in.length(VariantTsvReader.ALT))
            .endRow();
        for (int s = 0; s < skipColumn.length; s++) {
          if (skipColumn[s]) {
            continue;
          }
          int field = VariantTsvReader.FIXED_COLUMNS + s;
          String zygosity = Genotypes.zygosity(buf, in.start(field), in.end(field));
          if (zygosity == null) {
            continue;
          }
          carriesOut
              .field(sampleCsv[s])
              .field(id, 0, idLength)
              .field(jobCsv)
              .field(buf, in.start(field), in.length(field))
              .field(ZYGOSITY_CSV.get(zygosity))
              .endRow();
          relationships++;
        }
      }
    }
    String fingerprint = HexFormat.of().formatHex(digest.digest());
    return new Conversion(
        new WriteCounts(unique.size(), variants, relationships),
        fingerprint,
        samplesCsv,
        variantsCsv,
        carriesCsv);
  }

  /** Counts stored for the job if it was committed with exactly this fingerprint, else null. */
  private WriteCounts storedCounts(String jobId, String fingerprint) {
    try (PreparedStatement ps =
            prepare(
                "MATCH (j:Job) WHERE j.id = $id "
                    + "RETURN j.fingerprint, j.sample_nodes, j.variant_nodes, j.relationships");
        Value id = new Value(jobId);
        QueryResult result = execute(ps, Map.of("id", id))) {
      if (!result.hasNext()) {
        return null;
      }
      try (FlatTuple row = result.getNext()) {
        String stored = string(row, 0);
        if (!fingerprint.equals(stored)) {
          return null;
        }
        return new WriteCounts(int64(row, 1), int64(row, 2), int64(row, 3));
      }
    }
  }

  private boolean jobExists(String jobId) {
    try (PreparedStatement ps = prepare("MATCH (j:Job) WHERE j.id = $id RETURN count(*)");
        Value id = new Value(jobId);
        QueryResult result = execute(ps, Map.of("id", id))) {
      try (FlatTuple row = result.getNext()) {
        return int64(row, 0) > 0;
      }
    }
  }

  private void write(String jobId, Conversion c, Path work) {
    run(connection, "BEGIN TRANSACTION");
    boolean committed = false;
    try {
      if (jobExists(jobId)) {
        phase("job-lookup");
        // content changed since the last write: drop the old relationships first
        try (PreparedStatement ps =
                prepare(
                    "MATCH (:Sample)-[r:CARRIES]->(:Variant) WHERE r.job_id = $id DELETE r");
            Value id = new Value(jobId);
            QueryResult ignored = execute(ps, Map.of("id", id))) {
          // executed
        }
        phase("delete-old-rels");
      }
      copyNewNodes("Sample", "id STRING", "id", c.samplesCsv(), work.resolve("samples.new.csv"));
      phase("copy-samples");
      copyNewNodes(
          "Variant",
          "id STRING, chrom STRING, pos INT64, ref STRING, alt STRING",
          "id, chrom, pos, ref, alt",
          c.variantsCsv(),
          work.resolve("variants.new.csv"));
      phase("copy-variants");
      run(connection, "COPY CARRIES FROM " + literal(c.carriesCsv()) + " " + CSV_OPTIONS);
      phase("copy-carries");
      WriteCounts n = c.counts();
      try (PreparedStatement ps =
              prepare(
                  "MERGE (j:Job {id: $id}) SET j.fingerprint = $fp, j.sample_nodes = $s, "
                      + "j.variant_nodes = $v, j.relationships = $r");
          Value id = new Value(jobId);
          Value fp = new Value(c.fingerprint());
          Value s = new Value(n.sampleNodes());
          Value v = new Value(n.variantNodes());
          Value r = new Value(n.relationships());
          QueryResult ignored =
              execute(ps, Map.of("id", id, "fp", fp, "s", s, "v", v, "r", r))) {
        // executed
      }
      phase("job-node");
      run(connection, "COMMIT");
      committed = true;
      phase("commit");
    } finally {
      if (!committed) {
        // Kuzu already rolls back on a failed statement; this covers Java-side failures
        try (QueryResult ignored = connection.query("ROLLBACK")) {
          // "No active transaction" is fine
        }
      }
    }
  }

  /**
   * COPYs the rows of {@code csv} whose primary key is not in {@code table} yet. When the table is
   * empty the probe is skipped.
   */
  private void copyNewNodes(String table, String columns, String names, Path csv, Path filtered) {
    Path source = csv;
    if (count("MATCH (x:" + table + ") RETURN count(*)") > 0) {
      phase(table + "-count");
      run(
          connection,
          "COPY (LOAD WITH HEADERS (" + columns + ") FROM " + literal(csv) + " " + CSV_OPTIONS
              + " OPTIONAL MATCH (x:" + table + " {id: id}) WITH " + names + ", x"
              + " WHERE x IS NULL RETURN " + names + ") TO " + literal(filtered) + " "
              + CSV_OPTIONS);
      source = filtered;
      phase(table + "-probe-new-keys");
    }
    run(connection, "COPY " + table + " FROM " + literal(source) + " " + CSV_OPTIONS);
  }

  private long count(String query) {
    try (QueryResult result = checked(connection.query(query), query);
        FlatTuple row = result.getNext()) {
      return int64(row, 0);
    }
  }

  private PreparedStatement prepare(String query) {
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
      connection.close();
    } finally {
      try {
        database.close();
      } finally {
        OPEN_FILES.remove(file);
      }
    }
  }

  private static void closeQuietly(Connection connection, Database database) {
    try {
      if (connection != null) {
        connection.close();
      }
    } catch (RuntimeException ignored) {
      // best effort during a failed open
    }
    try {
      if (database != null) {
        database.close();
      }
    } catch (RuntimeException ignored) {
      // best effort during a failed open
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JRE", e);
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

  /**
   * Decides whether a record's variant id is new within the job, in O(distinct ids) longs of
   * memory rather than strings: a 64-bit hash set answers "new" exactly; a "seen" answer is
   * confirmed against the ids at the current CHROM/POS while the input is sorted (duplicates of a
   * normalised record share CHROM and POS), which makes it exact for sorted input. For unsorted
   * input a hash hit is trusted (false-duplicate probability about n^2/2^65).
   */
  private static final class Deduplicator {
    private final LongHashSet seen = new LongHashSet();
    private final Set<String> finishedChroms = new HashSet<>();
    private byte[] chrom = new byte[0];
    private long pos = -1;
    private boolean sorted = true;
    // ids seen at the current CHROM/POS, packed into one growable byte array
    private byte[] atPosition = new byte[1024];
    private int[] idEnds = new int[16];
    private int idsAtPosition;

    boolean firstOccurrence(VariantTsvReader in, byte[] id, int idLength) {
      trackPosition(in);
      boolean seenHere = seenAtPosition(id, idLength);
      rememberAtPosition(id, idLength);
      if (seen.add(in.variantIdHash())) {
        return true;
      }
      // hash hit: a real duplicate, or a 64-bit collision
      return sorted && !seenHere;
    }

    private boolean seenAtPosition(byte[] id, int idLength) {
      int start = 0;
      for (int i = 0; i < idsAtPosition; i++) {
        int end = idEnds[i];
        if (Arrays.equals(atPosition, start, end, id, 0, idLength)) {
          return true;
        }
        start = end;
      }
      return false;
    }

    private void rememberAtPosition(byte[] id, int idLength) {
      int start = idsAtPosition == 0 ? 0 : idEnds[idsAtPosition - 1];
      if (start + idLength > atPosition.length) {
        atPosition = Arrays.copyOf(atPosition, Math.max(atPosition.length * 2, start + idLength));
      }
      if (idsAtPosition == idEnds.length) {
        idEnds = Arrays.copyOf(idEnds, idEnds.length * 2);
      }
      System.arraycopy(id, 0, atPosition, start, idLength);
      idEnds[idsAtPosition++] = start + idLength;
    }

    private void trackPosition(VariantTsvReader in) {
      byte[] buf = in.buffer();
      int start = in.start(VariantTsvReader.CHROM);
      int end = in.end(VariantTsvReader.CHROM);
      long p = in.pos();
      if (!Arrays.equals(chrom, 0, chrom.length, buf, start, end)) {
        if (chrom.length > 0) {
          finishedChroms.add(new String(chrom, StandardCharsets.UTF_8));
        }
        chrom = Arrays.copyOfRange(buf, start, end);
        if (finishedChroms.contains(new String(chrom, StandardCharsets.UTF_8))) {
          sorted = false; // contig block not contiguous
        }
        pos = p;
        idsAtPosition = 0;
      } else if (p != pos) {
        if (p < pos) {
          sorted = false;
        }
        pos = p;
        idsAtPosition = 0;
      }
    }
  }

  /** Open-addressing set of non-zero-remapped longs; 8 bytes per entry at load factor <= 0.5. */
  static final class LongHashSet {
    private long[] table = new long[1 << 16];
    private int size;
    private boolean containsZero;

    /** Returns true if the value was not present. */
    boolean add(long value) {
      if (value == 0) {
        boolean added = !containsZero;
        containsZero = true;
        return added;
      }
      if ((size + 1) * 2 > table.length) {
        grow();
      }
      int mask = table.length - 1;
      int i = (int) VariantTsvReader.mix64(value) & mask;
      while (table[i] != 0) {
        if (table[i] == value) {
          return false;
        }
        i = (i + 1) & mask;
      }
      table[i] = value;
      size++;
      return true;
    }

    private void grow() {
      long[] old = table;
      table = new long[old.length * 2];
      int mask = table.length - 1;
      for (long v : old) {
        if (v != 0) {
          int i = (int) VariantTsvReader.mix64(v) & mask;
          while (table[i] != 0) {
            i = (i + 1) & mask;
          }
          table[i] = v;
        }
      }
    }
  }

  /**
   * Minimal RFC-4180 CSV writer on bytes (quote doubled, quoted only when needed) with its own
   * buffer: {@code BufferedOutputStream}'s synchronized single-byte writes were a measurable part
   * of the conversion.
   */
  static final class CsvWriter implements AutoCloseable {
    private final OutputStream out;
    private final byte[] buf = new byte[1 << 16];
    private int n;
    private boolean rowStarted;

    CsvWriter(Path path) throws IOException {
      this.out = Files.newOutputStream(path);
    }

    /** Pre-encodes a constant field. */
    static byte[] field(String value) {
      byte[] raw = value.getBytes(StandardCharsets.UTF_8);
      return needsQuoting(raw, 0, raw.length) ? quote(raw, 0, raw.length) : raw;
    }

    /** Writes a pre-encoded field (see {@link #field(String)}). */
    CsvWriter field(byte[] encoded) throws IOException {
      separator();
      put(encoded, 0, encoded.length);
      return this;
    }

    CsvWriter field(byte[] b, int start, int length) throws IOException {
      separator();
      if (needsQuoting(b, start, length)) {
        byte[] quoted = quote(b, start, length);
        put(quoted, 0, quoted.length);
      } else {
        put(b, start, length);
      }
      return this;
    }

    CsvWriter endRow() throws IOException {
      if (n == buf.length) {
        flushBuffer();
      }
      buf[n++] = '\n';
      rowStarted = false;
      return this;
    }

    private void separator() throws IOException {
      if (rowStarted) {
        if (n == buf.length) {
          flushBuffer();
        }
        buf[n++] = ',';
      }
      rowStarted = true;
    }

    private void put(byte[] b, int start, int length) throws IOException {
      if (length > buf.length - n) {
        flushBuffer();
        if (length > buf.length) {
          out.write(b, start, length);
          return;
        }
      }
      System.arraycopy(b, start, buf, n, length);
      n += length;
    }

    private void flushBuffer() throws IOException {
      out.write(buf, 0, n);
      n = 0;
    }

    private static boolean needsQuoting(byte[] b, int start, int length) {
      if (length == 0) {
        return true; // "" keeps an empty string from being read as NULL
      }
      if (b[start] == ' ' || b[start + length - 1] == ' ') {
        return true;
      }
      for (int i = start; i < start + length; i++) {
        byte c = b[i];
        if (c == ',' || c == '"' || c == '\n' || c == '\r') {
          return true;
        }
      }
      return false;
    }

    private static byte[] quote(byte[] b, int start, int length) {
      byte[] out = new byte[length * 2 + 2];
      int p = 0;
      out[p++] = '"';
      for (int i = start; i < start + length; i++) {
        if (b[i] == '"') {
          out[p++] = '"';
        }
        out[p++] = b[i];
      }
      out[p++] = '"';
      return Arrays.copyOf(out, p);
    }

    @Override
    public void close() throws IOException {
      try {
        flushBuffer();
      } finally {
        out.close();
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
