package vcftrace.worker.store;

import com.kuzudb.Connection;
import com.kuzudb.FlatTuple;
import com.kuzudb.PreparedStatement;
import com.kuzudb.QueryResult;
import com.kuzudb.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import vcftrace.worker.store.KuzuShard.WriteCounts;

/**
 * The {@code Job} nodes of a shard: what each job wrote, whether all of it is there, and the
 * completion marker.
 *
 * <p><b>A job is complete only when all of it is durable.</b> In Kuzu 0.11.2 a COPY's rows are not
 * in the WAL: a transaction holding a COPY is made durable by the checkpoint its COMMIT runs (the
 * statement sets the transaction's force-checkpoint flag), after the commit record is already in
 * the WAL. A process killed in between recovers the transaction's other statements from the WAL
 * but not its COPYed rows. So the marker ({@code complete = true}) is set by its own transaction,
 * after every data transaction of the job has returned from its COMMIT, and with the WAL empty (see
 * {@link KuzuShard}). A crash before the marker leaves the job incomplete: written again when it is
 * redelivered.
 *
 * <p><b>Counting a job's nodes.</b> Nodes are keyed and shared between jobs, and never deleted. A
 * job's write creates the nodes that do not exist yet, and tags them with the job's {@code num}
 * ({@code created_by}); the marker records how many nodes carry the tag ({@code own_*_nodes}). The
 * job's other nodes existed before its write began, so they were durable then (every committed
 * write is, once its COMMIT has returned) and are durable now. A job's counts are all found when
 * its relationships ({@code CARRIES.job_id}) and its tagged nodes are there in the numbers
 * recorded. Jobs written by the first version ({@code num} null) have untagged nodes; their
 * relationships are counted exactly, their nodes only against the size of the tables.
 */
final class KuzuJobs {

  /** What a shard records of a job. {@code num} is null for a job written by the first version. */
  record Stored(
      String fingerprint,
      boolean complete,
      WriteCounts counts,
      Long num,
      long ownSampleNodes,
      long ownVariantNodes) {
    boolean legacy() {
      return num == null;
    }
  }

  /** What was found of a job's write. */
  record Found(long relationships, long ownSampleNodes, long ownVariantNodes) {}

  private final Connection connection;

  KuzuJobs(Connection connection) {
    this.connection = connection;
  }

  /** The job's node, or null if the job was never (started to be) written. */
  Stored find(String jobId) {
    try (PreparedStatement ps =
            prepare(
                "MATCH (j:Job) WHERE j.id = $id RETURN j.fingerprint, j.complete, j.sample_nodes,"
                    + " j.variant_nodes, j.relationships, j.num, j.own_sample_nodes,"
                    + " j.own_variant_nodes");
        Value id = new Value(jobId);
        QueryResult result = execute(ps, Map.of("id", id))) {
      if (!result.hasNext()) {
        return null;
      }
      try (FlatTuple row = result.getNext()) {
        String fingerprint = KuzuShard.string(row, 0);
        return new Stored(
            fingerprint == null ? "" : fingerprint,
            bool(row, 1),
            new WriteCounts(KuzuShard.int64(row, 2), KuzuShard.int64(row, 3), KuzuShard.int64(row, 4)),
            nullableInt64(row, 5),
            KuzuShard.int64(row, 6),
            KuzuShard.int64(row, 7));
      }
    }
  }

  /** A number no job of the shard has. */
  long nextNum() {
    String q = "MATCH (j:Job) RETURN max(j.num)";
    try (QueryResult r = KuzuShard.checked(connection.query(q), q);
        FlatTuple row = r.getNext()) {
      Long max = nullableInt64(row, 0);
      return max == null ? 1 : max + 1;
    }
  }

