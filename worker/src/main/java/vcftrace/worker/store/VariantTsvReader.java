package vcftrace.worker.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * Streaming, allocation-free reader for the {@code bcftools query} TSV
 * ({@code CHROM POS REF ALT QUAL FILTER GT_1 .. GT_n}, no header).
 *
 * <p>Why bytes and not {@code BufferedReader.readLine()}: both stores need several hundred thousand
 * rows per second and copy the fields straight into Arrow buffers or CSV files, so decoding every
 * line into {@code String}s and splitting it would dominate the cost. Fields are exposed as
 * {@code [start, end)} slices of {@link #buffer()}, valid until the next call to {@link #next()}.
 * Only one line is ever held in memory, so any file size is fine.
 *
 * <p>Optionally every byte read is fed to a {@link MessageDigest} (used by the Kuzu store to
 * fingerprint a job's input).
 */
final class VariantTsvReader implements Closeable {

  /** Number of fixed columns before the genotype columns. */
  static final int FIXED_COLUMNS = 6;

  static final int CHROM = 0;
  static final int POS = 1;
  static final int REF = 2;
  static final int ALT = 3;
  static final int QUAL = 4;
  static final int FILTER = 5;

  static final int DEFAULT_BUFFER_BYTES = 1 << 20;

  private final InputStream in;
  private final Path file;
  private final int expectedFields;
  private final MessageDigest digest;

  private byte[] buf = new byte[DEFAULT_BUFFER_BYTES];
  private int bufStart; // first unconsumed byte
  private int bufEnd; // one past the last valid byte
  private boolean eof;

  private int[] starts = new int[16];
  private int[] ends = new int[16];
  private int fieldCount;
  private long lineNumber;

  /**
   * @param expectedGenotypeColumns number of {@code GT} columns every line must carry, or
   *     {@code -1} to accept any number
   * @param digestOrNull receives every byte of the file (including line breaks) when not null
   */
  VariantTsvReader(Path file, int expectedGenotypeColumns, MessageDigest digestOrNull)
      throws IOException {
    this.file = Objects.requireNonNull(file, "file");
    this.expectedFields =
        expectedGenotypeColumns < 0 ? -1 : FIXED_COLUMNS + expectedGenotypeColumns;
    this.digest = digestOrNull;
    this.in = Files.newInputStream(file);
  }

  /**
   * Advances to the next non-empty line.
   *
   * @return false at end of file
   * @throws IllegalArgumentException when the line is malformed (wrong column count)
   */
  boolean next() throws IOException {
    while (true) {
      int lineEnd = findLineEnd();
      if (lineEnd < 0) {
        return false;
      }
      int lineStart = bufStart;
      int contentEnd = lineEnd;
      bufStart = lineEnd < bufEnd ? lineEnd + 1 : lineEnd; // skip '\n' if present
      if (contentEnd > lineStart && buf[contentEnd - 1] == '\r') {
        contentEnd--;
      }
      lineNumber++;
      if (contentEnd == lineStart) {
        continue; // tolerate blank lines (e.g. a trailing empty line)
      }
      splitFields(lineStart, contentEnd);
      if (fieldCount < FIXED_COLUMNS) {
        throw new IllegalArgumentException(
            file + ":" + lineNumber + ": expected at least " + FIXED_COLUMNS + " columns, got "
                + fieldCount);
      }
      if (expectedFields >= 0 && fieldCount != expectedFields) {
        throw new IllegalArgumentException(
            file + ":" + lineNumber + ": expected " + expectedFields + " columns ("
                + (expectedFields - FIXED_COLUMNS) + " samples), got " + fieldCount);
      }
      return true;
    }
  }

  /** Returns the index of the '\n' ending the current line, or bufEnd if the file ends without one, or -1 at EOF. */
  private int findLineEnd() throws IOException {
    int scanFrom = bufStart;
    while (true) {
      for (int i = scanFrom; i < bufEnd; i++) {
        if (buf[i] == '\n') {
          return i;
        }
      }
      if (eof) {
        return bufStart < bufEnd ? bufEnd : -1;
      }
      int consumed = bufEnd - bufStart;
      scanFrom = consumed;
      // compact, grow if one line does not fit, then refill
      if (bufStart > 0) {
        System.arraycopy(buf, bufStart, buf, 0, consumed);
        bufStart = 0;
        bufEnd = consumed;
      }
      if (bufEnd == buf.length) {
        buf = Arrays.copyOf(buf, buf.length * 2);
      }
      int n = in.read(buf, bufEnd, buf.length - bufEnd);
      if (n < 0) {
        eof = true;
      } else {
        if (digest != null) {
          digest.update(buf, bufEnd, n);
        }
        bufEnd += n;
      }
    }
  }

  private void splitFields(int from, int to) {
    fieldCount = 0;
    int start = from;
    for (int i = from; i <= to; i++) {
      if (i == to || buf[i] == '\t') {
        if (fieldCount == starts.length) {
          starts = Arrays.copyOf(starts, starts.length * 2);
          ends = Arrays.copyOf(ends, ends.length * 2);
        }
        starts[fieldCount] = start;
        ends[fieldCount] = i;
        fieldCount++;
        start = i + 1;
      }
    }
  }

  byte[] buffer() {
    return buf;
  }

  int fieldCount() {
    return fieldCount;
  }

  int genotypeCount() {
    return fieldCount - FIXED_COLUMNS;
  }

  int start(int field) {
    return starts[field];
  }

  int end(int field) {
    return ends[field];
  }

  int length(int field) {
    return ends[field] - starts[field];
  }

  long lineNumber() {
    return lineNumber;
  }

  String string(int field) {
    return new String(buf, starts[field], ends[field] - starts[field], StandardCharsets.UTF_8);
  }

  /** True when the field is exactly {@code "."} (VCF missing value). */
  boolean isDot(int field) {
    return ends[field] - starts[field] == 1 && buf[starts[field]] == '.';
  }

  /** True when the field is exactly the given ASCII byte. */
  boolean isSingle(int field, char c) {
    return ends[field] - starts[field] == 1 && buf[starts[field]] == c;
  }

  /** Parses POS as a non-negative decimal integer. */
  long pos() {
    int s = starts[POS];
    int e = ends[POS];
    if (s == e || e - s > 18) {
      throw malformed("POS", string(POS));
    }
    long v = 0;
    for (int i = s; i < e; i++) {
      int d = buf[i] - '0';
      if (d < 0 || d > 9) {
        throw malformed("POS", string(POS));
      }
      v = v * 10 + d;
    }
    return v;
  }

  /** Parses QUAL; {@code "."} (or empty) means missing and yields {@code NaN}. */
  double qual() {
    if (isDot(QUAL) || length(QUAL) == 0) {
      return Double.NaN;
    }
    String s = string(QUAL);
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw malformed("QUAL", s);
    }
  }

  private IllegalArgumentException malformed(String column, String value) {
    return new IllegalArgumentException(
        file + ":" + lineNumber + ": malformed " + column + " '" + value + "'");
  }

  /**
   * 64-bit hash of the variant id {@code CHROM-POS-REF-ALT} of the current line, computed from the
   * raw bytes so the id string never has to be materialised.
   */
  long variantIdHash() {
    long h = 0x9E3779B97F4A7C15L;
    h = hashRange(h, CHROM);
    h = (h ^ '-') * 0x100000001B3L;
    h = hashRange(h, POS);
    h = (h ^ '-') * 0x100000001B3L;
    h = hashRange(h, REF);
    h = (h ^ '-') * 0x100000001B3L;
    h = hashRange(h, ALT);
    return mix64(h);
  }

  private long hashRange(long h, int field) {
    for (int i = starts[field], e = ends[field]; i < e; i++) {
      h = (h ^ (buf[i] & 0xFF)) * 0x100000001B3L;
    }
    return h;
  }

  /** Murmur3 finaliser: spreads FNV's weak low bits over the whole word. */
  static long mix64(long z) {
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }

  /**
   * Writes the variant id {@code CHROM-POS-REF-ALT} into {@code dest} (growing it if needed) and
   * returns the possibly reallocated array; the id length is {@link #variantIdLength()}.
   */
  byte[] variantIdInto(byte[] dest) {
    int len = variantIdLength();
    if (dest.length < len) {
      dest = new byte[Math.max(len, dest.length * 2)];
    }
    int p = 0;
    p = copyField(CHROM, dest, p);
    dest[p++] = '-';
    p = copyField(POS, dest, p);
    dest[p++] = '-';
    p = copyField(REF, dest, p);
    dest[p++] = '-';
    copyField(ALT, dest, p);
    return dest;
  }

  int variantIdLength() {
    return length(CHROM) + length(POS) + length(REF) + length(ALT) + 3;
  }

  String variantId() {
    byte[] tmp = variantIdInto(new byte[variantIdLength()]);
    return new String(tmp, 0, variantIdLength(), StandardCharsets.UTF_8);
  }

  private int copyField(int field, byte[] dest, int p) {
    int len = length(field);
    System.arraycopy(buf, starts[field], dest, p, len);
    return p + len;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
