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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import vcftrace.common.Attrs;
import vcftrace.common.ErrorType;

/**
 * {@code tool.bcftools.validate}: the input must follow the VCF specification everywhere, header and
 * every record. bcftools alone is not enough: it accepts some malformed records with exit 0 (a
 * non-numeric POS read as 0, for one), so every text record is decoded in full by htsjdk, which
 * names the line. bcftools' own parser checks the same records in the steps that run beside this
 * one (stats, norm); this step is the first lane of its stage, so its verdict is the one a job
 * reports (see {@code Stage}). A BCF input is binary and typed: bcftools reads it here instead.
 */
public final class ValidateStep implements Step {
  /** Lines per decode task: large enough to amortise the hand-off, small enough to spread a job. */
  static final int BATCH_LINES = 4096;

  /** Bounds the lines held in memory (batches read ahead of the oldest unfinished one). */
  private static final int MAX_BATCHES_IN_FLIGHT = 4 * Runtime.getRuntime().availableProcessors();

  /** Shared by all jobs of the process: decoding is CPU-bound, so one thread per core. */
  private static final ExecutorService DECODERS = decoders(Runtime.getRuntime().availableProcessors());

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
    if (region == null) {
      if (isBcf(input)) {
        bcftools.run(
            "view",
            List.of("--no-version", "-Ou", "-o", "/dev/null", input.toString()),
            Bcftools.named("input", input.toString(), "output_type", "u"),
            null,
            job.scratch());
      } else {
        span.setAttribute(Attrs.TOOL_NAME, "htsjdk");
        span.setAttribute(Attrs.VCF_RECORDS, checkText(input, "line "));
      }
    } else {
      // A region job checks only its region: the records bcftools extracts (those that *start* in it,
      // so each record belongs to exactly one shard) are checked as text, line numbers relative to it.
      Path text = job.scratch().resolve("region.vcf");
      List<String> args = new ArrayList<>(List.of("--no-version"));
      args.addAll(job.regionArgs());
      args.addAll(List.of("-Ov", "-o", text.toString(), input.toString()));
      bcftools.run(
          "view",
          args,
          Bcftools.named("input", input.toString(), "regions", region, "regions_overlap", "pos"),
          null,
          job.scratch());
      span.setAttribute(Attrs.VCF_RECORDS, checkText(text, "line (of region " + region + ") "));
    }
  }

  /**
   * Decodes every record with htsjdk; returns the record count. The calling thread decompresses and
   * splits lines; batches of lines are decoded on {@link #DECODERS} (htsjdk's full decode is the
   * longest lane of its stage, and on one core it cannot keep up with bcftools). Batches are awaited in file order, so the
   * error reported is always the one on the lowest line, as a sequential check would report it.
   */
  static long checkText(Path file, String where) throws StepException {
    long line = 0;
    Deque<Future<Long>> inFlight = new ArrayDeque<>();
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
      String headerText = header.toString();
      ConcurrentLinkedQueue<Decoder> idle = new ConcurrentLinkedQueue<>();
      idle.add(Decoder.of(headerText, line)); // a bad header fails here, once, with its line range
      long records = 0;
      List<String> batch = new ArrayList<>(BATCH_LINES);
      long batchFirstLine = line + 1;
      IOException readFailure = null;
      long headerLines = line;
      try {
        while ((s = r.readLine()) != null) {
          line++;
          batch.add(s);
          if (batch.size() == BATCH_LINES) {
            inFlight.add(submit(batch, batchFirstLine, where, headerText, headerLines, idle));
            batch = new ArrayList<>(BATCH_LINES);
            batchFirstLine = line + 1;
            if (inFlight.size() >= MAX_BATCHES_IN_FLIGHT) records += await(inFlight.poll());
          }
        }
      } catch (IOException | htsjdk.samtools.SAMException e) {
        // the records before the damage are still checked first: an invalid record there is the
        // lower line, and a sequential check would have reported it
        readFailure = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
      }
      if (!batch.isEmpty()) inFlight.add(submit(batch, batchFirstLine, where, headerText, headerLines, idle));
      while (!inFlight.isEmpty()) records += await(inFlight.poll());
      if (readFailure != null) throw readFailure;
      return records;
    } catch (EOFException e) {
      throw invalid(where + line + ": file is truncated (" + e.getMessage() + ")");
    } catch (IOException e) {
      String msg = String.valueOf(e.getMessage());
      if (msg.contains("EOF") || msg.contains("truncated") || msg.contains("Unexpected end")
          || e.getCause() instanceof htsjdk.samtools.SAMException) {
        throw invalid(where + line + ": file is truncated" + (e.getCause() instanceof htsjdk.samtools.SAMException
            ? " or corrupt" : "") + " (" + msg + ")");
      }
      throw new StepException(ErrorType.INVALID_VCF, "cannot read " + file.getFileName() + " after line " + line + ": " + msg, e);
    } catch (htsjdk.samtools.SAMException e) {
      throw invalid(where + line + ": file is truncated or corrupt (" + e.getMessage() + ")");
    } finally {
      inFlight.forEach(f -> f.cancel(true));
    }
  }

  private static Future<Long> submit(List<String> lines, long firstLine, String where, String header,
      long headerLines, ConcurrentLinkedQueue<Decoder> idle) {
    return DECODERS.submit(() -> {
      Decoder d = idle.poll();
      if (d == null) d = Decoder.of(header, headerLines);
      try {
        return d.check(lines, firstLine, where);
      } finally {
        idle.add(d);
      }
    });
  }

  private static long await(Future<Long> batch) throws StepException {
    try {
      return batch.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StepException se) throw se;
      throw new StepException(ErrorType.INTERNAL, "validation failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepException(ErrorType.INTERNAL, "interrupted while validating", e);
    }
  }

  /** One htsjdk codec with its parsed header; used by one thread at a time. */
  private static final class Decoder {
    private final VCFCodec codec;
    private final VCFHeader header;
    private final int columns;
    private String checkedFormat; // FORMAT is the same on most lines: check its keys once per change

    private Decoder(VCFCodec codec, VCFHeader header) {
      this.codec = codec;
      this.header = header;
      this.columns = header.getNGenotypeSamples() > 0 ? 9 + header.getNGenotypeSamples() : 8;
    }

    static Decoder of(String headerText, long headerLines) throws StepException {
      VCFCodec codec = new VCFCodec();
      try {
        VCFHeader header =
            (VCFHeader)
                codec.readActualHeader(
                    new LineIteratorImpl(new SynchronousLineReader(new StringReader(headerText))));
        return new Decoder(codec, header);
      } catch (RuntimeException e) {
        throw invalid("header (lines 1-" + headerLines + "): " + e.getMessage());
      }
    }

    long check(List<String> lines, long firstLine, String where) throws StepException {
      long records = 0;
      long line = firstLine - 1;
      for (String s : lines) {
        line++;
        if (s.isEmpty()) continue;
        int tabs = countTabs(s);
        if (tabs + 1 != columns) {
          throw invalid(where + line + ": " + (tabs + 1) + " columns, the header declares " + columns);
        }
        try {
          VariantContext vc = codec.decode(s);
          vc.fullyDecode(header, false);
          vc.getGenotypes().size(); // genotypes decode lazily; force them
          if (vc.getStart() < 1) throw new IllegalArgumentException("POS must be >= 1");
          // fullyDecode rejects undeclared INFO keys but tolerates undeclared FORMAT keys; the spec and
          // bcftools' BCF writer do not.
          if (columns > 8) {
            String format = formatColumn(s);
            if (!format.equals(checkedFormat)) {
              for (String key : format.split(":")) {
                if (header.getFormatHeaderLine(key) == null) {
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

  private static ExecutorService decoders(int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "vcf-validate-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true); // no idle threads between jobs
    return pool;
  }

  private static StepException invalid(String message) {
    return new StepException(ErrorType.INVALID_VCF, message);
  }

  private static String abbreviate(String s) {
    String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 40 ? clean.substring(0, 40) + "…" : clean;
  }

}
