package vcftrace.worker.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Minimal RFC-4180 CSV writer on bytes (quote doubled, quoted only when needed) with its own
 * buffer: {@code BufferedOutputStream}'s synchronized single-byte writes were a measurable part
 * of the conversion.
 */
final class KuzuCsvWriter implements AutoCloseable {
  private final OutputStream out;
  private final byte[] buf = new byte[1 << 16];
  private int n;
  private boolean rowStarted;

  KuzuCsvWriter(Path path) throws IOException {
    this.out = Files.newOutputStream(path);
  }

  /** Pre-encodes a constant field. */
  static byte[] field(String value) {
    byte[] raw = value.getBytes(StandardCharsets.UTF_8);
    return needsQuoting(raw, 0, raw.length) ? quote(raw, 0, raw.length) : raw;
  }

  /** Writes a pre-encoded field (see {@link #field(String)}). */
  KuzuCsvWriter field(byte[] encoded) throws IOException {
    separator();
    put(encoded, 0, encoded.length);
    return this;
  }

  KuzuCsvWriter field(byte[] b, int start, int length) throws IOException {
    separator();
    if (needsQuoting(b, start, length)) {
      byte[] quoted = quote(b, start, length);
      put(quoted, 0, quoted.length);
    } else {
      put(b, start, length);
    }
    return this;
  }

  KuzuCsvWriter endRow() throws IOException {
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
