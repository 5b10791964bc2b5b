package vcftrace.worker.vcf;

import htsjdk.samtools.SAMException;
import htsjdk.samtools.util.BlockCompressedInputStream;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a VCF file line by line, whatever its compression (plain, gzip or BGZF, told by the content,
 * not the name), counting lines, and turns damage into a {@link VcfViolation} that names the last
 * good line. Text is decoded as ISO-8859-1 so that every byte survives a round trip: a repaired copy
 * of the file must hold exactly the bytes of the original's records.
 *
 * <p>A BGZF file cut exactly at a block boundary decompresses cleanly; only its missing end-of-file
 * block tells. So a BGZF file without one is refused when its last line has been read (the lines
 * before it were still checked, and an error on a lower line wins).
 */
public final class VcfReader implements Closeable {
  private final BufferedReader in;
  private final boolean bgzfWithoutEof;
  private long line;

  private VcfReader(BufferedReader in, boolean bgzfWithoutEof) {
    this.in = in;
    this.bgzfWithoutEof = bgzfWithoutEof;
  }

  public static VcfReader open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    try {
      raw.mark(4);
      int b1 = raw.read();
      int b2 = raw.read();
      raw.reset();
      InputStream text = raw;
      boolean missingEof = false;
      if (b1 == 0x1f && b2 == 0x8b) {
        if (BlockCompressedInputStream.isValidFile(raw)) {
          missingEof = BlockCompressedInputStream.checkTermination(file.toFile())
              != BlockCompressedInputStream.FileTermination.HAS_TERMINATOR_BLOCK;
          text = new BlockCompressedInputStream(raw);
        } else {
          text = new GZIPInputStream(raw, 1 << 16);
        }
      }
      return new VcfReader(new BufferedReader(new InputStreamReader(text, StandardCharsets.ISO_8859_1), 1 << 16), missingEof);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** The next line without its line break, or {@code null} at the end of the file. */
  public String readLine() throws IOException, VcfViolation {
    String s;
    try {
      s = in.readLine();
    } catch (EOFException | ZipException | SAMException e) { // SAMException: htsjdk's FileTruncatedException
      throw truncated(e);
    } catch (IOException e) {
      // htsjdk wraps a short BGZF block in a plain IOException; a real read error is not the file's fault
      if (e.getCause() instanceof SAMException || e.getCause() instanceof EOFException) throw truncated(e);
      throw e;
    }
    if (s == null) {
      if (bgzfWithoutEof) {
        throw new VcfViolation(line, "the BGZF file has no end-of-file block: it was cut after this line",
            "a file cut at a block boundary; the end-of-file marker of the BGZF specification is missing");
      }
      return null;
    }
    line++;
    if (!s.isEmpty() && s.charAt(s.length() - 1) == '\r') s = s.substring(0, s.length() - 1);
    return s;
  }

  /** The number of the line {@link #readLine} returned last (1-based). */
  public long lineNumber() {
    return line;
  }

  private VcfViolation truncated(Exception e) {
    return new VcfViolation(line, "the file is truncated or corrupt after this line (the last good one)",
        String.valueOf(e.getMessage()));
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
