package vcftrace.worker.store;

import com.kuzudb.Connection;
import com.kuzudb.QueryResult;
import java.util.List;

/**
 * The tables of a shard, and the migration of shards written before nodes recorded the job that
 * created them.
 *
 * <p>{@code created_by} on {@code Sample} and {@code Variant} is the {@code num} of the job whose
 * write created the node; {@code own_sample_nodes}/{@code own_variant_nodes} on {@code Job} say how
 * many nodes carry that number. Nodes are shared between jobs, so this is how a shard counts the
 * nodes of one job (see {@link KuzuJobs}). {@code num} is an INT64 rather than the job id because
 * it is written on every new node: a 36-character string per row is measurably slower to COPY.
 */
final class KuzuSchema {

  static final String SAMPLE =
      "CREATE NODE TABLE IF NOT EXISTS Sample(id STRING PRIMARY KEY, created_by INT64)";
  static final String VARIANT =
      "CREATE NODE TABLE IF NOT EXISTS Variant("
          + "id STRING PRIMARY KEY, chrom STRING, pos INT64, ref STRING, alt STRING, created_by INT64)";
  static final String CARRIES =
      "CREATE REL TABLE IF NOT EXISTS CARRIES("
          + "FROM Sample TO Variant, job_id STRING, genotype STRING, zygosity STRING)";
  static final String JOB =
      "CREATE NODE TABLE IF NOT EXISTS Job(id STRING PRIMARY KEY, fingerprint STRING, "
          + "complete BOOLEAN, sample_nodes INT64, variant_nodes INT64, relationships INT64, "
          + "num INT64, own_sample_nodes INT64, own_variant_nodes INT64)";

  /** What a shard written by the first version lacks; its nodes keep {@code created_by = NULL}. */
  static final List<String> ADDED_IN_V2 =
      List.of(
          "ALTER TABLE Sample ADD IF NOT EXISTS created_by INT64",
          "ALTER TABLE Variant ADD IF NOT EXISTS created_by INT64",
          "ALTER TABLE Job ADD IF NOT EXISTS num INT64",
          "ALTER TABLE Job ADD IF NOT EXISTS own_sample_nodes INT64",
          "ALTER TABLE Job ADD IF NOT EXISTS own_variant_nodes INT64");

  /** Columns of the shard's tables as {@code CSV} writes them, for {@code LOAD WITH HEADERS}. */
  static final String SAMPLE_COLUMNS = "id STRING, created_by INT64";
  static final String SAMPLE_NAMES = "id, created_by";
  static final String VARIANT_COLUMNS =
      "id STRING, chrom STRING, pos INT64, ref STRING, alt STRING, created_by INT64";
  static final String VARIANT_NAMES = "id, chrom, pos, ref, alt, created_by";

  private KuzuSchema() {}

  /**
   * Creates missing tables and adds the columns a first-version shard lacks.
   *
   * @return true if the shard was migrated (its complete jobs have not been checked by this
   *     version yet)
   */
  static boolean ensure(Connection connection) {
    for (String ddl : List.of(SAMPLE, VARIANT, CARRIES, JOB)) {
      KuzuShard.run(connection, ddl);
    }
    if (hasColumn(connection, "Variant", "created_by")) {
      return false;
    }
    for (String ddl : ADDED_IN_V2) {
      KuzuShard.run(connection, ddl);
    }
    return true;
  }

  private static boolean hasColumn(Connection connection, String table, String column) {
    String q = "CALL table_info('" + table + "') RETURN name";
    try (QueryResult r = KuzuShard.checked(connection.query(q), q)) {
      return KuzuShard.strings(r).contains(column);
    }
  }
}
