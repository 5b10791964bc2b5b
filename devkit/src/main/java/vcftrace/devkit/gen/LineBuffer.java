package vcftrace.devkit.gen;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One VCF line assembled as ASCII bytes. The generator writes millions of lines; building them in a
 * reused byte array (instead of Strings, {@code String.format} or htsjdk VariantContexts) keeps it
 * fast enough for the throughput benchmark, and lets the caller read the BGZF virtual offset of each
 * line's start for the tabix index.
 */
final class LineBuffer {

  private static final int INITIAL_CAPACITY = 1 << 12;

  private byte[] bytes = new byte[INITIAL_CAPACITY];
  private int length;

  void clear() {
    length = 0;
  }

  int length() {
    return length;
  }

  LineBuffer append(byte b) {
    ensure(1);
    bytes[length++] = b;
    return this;
  }

  LineBuffer append(char c) {
    return append((byte) c);
  }

  LineBuffer append(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, bytes, length, len);
    length += len;
    return this;
  }

  LineBuffer append(byte[] b) {
    return append(b, 0, b.length);
  }

  LineBuffer append(LineBuffer other) {
    return append(other.bytes, 0, other.length);
  }

  /** Appends ASCII text; callers only pass ASCII (names, keys, header lines). */
  LineBuffer append(String s) {
    return append(s.getBytes(StandardCharsets.US_ASCII));
  }

  LineBuffer append(long value) {
    if (value == Long.MIN_VALUE) return append(Long.toString(value));
    if (value < 0) {
      append('-');
      value = -value;
    }
    ensure(20);
    int start = length;
    do {
      bytes[length++] = (byte) ('0' + (value % 10));
      value /= 10;
    } while (value != 0);
    reverse(start, length - 1);
    return this;
  }

  /** Appends {@code numerator / denominator} rounded to four decimals, without trailing zeros. */
  LineBuffer appendFraction(long numerator, long denominator) {
    long scaled = (numerator * 10_000L * 2 + denominator) / (denominator * 2);
    append(scaled / 10_000);
    long frac = scaled % 10_000;
    if (frac == 0) return this;
    append('.');
    int digits = 4;
    while (frac % 10 == 0) {
      frac /= 10;
      digits--;
    }
    int start = length;
    ensure(digits);
    for (int i = 0; i < digits; i++) {
      bytes[length++] = (byte) ('0' + (frac % 10));
      frac /= 10;
    }
    reverse(start, length - 1);
    return this;
  }

  /** Appends a value held in tenths, e.g. 573 as {@code 57.3}. */
  LineBuffer appendTenths(long tenths) {
    return append(tenths / 10).append('.').append(tenths % 10);
  }

  void writeTo(OutputStream out) throws IOException {
    out.write(bytes, 0, length);
  }

  @Override
  public String toString() {
    return new String(bytes, 0, length, StandardCharsets.US_ASCII);
  }

  private void reverse(int i, int j) {
    while (i < j) {
      byte t = bytes[i];
      bytes[i++] = bytes[j];
      bytes[j--] = t;
    }
  }

  private void ensure(int extra) {
    if (length + extra > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + extra));
    }
  }
}
