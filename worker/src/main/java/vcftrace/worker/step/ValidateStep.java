package vcftrace.worker.step;

import htsjdk.samtools.util.BlockCompressedInputStream;
import htsjdk.tribble.readers.LineIteratorImpl;
import htsjdk.tribble.readers.SynchronousLineReader;
import htsjdk.variant.variantcontext.VariantContext;
import htsjdk.variant.vcf.VCFCodec;
import htsjdk.variant.vcf.VCFHeader;
import io.opentelemetry.api.trace.Span;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import vcftrace.common.Attrs;
import vcftrace.common.ErrorType;

/**
 * {@code tool.bcftools.validate}: the input must follow the VCF specification everywhere, header and
 * every record. bcftools alone is not enough: it accepts some malformed records with exit 0 (a
 * non-numeric POS read as 0, for one), so every text record is first decoded in full by htsjdk, which
 * names the line. bcftools then reads the file (or the job's region) into uncompressed BCF for the
 * steps after this one, so bcftools' own checks apply too.
 */
public final class ValidateStep implements Step {
  private final Bcftools bcftools;

  public ValidateStep(Bcftools bcftools) {
    this.bcftools = bcftools;
  }

  @Override
  public String spanName() {
    return "tool.bcftools.validate";
  }

  @Override
  public void run(JobContext job) throws StepException {
    Path input = job.input();
    Span span = Span.current();
    String region = job.request().region();
    Path out = job.scratch().resolve("validated.bcf");
    if (region == null) {
      if (!isBcf(input)) {
        span.setAttribute(Attrs.VCF_RECORDS, checkText(input, "line "));
      }
      bcftools.run(
          "view",
          List.of("--no-version", "-Ou", "-o", out.toString(), input.toString()),
          Bcftools.named("input", input.toString(), "output_type", "u"),
          null,
          job.scratch());
    } else {
      // A region job checks only its region: the records bcftools extracts (those that *start* in it,
      // so each record belongs to exactly one shard) are checked as text, line numbers relative to it.
      Path text = job.scratch().resolve("region.vcf");
      bcftools.run(
          "view",
          List.of("--no-version", "-r", region, "--regions-overlap", "pos", "-Ov", "-o", text.toString(),
              input.toString()),
          Bcftools.named("input", input.toString(), "regions", region, "regions_overlap", "pos"),
          null,
          job.scratch());
      span.setAttribute(Attrs.VCF_RECORDS, checkText(text, "line (of region " + region + ") "));
      bcftools.run(
          "view",
          List.of("--no-version", "-Ou", "-o", out.toString(), text.toString()),
          Bcftools.named("input", text.toString(), "output_type", "u"),
          null,
          job.scratch());
    }
    job.validated(out);
  }

  /** Decodes every record with htsjdk; returns the record count. */
  static long checkText(Path file, String where) throws StepException {
    long line = 0;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8), 1 << 16)) {
      StringBuilder header = new StringBuilder();
      String s;
      while ((s = r.readLine()) != null) {
        line++;
        if (line == 1 && !s.startsWith("##fileformat=VCF")) {
          throw invalid(where + "1: not a VCF: the first line must be ##fileformat=VCFv4.x, found '" + abbreviate(s) + "'");
        }
        header.append(s).append('\n');
        if (s.startsWith("#CHROM")) break;
        if (!s.startsWith("##")) throw invalid(where + line + ": header line does not start with ## or #CHROM");
      }
      if (line == 0) throw invalid("file is empty");
      if (s == null) throw invalid(where + line + ": the header has no #CHROM line");
      VCFCodec codec = new VCFCodec();
      VCFHeader vcfHeader;
      try {
        vcfHeader =
            (VCFHeader)
                codec.readActualHeader(
                    new LineIteratorImpl(new SynchronousLineReader(new StringReader(header.toString()))));
      } catch (RuntimeException e) {
        throw invalid("header (lines 1-" + line + "): " + e.getMessage());
      }
      int columns = vcfHeader.getNGenotypeSamples() > 0 ? 9 + vcfHeader.getNGenotypeSamples() : 8;
      long records = 0;
      String checkedFormat = null; // FORMAT is the same on most lines: check its keys once per change
      while ((s = r.readLine()) != null) {
        line++;
        if (s.isEmpty()) continue;
        int tabs = countTabs(s);
        if (tabs + 1 != columns) {
          throw invalid(where + line + ": " + (tabs + 1) + " columns, the header declares " + columns);
        }
        try {
          VariantContext vc = codec.decode(s);
          vc.fullyDecode(vcfHeader, false);
          vc.getGenotypes().size(); // genotypes decode lazily; force them
          if (vc.getStart() < 1) throw new IllegalArgumentException("POS must be >= 1");
          // fullyDecode rejects undeclared INFO keys but tolerates undeclared FORMAT keys; the spec and
          // bcftools' BCF writer do not.
          if (columns > 8) {
            String format = formatColumn(s);
            if (!format.equals(checkedFormat)) {
              for (String key : format.split(":")) {
                if (vcfHeader.getFormatHeaderLine(key) == null) {
                  throw new IllegalArgumentException("FORMAT field '" + key + "' is not defined in the header");
                }
              }
              checkedFormat = format;
            }
          }
        } catch (RuntimeException e) {
          throw invalid(where + line + ": " + e.getMessage());
        }
        records++;
      }
      return records;
    } catch (EOFException e) {
      throw invalid(where + line + ": file is truncated (" + e.getMessage() + ")");
    } catch (IOException e) {
      String msg = String.valueOf(e.getMessage());
      if (msg.contains("EOF") || msg.contains("truncated") || msg.contains("Unexpected end")) {
        throw invalid(where + line + ": file is truncated (" + msg + ")");
      }
      throw new StepException(ErrorType.INVALID_VCF, "cannot read " + file.getFileName() + " after line " + line + ": " + msg, e);
    } catch (htsjdk.samtools.SAMException e) {
      throw invalid(where + line + ": file is truncated or corrupt (" + e.getMessage() + ")");
    }
  }

  private static InputStream open(Path file) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    in.mark(4);
    int b1 = in.read();
    int b2 = in.read();
    in.reset();
    if (b1 == 0x1f && b2 == 0x8b) {
      return BlockCompressedInputStream.isValidFile(in) ? new BlockCompressedInputStream(in) : new GZIPInputStream(in, 1 << 16);
    }
    return in;
  }

  static boolean isBcf(Path file) {
    return file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".bcf");
  }

  /** The 9th column. */
  private static String formatColumn(String line) {
    int from = 0;
    for (int i = 0; i < 8; i++) from = line.indexOf('\t', from) + 1;
    int to = line.indexOf('\t', from);
    return to < 0 ? line.substring(from) : line.substring(from, to);
  }

  private static int countTabs(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) == '\t') n++;
    return n;
  }

  private static StepException invalid(String message) {
    return new StepException(ErrorType.INVALID_VCF, message);
  }

  private static String abbreviate(String s) {
    String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 40 ? clean.substring(0, 40) + "…" : clean;
  }

}
