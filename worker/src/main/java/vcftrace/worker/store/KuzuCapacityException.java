package vcftrace.worker.store;

/**
 * Kuzu ran out of buffer pool while writing a job ("The buffer pool is full and no memory could be
 * freed"). Kuzu keeps a transaction's uncommitted COPY data in the pool, and its commit rewrites
 * the relationships the shard already holds for the job's samples there, so the same job on the
 * same shard fails the same way on every attempt: only a larger pool helps. The shard has already
 * discarded the failed transaction and is safe to use for other jobs (see {@link KuzuShard}); the
 * job's earlier transactions, if any, stay until it is written again (its Job node is not
 * complete).
 */
public final class KuzuCapacityException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final long bufferPoolBytes;
  private final long transactionRows;
  private final long rowsPerTransaction;
  private final KuzuShard.WriteCounts job;

  KuzuCapacityException(
      long bufferPoolBytes,
      long transactionRows,
      long rowsPerTransaction,
      KuzuShard.WriteCounts job,
      Throwable kuzuFailure) {
    super(
        "Kuzu buffer pool of " + (bufferPoolBytes >> 20) + " MiB is too small for a transaction of "
            + transactionRows + " rows (job: " + job.variantNodes() + " variant nodes + "
            + job.relationships() + " relationships, at most " + rowsPerTransaction
            + " rows per transaction): " + kuzuFailure.getMessage(),
        kuzuFailure);
    this.bufferPoolBytes = bufferPoolBytes;
    this.transactionRows = transactionRows;
    this.rowsPerTransaction = rowsPerTransaction;
    this.job = job;
  }

  /** The shard's buffer pool, in bytes. */
  public long bufferPoolBytes() {
    return bufferPoolBytes;
  }

  /** Variant nodes + relationships of the transaction that failed. */
  public long transactionRows() {
    return transactionRows;
  }

  /** The most rows the shard puts in one transaction. */
  public long rowsPerTransaction() {
    return rowsPerTransaction;
  }

  /** What the whole job would have written. */
  public KuzuShard.WriteCounts job() {
    return job;
  }

  /** Variant nodes + relationships of the whole job. */
  public long jobRows() {
    return job.variantNodes() + job.relationships();
  }
}
