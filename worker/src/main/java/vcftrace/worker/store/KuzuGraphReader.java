package vcftrace.worker.store;

import com.kuzudb.Connection;
import com.kuzudb.Database;
import com.kuzudb.FlatTuple;
import com.kuzudb.PreparedStatement;
import com.kuzudb.QueryResult;
import com.kuzudb.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Read-only view over every {@code *.kuzu} shard in a directory, answering across shards.
 *
 * <p>Shards are opened with Kuzu's read-only mode, which takes a shared lock: several readers can
 * run at once, but <b>not while a worker holds the shard read-write</b> (Kuzu fails with "Could
 * not set lock on file"; measured with 0.11.2), and a shard open read-write in this JVM is refused
 * outright because a second handle would break its lock (see {@link KuzuShard}). Run the reader
 * against shards no worker currently owns (e.g. stopped workers, or copies), or query through the
 * owning worker.
 *
 * <p>Nodes are shared between jobs but a sample or variant can appear in several shards, so
 * distinct counts are computed with a k-way merge over per-shard sorted id streams (memory
 * O(shards), not O(ids)). Instances are thread-safe.
 */
public final class KuzuGraphReader implements AutoCloseable {

  /** Buffer pool per read-only shard; reads need little. */
  public static final long DEFAULT_BUFFER_POOL_BYTES = 64L << 20;

  /** File suffix of shard files. */
  public static final String SHARD_SUFFIX = ".kuzu";

  /** Totals across shards. */
  public record Counts(long samples, long variants, long relationships) {}

  /** Orders like Kuzu's STRING comparison (unsigned bytes of UTF-8 = code point order). */
  static final Comparator<String> KUZU_ORDER =
      (a, b) ->
          Arrays.compareUnsigned(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

  private final List<Path> files;
  private final List<Database> databases;
  private final List<Connection> connections;
  private boolean closed;

  private KuzuGraphReader(List<Path> files, List<Database> databases, List<Connection> connections) {
    this.files = files;
    this.databases = databases;
    this.connections = connections;
  }

  /** Opens every shard in {@code dir} with {@link #DEFAULT_BUFFER_POOL_BYTES} each. */
  public static KuzuGraphReader open(Path dir) {
    return open(dir, DEFAULT_BUFFER_POOL_BYTES);
  }

  /**
   * Opens every {@code *.kuzu} file in {@code dir} read-only. A missing directory yields an empty
   * reader.
   *
   * @throws IllegalStateException if a shard is locked by a writer (this or another process)
   */
  public static KuzuGraphReader open(Path dir, long bufferPoolBytesPerShard) {
    Objects.requireNonNull(dir, "dir");
    if (bufferPoolBytesPerShard <= 0) {
      throw new IllegalArgumentException("bufferPoolBytesPerShard must be > 0");
    }
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> list = Files.list(dir)) {
        list.filter(p -> p.getFileName().toString().endsWith(SHARD_SUFFIX))
            .filter(Files::isRegularFile)
            .map(p -> p.toAbsolutePath().normalize())
            .sorted()
            .forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<Database> databases = new ArrayList<>();
    List<Connection> connections = new ArrayList<>();
    KuzuGraphReader reader = new KuzuGraphReader(files, databases, connections);
    try {
      for (Path file : files) {
        if (KuzuShard.isOpenInThisProcess(file)) {
          throw new IllegalStateException(
              file + " is open read-write in this process; a second handle would drop its lock");
        }
        Database db =
            KuzuShard.newDatabase(
                file, bufferPoolBytesPerShard, KuzuShard.DEFAULT_MAX_DB_SIZE_BYTES, true);
        databases.add(db);
        connections.add(new Connection(db));
      }
      return reader;
    } catch (RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  /** The shard files this reader covers. */
  public List<Path> shards() {
    return List.copyOf(files);
  }

  /** Distinct samples carrying {@code variantId} in any shard, sorted. */
  public synchronized List<String> samplesCarrying(String variantId) {
    Objects.requireNonNull(variantId, "variantId");
    checkOpen();
    TreeSet<String> out = new TreeSet<>(KUZU_ORDER);
    for (Connection c : connections) {
      out.addAll(
          queryStrings(
              c,
              "MATCH (s:Sample)-[:CARRIES]->(v:Variant) WHERE v.id = $p RETURN DISTINCT s.id",
              variantId));
    }
    return List.copyOf(out);
  }

  /** Up to {@code limit} distinct variant ids carried by {@code sample} in any shard, by id. */
  public synchronized List<String> variantsOf(String sample, int limit) {
    Objects.requireNonNull(sample, "sample");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be > 0: " + limit);
    }
    checkOpen();
    TreeSet<String> out = new TreeSet<>(KUZU_ORDER);
    for (Connection c : connections) {
      // each shard returns its first `limit` ids; the global first `limit` are among them
      out.addAll(
          queryStrings(
              c,
              "MATCH (s:Sample)-[:CARRIES]->(v:Variant) WHERE s.id = $p "
                  + "RETURN DISTINCT v.id AS id ORDER BY id LIMIT " + limit,
              sample));
    }
    return out.stream().limit(limit).toList();
  }

  /** Distinct Sample ids, distinct Variant ids and total CARRIES over all shards. */
  public synchronized Counts totals() {
    checkOpen();
    long relationships = 0;
    for (Connection c : connections) {
      relationships += count(c, "MATCH ()-[r:CARRIES]->() RETURN count(r)");
    }
    return new Counts(
        distinct("MATCH (n:Sample) RETURN count(*)", "MATCH (n:Sample) RETURN n.id AS id ORDER BY id"),
        distinct(
            "MATCH (n:Variant) RETURN count(*)", "MATCH (n:Variant) RETURN n.id AS id ORDER BY id"),
        relationships);
  }

  /** Relationships per job id, per shard file: what each job left in which shard. */
  public synchronized Map<String, Map<String, Long>> relationshipsByJob() {
    checkOpen();
    Map<String, Map<String, Long>> out = new java.util.TreeMap<>();
    String q = "MATCH ()-[r:CARRIES]->() RETURN r.job_id, count(*)";
    for (int i = 0; i < connections.size(); i++) {
      try (QueryResult r = KuzuShard.checked(connections.get(i).query(q), q)) {
        while (r.hasNext()) {
          var row = r.getNext();
          out.computeIfAbsent(KuzuShard.string(row, 0), k -> new java.util.TreeMap<>())
              .put(files.get(i).getFileName().toString(), KuzuShard.int64(row, 1));
        }
      }
    }
    return out;
  }

  private long distinct(String countQuery, String sortedIdsQuery) {
    if (connections.isEmpty()) {
      return 0;
    }
    if (connections.size() == 1) {
      return count(connections.get(0), countQuery);
    }
    List<QueryResult> streams = new ArrayList<>();
    try {
      record Head(String id, int stream) {}
      PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> KUZU_ORDER.compare(a.id(), b.id()));
      for (Connection c : connections) {
        QueryResult r = KuzuShard.checked(c.query(sortedIdsQuery), sortedIdsQuery);
        streams.add(r);
        String first = nextString(r);
        if (first != null) {
          heads.add(new Head(first, streams.size() - 1));
        }
      }
      long distinct = 0;
      String previous = null;
      while (!heads.isEmpty()) {
        Head h = heads.poll();
        if (previous == null || !previous.equals(h.id())) {
          distinct++;
          previous = h.id();
        }
        String next = nextString(streams.get(h.stream()));
        if (next != null) {
          heads.add(new Head(next, h.stream()));
        }
      }
      return distinct;
    } finally {
      streams.forEach(QueryResult::close);
    }
  }

  private static String nextString(QueryResult r) {
    if (!r.hasNext()) {
      return null;
    }
    try (FlatTuple row = r.getNext()) {
      return KuzuShard.string(row, 0);
    }
  }

  private static long count(Connection c, String query) {
    try (QueryResult r = KuzuShard.checked(c.query(query), query);
        FlatTuple row = r.getNext()) {
      return KuzuShard.int64(row, 0);
    }
  }

  private static List<String> queryStrings(Connection c, String query, String parameter) {
    PreparedStatement ps = c.prepare(query);
    try (ps) {
      if (!ps.isSuccess()) {
        throw new IllegalStateException("Kuzu prepare failed: " + ps.getErrorMessage() + " [" + query + "]");
      }
      try (Value p = new Value(parameter);
          QueryResult r = KuzuShard.checked(c.execute(ps, Map.of("p", p)), query)) {
        return KuzuShard.strings(r);
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("reader is closed");
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException first = null;
    for (Connection c : connections) {
      try {
        c.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    for (Database d : databases) {
      try {
        d.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
