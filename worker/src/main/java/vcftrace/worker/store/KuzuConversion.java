package vcftrace.worker.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A job's TSV converted, in one streaming pass, into the deduplicated CSV files {@link KuzuShard}
 * COPYs: one Sample file and chunks of Variant/CARRIES files of at most {@code rowsPerChunk} rows
 * each (one transaction each), plus the SHA-256 fingerprint of the input.
 */
record KuzuConversion(
    KuzuShard.WriteCounts counts, String fingerprint, Path samplesCsv, List<KuzuConversion.Chunk> chunks) {

  /**
   * Most contigs a chunk may span for its new-key probe to be restricted to the chunk's genomic
   * region; beyond that (unsorted input, thousands of tiny contigs) the probe hashes the whole
   * Variant table. See {@code KuzuShard.copyNewNodes}.
   */
  static final int MAX_REGION_CONTIGS = 256;

  /**
   * Bumped when the conversion changes what the graph holds, so old fingerprints no longer
   * short-circuit a replay. (Not bumped for {@code created_by}: a first-version job whose keys are
   * all found is still skipped, see {@code KuzuShard.allFound}.)
   */
  static final String FORMAT_VERSION = "vcftrace-kuzu-v1";

  private static final Map<String, byte[]> ZYGOSITY_CSV =
      Map.of(
          Genotypes.HET, KuzuCsvWriter.field(Genotypes.HET),
          Genotypes.HOM_ALT, KuzuCsvWriter.field(Genotypes.HOM_ALT),
          Genotypes.HEMI, KuzuCsvWriter.field(Genotypes.HEMI));

  /**
   * One transaction's worth of rows (variant nodes + relationships), plus the genomic region its
   * variants fall in ({@code contig -> [min pos, max pos]}, empty when it spans more than {@link
   * #MAX_REGION_CONTIGS} contigs).
   */
  record Chunk(
      Path variantsCsv, Path carriesCsv, Map<String, long[]> region, long variants, long rows) {}

  /** Writes variant/relationship CSVs, starting a new pair once a chunk holds enough rows. */
  private static final class ChunkedCsv implements AutoCloseable {
    private final Path work;
    private final long rowsPerChunk;
    private final List<Chunk> chunks = new ArrayList<>();
    private Path variantsCsv;
    private Path carriesCsv;
    private KuzuCsvWriter variants;
    private KuzuCsvWriter carries;
    private long rowsInChunk;
    private long variantsInChunk;
    private Map<String, long[]> region;
    private boolean regionOverflow;
    private byte[] lastContig = new byte[0];
    private long[] lastRange;

    ChunkedCsv(Path work, long rowsPerChunk) {
      this.work = work;
      this.rowsPerChunk = rowsPerChunk;
    }

    /**
     * Called before each record, with the most rows the record can add (its variant and one
     * relationship per sample); rotates files only between records, so that a chunk never holds
     * more than {@code rowsPerChunk} rows (unless a single record has more).
     */
    void beforeRecord(int maxRowsOfRecord) throws IOException {
      if (variants == null || (rowsInChunk > 0 && rowsInChunk + maxRowsOfRecord > rowsPerChunk)) {
        closeCurrent();
        int k = chunks.size();
        region = new LinkedHashMap<>();
        regionOverflow = false;
        lastContig = new byte[0];
        lastRange = null;
        variantsCsv = work.resolve("variants-" + k + ".csv");
        carriesCsv = work.resolve("carries-" + k + ".csv");
        variants = new KuzuCsvWriter(variantsCsv);
        carries = new KuzuCsvWriter(carriesCsv);
        rowsInChunk = 0;
        variantsInChunk = 0;
      }
    }

    /** Widens the chunk's region to cover the current record. */
    void cover(VariantTsvReader in) {
      if (regionOverflow) {
        return;
      }
      byte[] buf = in.buffer();
      int start = in.start(VariantTsvReader.CHROM);
      int end = in.end(VariantTsvReader.CHROM);
      long pos = in.pos();
      if (lastRange == null || !Arrays.equals(lastContig, 0, lastContig.length, buf, start, end)) {
        lastContig = Arrays.copyOfRange(buf, start, end);
        String contig = new String(lastContig, StandardCharsets.UTF_8);
        lastRange = region.computeIfAbsent(contig, c -> new long[] {pos, pos});
        if (region.size() > MAX_REGION_CONTIGS) {
          regionOverflow = true;
          region.clear();
          return;
        }
      }
      lastRange[0] = Math.min(lastRange[0], pos);
      lastRange[1] = Math.max(lastRange[1], pos);
    }


    KuzuCsvWriter variants() {
      rowsInChunk++;
      variantsInChunk++;
      return variants;
    }

    KuzuCsvWriter carries() {
      rowsInChunk++;
      return carries;
    }

    /** Closes the files and returns the chunks; call once, after the last record. */
    List<Chunk> chunks() throws IOException {
      if (chunks.isEmpty() && variants == null) {
        beforeRecord(0); // an empty job still has one (empty) chunk to commit its Job node with
      }
      closeCurrent();
      return List.copyOf(chunks);
    }

    /** Closes the current pair of files and records it as a chunk. */
    private void closeCurrent() throws IOException {
      if (variants == null) {
        return;
      }
      try {
        variants.close();
      } finally {
        variants = null;
        try {
          carries.close();
        } finally {
          carries = null;
        }
      }
      chunks.add(new Chunk(variantsCsv, carriesCsv, region, variantsInChunk, rowsInChunk));
    }

    @Override
    public void close() throws IOException {
      closeCurrent();
    }
  }

  /** Streams the TSV once into deduplicated CSVs and fingerprints the input. */
  static KuzuConversion convert(
      String jobId, List<String> samples, Path tsv, Path work, long num, long rowsPerChunk)
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
      sampleCsv[i] = KuzuCsvWriter.field(samples.get(i));
    }
    // created_by of the nodes this write creates (a probe drops the rows of existing nodes)
    byte[] numCsv = KuzuCsvWriter.field(Long.toString(num));
    Path samplesCsv = work.resolve("samples.csv");
    try (KuzuCsvWriter out = new KuzuCsvWriter(samplesCsv)) {
      for (String s : unique.keySet()) {
        out.field(KuzuCsvWriter.field(s)).field(numCsv).endRow();
      }
    }
    byte[] jobCsv = KuzuCsvWriter.field(jobId);
    long variants = 0;
    long relationships = 0;
    List<Chunk> chunks;
    try (VariantTsvReader in = new VariantTsvReader(tsv, samples.size(), digest);
        ChunkedCsv out = new ChunkedCsv(work, rowsPerChunk)) {
      VariantDedup dedup = new VariantDedup();
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
        out.beforeRecord(1 + unique.size());
        out.cover(in);
        out.variants()
            .field(id, 0, idLength)
            .field(buf, in.start(VariantTsvReader.CHROM), in.length(VariantTsvReader.CHROM))
            .field(buf, in.start(VariantTsvReader.POS), in.length(VariantTsvReader.POS))
            .field(buf, in.start(VariantTsvReader.REF), in.length(VariantTsvReader.REF))
            .field(buf, in.start(VariantTsvReader.ALT), in.length(VariantTsvReader.ALT))
            .field(numCsv)
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
          out.carries()
              .field(sampleCsv[s])
              .field(id, 0, idLength)
              .field(jobCsv)
              .field(buf, in.start(field), in.length(field))
              .field(ZYGOSITY_CSV.get(zygosity))
              .endRow();
          relationships++;
        }
      }
      chunks = out.chunks();
    }
    String fingerprint = HexFormat.of().formatHex(digest.digest());
    return new KuzuConversion(
        new KuzuShard.WriteCounts(unique.size(), variants, relationships),
        fingerprint,
        samplesCsv,
        chunks);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JRE", e);
    }
  }
}
