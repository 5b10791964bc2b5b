package vcftrace.producer;

import static java.util.Objects.requireNonNull;

import htsjdk.samtools.SAMSequenceDictionary;
import htsjdk.samtools.SAMSequenceRecord;
import htsjdk.samtools.util.BlockCompressedInputStream;
import htsjdk.tribble.index.tabix.TabixIndex;
import htsjdk.tribble.readers.LineIteratorImpl;
import htsjdk.tribble.readers.SynchronousLineReader;
import htsjdk.variant.vcf.VCFCodec;
import htsjdk.variant.vcf.VCFHeader;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Splits an indexed {@code .vcf.gz} or {@code .bcf} into region windows of at most {@code shardSize}
 * bases, one job each. The worker extracts a window with {@code bcftools view -r REGION
 * --regions-overlap pos}, so a record belongs to exactly the one window that contains its POS (a
 * deletion spanning a window boundary included): windows must tile every contig without gaps or
 * overlaps, which is all this class promises.
 *
 * <p>Contig names and lengths come from the header's {@code ##contig=<ID=..,length=..>} lines. A contig
 * with no length, or one that has records (per the tabix index) but no {@code ##contig} line, becomes
 * one whole-contig window. With a tabix index, contigs that hold no record are skipped: the index lists
 * only the sequences it saw. With a CSI index every header contig is planned (htsjdk does not read the
 * names of a CSI for VCF), which costs one empty job per empty contig, never a lost record.
 */
public final class ShardPlanner {
  /** One window: a bcftools region {@code chr:start-end} (1-based, inclusive) or a whole contig. */
  public record Window(String contig, long start, long end) {
    public Window {
      requireNonNull(contig, "contig");
    }

    /** Whole contig: {@code start} and {@code end} are 0. */
    static Window whole(String contig) {
      return new Window(contig, 0, 0);
    }

    public String region() {
      return start == 0 ? contig : contig + ":" + start + "-" + end;
    }
  }

  private ShardPlanner() {}

  /** True for the compressed formats bcftools can index, whatever their index state. */
  public static boolean indexable(Path vcf) {
    String n = vcf.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".vcf.gz") || n.endsWith(".vcf.bgz") || n.endsWith(".bcf");
  }

  /** The {@code .tbi} or {@code .csi} next to {@code vcf}, or {@code null}. */
  public static Path indexOf(Path vcf) {
    for (String ext : List.of(".tbi", ".csi")) {
      Path p = vcf.resolveSibling(vcf.getFileName() + ext);
      if (Files.isRegularFile(p)) return p;
    }
    return null;
  }

  /**
   * The windows of {@code vcf}, in contig order then position.
   *
   * @throws IOException when the file has no index (the message says how to make one), or its header
   *     or index cannot be read
   */
  public static List<Window> plan(Path vcf, long shardSize) throws IOException {
    if (shardSize < 1) throw new IllegalArgumentException("shard size must be >= 1, got " + shardSize);
    Path index = indexOf(vcf);
    if (index == null) {
      throw new IOException("--shard-size needs an index next to " + vcf + " (" + vcf.getFileName()
          + ".tbi or .csi); create one with: bcftools index " + (isBcf(vcf) ? "" : "--tbi ") + vcf);
    }
    SAMSequenceDictionary dict = readHeader(vcf).getSequenceDictionary();
    Set<String> withRecords = index.toString().endsWith(".tbi")
        ? new LinkedHashSet<>(new TabixIndex(index).getSequenceNames()) : null;
    List<Window> out = new ArrayList<>();
    Set<String> planned = new LinkedHashSet<>();
    if (dict != null) {
      for (SAMSequenceRecord seq : dict.getSequences()) {
        String name = seq.getSequenceName();
        if (withRecords != null && !withRecords.contains(name)) continue;
        planned.add(name);
        // htsjdk reports a ##contig line without length as 0 (SAMSequenceRecord.UNKNOWN_SEQUENCE_LENGTH).
        long length = seq.getSequenceLength();
        if (length <= 0) {
          out.add(Window.whole(name));
          continue;
        }
        for (long start = 1; start <= length; start += shardSize) {
          out.add(new Window(name, start, Math.min(length, start + shardSize - 1)));
        }
      }
    }
    if (withRecords != null) {
      for (String name : withRecords) {
        if (!planned.contains(name)) out.add(Window.whole(name)); // records on a contig the header never declared
      }
    }
    if (out.isEmpty() && withRecords == null) {
      throw new IOException(vcf + " has no ##contig lines in its header: cannot plan shards from a CSI index");
    }
    return out;
  }

  static boolean isBcf(Path vcf) {
    return vcf.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".bcf");
  }

  /** Reads only the header text: of a BGZF VCF its {@code #} lines, of a BCF the text block after the magic. */
  static VCFHeader readHeader(Path vcf) throws IOException {
    try (InputStream raw = new BlockCompressedInputStream(Files.newInputStream(vcf))) {
      InputStream text = raw;
      if (isBcf(vcf)) {
        DataInputStream in = new DataInputStream(raw);
        byte[] magic = in.readNBytes(5);
        if (magic.length < 5 || magic[0] != 'B' || magic[1] != 'C' || magic[2] != 'F') {
          throw new IOException(vcf + " is not a BCF file");
        }
        long len = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
        if (len > (256L << 20)) throw new IOException(vcf + ": BCF header of " + len + " bytes is implausible");
        text = new ByteArrayInputStream(in.readNBytes((int) len));
      }
      // readActualHeader stops at the #CHROM line; it never reads a record.
      Object header = new VCFCodec().readActualHeader(new LineIteratorImpl(
          new SynchronousLineReader(new InputStreamReader(text, StandardCharsets.UTF_8))));
      if (!(header instanceof VCFHeader h)) throw new IOException(vcf + ": no VCF header");
      return h;
    } catch (htsjdk.tribble.TribbleException | htsjdk.samtools.SAMException e) {
      throw new IOException(vcf + ": cannot read the header: " + e.getMessage(), e);
    }
  }
}