  /**
   * Writes the job's node at the start of a write, inside its first data transaction: the counts
   * the write will have, and not complete.
   */
  void begin(String jobId, long num, String fingerprint, WriteCounts counts) {
    try (PreparedStatement ps =
            prepare(
                "MERGE (j:Job {id: $id}) SET j.fingerprint = $fp, j.complete = false, j.num = $num,"
                    + " j.sample_nodes = $s, j.variant_nodes = $v, j.relationships = $r,"
                    + " j.own_sample_nodes = NULL, j.own_variant_nodes = NULL");
        Value id = new Value(jobId);
        Value fp = new Value(fingerprint);
        Value n = new Value(num);
        Value s = new Value(counts.sampleNodes());
        Value v = new Value(counts.variantNodes());
        Value r = new Value(counts.relationships());
        QueryResult ignored =
            execute(ps, Map.of("id", id, "fp", fp, "num", n, "s", s, "v", v, "r", r))) {
      // executed
    }
  }

  /** The completion marker: run once the job's data is durable, as a transaction of its own. */
  void markComplete(String jobId, long ownSampleNodes, long ownVariantNodes) {
    try (PreparedStatement ps =
            prepare(
                "MATCH (j:Job) WHERE j.id = $id SET j.complete = true,"
                    + " j.own_sample_nodes = $s, j.own_variant_nodes = $v");
        Value id = new Value(jobId);
        Value s = new Value(ownSampleNodes);
        Value v = new Value(ownVariantNodes);
        QueryResult ignored = execute(ps, Map.of("id", id, "s", s, "v", v))) {
      // executed
    }
  }

  long relationshipsOf(String jobId) {
    try (PreparedStatement ps =
            prepare("MATCH ()-[r:CARRIES]->() WHERE r.job_id = $id RETURN count(*)");
        Value id = new Value(jobId);
        QueryResult result = execute(ps, Map.of("id", id));
        FlatTuple row = result.getNext()) {
      return KuzuShard.int64(row, 0);
    }
  }

  /** Nodes of {@code table} ({@code Sample} or {@code Variant}) created by writes of job {@code num}. */
  long nodesCreatedBy(String table, long num) {
    try (PreparedStatement ps =
            prepare("MATCH (x:" + table + ") WHERE x.created_by = $n RETURN count(*)");
        Value n = new Value(num);
        QueryResult result = execute(ps, Map.of("n", n));
        FlatTuple row = result.getNext()) {
      return KuzuShard.int64(row, 0);
    }
  }

  /** What is there of a (non-legacy) job's write. */
  Found found(String jobId, long num) {
    return new Found(
        relationshipsOf(jobId), nodesCreatedBy("Sample", num), nodesCreatedBy("Variant", num));
  }

  /** True if {@code found} is what the job recorded. */
  static boolean allFound(Stored job, Found found) {
    return found.relationships() == job.counts().relationships()
        && found.ownSampleNodes() == job.ownSampleNodes()
        && found.ownVariantNodes() == job.ownVariantNodes();
  }

