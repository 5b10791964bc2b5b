package vcftrace.devkit.e2e;

import com.kuzudb.Connection;
import com.kuzudb.Database;
import com.kuzudb.FlatTuple;
import com.kuzudb.QueryResult;
import com.kuzudb.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import vcftrace.worker.store.KuzuGraphReader;
import vcftrace.worker.store.KuzuShard;
import vcftrace.worker.store.LanceVariantStore;

/**
 * What the two stores hold after a run, read row by row with Lance and Kuzu themselves rather than
 * through {@link KuzuGraphReader}, which answers across jobs: the Lance rows with their job, and every
 * Variant id and CARRIES relationship of every Kuzu shard. Kuzu lets a reader open a shard only once its
 * worker has closed it, so read the graph after the workers stop.
 */
final class StoreContents {

  private StoreContents() {}

  /** One row of the Lance variants table; {@code qual} is null when missing. */
  record LanceRow(String jobId, String variantId, Double qual, String filter) {}

  /** One CARRIES relationship: job {@code jobId} stored that {@code sample} carries {@code variantId} with {@code genotype}. */
  record Carries(String jobId, String sample, String variantId, String genotype) {}

  /** Every Variant id over all shards, and every CARRIES relationship by job id. */
  record Graph(Set<String> variants, Map<String, List<Carries>> carriesByJob) {

    /** The job's relationships, in shard order; empty when it stored none. */
    List<Carries> carriesOf(String jobId) {
      return carriesByJob.getOrDefault(jobId, List.of());
    }
  }

  /** The Lance rows that match {@code filter} (a Lance SQL predicate such as {@code job_id = 'j1'}), all of them. */
  static List<LanceRow> lanceRows(Path lance, String filter) {
    List<LanceRow> out = new ArrayList<>();
    for (Map<String, Object> row : LanceVariantStore.scan(lance, filter,
        List.of("job_id", "variant_id", "qual", "filter"), Integer.MAX_VALUE)) {
      out.add(new LanceRow((String) row.get("job_id"), (String) row.get("variant_id"), (Double) row.get("qual"),
          (String) row.get("filter")));
    }
    return out;
  }

  /** Opens every shard under {@code kuzuDir} read-only; an absent directory is an empty graph. */
  static Graph graph(Path kuzuDir) throws IOException {
    Set<String> variants = new TreeSet<>();
    Map<String, List<Carries>> carries = new HashMap<>();
    if (!Files.isDirectory(kuzuDir)) return new Graph(variants, carries);
    List<Path> shards;
    try (Stream<Path> list = Files.list(kuzuDir)) {
      shards = list.filter(f -> f.getFileName().toString().endsWith(KuzuGraphReader.SHARD_SUFFIX)
          && Files.isRegularFile(f)).sorted().toList();
    }
    for (Path shard : shards) {
      try (Database db = new Database(shard.toString(), KuzuGraphReader.DEFAULT_BUFFER_POOL_BYTES, true, true,
              KuzuShard.DEFAULT_MAX_DB_SIZE_BYTES, false, -1);
          Connection conn = new Connection(db)) {
        for (List<String> row : query(conn, "MATCH (v:Variant) RETURN v.id", 1)) variants.add(row.get(0));
        for (List<String> row : query(conn,
            "MATCH (s:Sample)-[r:CARRIES]->(v:Variant) RETURN r.job_id, s.id, v.id, r.genotype", 4)) {
          carries.computeIfAbsent(row.get(0), k -> new ArrayList<>())
              .add(new Carries(row.get(0), row.get(1), row.get(2), row.get(3)));
        }
      }
    }
    return new Graph(variants, carries);
  }

  /** Runs {@code cypher} and returns its rows, the first {@code columns} values of each as strings (null stays null). */
  static List<List<String>> query(Connection conn, String cypher, int columns) {
    List<List<String>> rows = new ArrayList<>();
    try (QueryResult r = conn.query(cypher)) {
      if (!r.isSuccess()) throw new IllegalStateException(r.getErrorMessage() + " [" + cypher + "]");
      while (r.hasNext()) {
        try (FlatTuple t = r.getNext()) {
          List<String> row = new ArrayList<>(columns);
          for (int i = 0; i < columns; i++) {
            try (Value v = t.getValue(i)) {
              row.add(v.isNull() ? null : v.getValue().toString());
            }
          }
          rows.add(row);
        }
      }
    }
    return rows;
  }
}