  /**
   * Checks every job marked complete against what the shard holds, and un-marks each whose counts
   * are not all there, so that its redelivery writes it again. One scan of each table, whatever
   * the number of jobs.
   *
   * @return one line per un-marked job, saying what was missing
   */
  List<String> auditCompleteJobs() {
    Map<String, Stored> complete = new HashMap<>();
    String q =
        "MATCH (j:Job) WHERE j.complete RETURN j.id, j.fingerprint, j.sample_nodes,"
            + " j.variant_nodes, j.relationships, j.num, j.own_sample_nodes, j.own_variant_nodes";
    try (QueryResult r = KuzuShard.checked(connection.query(q), q)) {
      while (r.hasNext()) {
        try (FlatTuple row = r.getNext()) {
          complete.put(
              KuzuShard.string(row, 0),
              new Stored(
                  KuzuShard.string(row, 1),
                  true,
                  new WriteCounts(
                      KuzuShard.int64(row, 2), KuzuShard.int64(row, 3), KuzuShard.int64(row, 4)),
                  nullableInt64(row, 5),
                  KuzuShard.int64(row, 6),
                  KuzuShard.int64(row, 7)));
        }
      }
    }
    if (complete.isEmpty()) {
      return List.of();
    }
    Map<String, Long> relationships = countsBy("MATCH ()-[r:CARRIES]->() RETURN r.job_id, count(*)");
    Map<Long, Long> samples = countsByNum("Sample");
    Map<Long, Long> variants = countsByNum("Variant");
    long sampleTable = count("MATCH (x:Sample) RETURN count(*)");
    long variantTable = count("MATCH (x:Variant) RETURN count(*)");
    List<String> problems = new ArrayList<>();
    List<String> unmark = new ArrayList<>();
    for (Map.Entry<String, Stored> e : complete.entrySet()) {
      Stored job = e.getValue();
      List<String> missing = new ArrayList<>();
      long rels = relationships.getOrDefault(e.getKey(), 0L);
      if (rels != job.counts().relationships()) {
        missing.add(rels + " of " + job.counts().relationships() + " relationships");
      }
      if (job.legacy()) {
        // nodes of a first-version job are not tagged: the tables must at least hold as many
        if (sampleTable < job.counts().sampleNodes()) {
          missing.add(sampleTable + " Sample nodes in the shard for " + job.counts().sampleNodes());
        }
        if (variantTable < job.counts().variantNodes()) {
          missing.add(variantTable + " Variant nodes in the shard for " + job.counts().variantNodes());
        }
      } else {
        long s = samples.getOrDefault(job.num(), 0L);
        long v = variants.getOrDefault(job.num(), 0L);
        if (s != job.ownSampleNodes()) {
          missing.add(s + " of the " + job.ownSampleNodes() + " Sample nodes it created");
        }
        if (v != job.ownVariantNodes()) {
          missing.add(v + " of the " + job.ownVariantNodes() + " Variant nodes it created");
        }
      }
      if (!missing.isEmpty()) {
        unmark.add(e.getKey());
        problems.add("job " + e.getKey() + ": found " + String.join(", ", missing));
      }
    }
    if (!unmark.isEmpty()) {
      unmark(unmark);
    }
    problems.sort(null);
    return problems;
  }

  private void unmark(List<String> jobIds) {
    KuzuShard.run(connection, "BEGIN TRANSACTION");
    try (PreparedStatement ps = prepare("MATCH (j:Job) WHERE j.id = $id SET j.complete = false")) {
      for (String jobId : jobIds) {
        try (Value id = new Value(jobId);
            QueryResult ignored = execute(ps, Map.of("id", id))) {
          // executed
        }
      }
      KuzuShard.run(connection, "COMMIT");
    } catch (RuntimeException e) {
      try (QueryResult ignored = connection.query("ROLLBACK")) {
        // no Kuzu COPY in this transaction: a rollback leaves the database consistent
      }
      throw e;
    }
  }

  private Map<String, Long> countsBy(String query) {
    Map<String, Long> out = new HashMap<>();
    try (QueryResult r = KuzuShard.checked(connection.query(query), query)) {
      while (r.hasNext()) {
        try (FlatTuple row = r.getNext()) {
          out.put(KuzuShard.string(row, 0), KuzuShard.int64(row, 1));
        }
      }
    }
    return out;
  }

  private Map<Long, Long> countsByNum(String table) {
    String q =
        "MATCH (x:" + table + ") WHERE x.created_by IS NOT NULL RETURN x.created_by, count(*)";
    Map<Long, Long> out = new HashMap<>();
    try (QueryResult r = KuzuShard.checked(connection.query(q), q)) {
      while (r.hasNext()) {
        try (FlatTuple row = r.getNext()) {
          out.put(KuzuShard.int64(row, 0), KuzuShard.int64(row, 1));
        }
      }
    }
    return out;
  }

  private long count(String query) {
    try (QueryResult r = KuzuShard.checked(connection.query(query), query);
        FlatTuple row = r.getNext()) {
      return KuzuShard.int64(row, 0);
    }
  }

  private PreparedStatement prepare(String query) {
    return KuzuShard.prepare(connection, query);
  }

  private QueryResult execute(PreparedStatement ps, Map<String, Value> params) {
    return KuzuShard.checked(connection.execute(ps, params), "prepared statement");
  }

  private static boolean bool(FlatTuple row, int column) {
    try (Value v = row.getValue(column)) {
      return !v.isNull() && Boolean.TRUE.equals(v.getValue());
    }
  }

  private static Long nullableInt64(FlatTuple row, int column) {
    try (Value v = row.getValue(column)) {
      return v.isNull() ? null : ((Number) v.getValue()).longValue();
    }
  }
}
