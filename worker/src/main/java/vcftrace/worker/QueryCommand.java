package vcftrace.worker;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import vcftrace.common.WorkerConfig;
import vcftrace.worker.store.KuzuGraphReader;
import vcftrace.worker.store.LanceVariantStore;

/**
 * {@code vcf-worker query}: what landed. Variants of a region come from LanceDB (readable while
 * workers write); carriers of a variant and variants of a sample come from every Kuzu shard, which
 * Kuzu lets a process open only while no worker holds it (stop the workers, or query a copy).
 */
@Command(name = "query", mixinStandardHelpOptions = true,
    description = "Query what the workers stored (paths from DATA_DIR / LANCE_DB / KUZU_DIR).",
    subcommands = {QueryCommand.Variants.class, QueryCommand.Carriers.class, QueryCommand.Sample.class,
        QueryCommand.Counts.class})
public final class QueryCommand implements Runnable {
  @Spec CommandSpec spec;

  @Option(names = "--data-dir", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "the workers' DATA_DIR (default: $DATA_DIR, else vcf-data); LANCE_DB and KUZU_DIR still apply")
  Path dataDir;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a query is required: variants, carriers, sample or counts");
  }

  WorkerConfig config() {
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    if (dataDir != null) env.put("DATA_DIR", dataDir.toString());
    return WorkerConfig.fromEnv(env);
  }

  @Command(name = "variants", mixinStandardHelpOptions = true, description = "Variants in a region, from LanceDB.")
  static final class Variants implements Callable<Integer> {
    @ParentCommand QueryCommand query;

    private static final Pattern REGION = Pattern.compile("([^:]+)(?::(\\d+)(?:-(\\d+))?)?");

    @Option(names = "--region", required = true, description = "CHROM[:START[-END]], 1-based, inclusive")
    String region;

    @Option(names = "--job-id", description = "only this job's rows")
    String jobId;

    @Option(names = "--limit", defaultValue = "100", description = "rows at most (default ${DEFAULT-VALUE})")
    int limit;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Matcher m = REGION.matcher(region);
      if (!m.matches()) throw new ParameterException(spec.commandLine(), "bad region: " + region);
      StringBuilder filter = new StringBuilder("chrom = ").append(LanceVariantStore.sqlString(m.group(1)));
      if (m.group(2) != null) filter.append(" AND pos >= ").append(Long.parseLong(m.group(2)));
      if (m.group(3) != null) filter.append(" AND pos <= ").append(Long.parseLong(m.group(3)));
      if (jobId != null) filter.append(" AND job_id = ").append(LanceVariantStore.sqlString(jobId));
      List<Map<String, Object>> rows = LanceVariantStore.scan(query.config().lanceDb(), filter.toString(),
          List.of("variant_id", "chrom", "pos", "ref", "alt", "qual", "filter", "job_id"), limit);
      PrintStream out = System.out;
      out.println("variant_id\tchrom\tpos\tref\talt\tqual\tfilter\tjob_id");
      for (Map<String, Object> r : rows) {
        out.println(r.get("variant_id") + "\t" + r.get("chrom") + "\t" + r.get("pos") + "\t" + r.get("ref") + "\t"
            + r.get("alt") + "\t" + (r.get("qual") == null ? "." : r.get("qual")) + "\t" + r.get("filter") + "\t"
            + r.get("job_id"));
      }
      return 0;
    }
  }

  @Command(name = "carriers", mixinStandardHelpOptions = true,
      description = "Samples carrying a variant (CHROM-POS-REF-ALT), from every graph shard.")
  static final class Carriers implements Callable<Integer> {
    @ParentCommand QueryCommand query;

    @Parameters(paramLabel = "VARIANT_ID") String variantId;

    @Override
    public Integer call() {
      try (KuzuGraphReader graph = KuzuGraphReader.open(query.config().kuzuDir())) {
        graph.samplesCarrying(variantId).forEach(System.out::println);
      }
      return 0;
    }
  }

  @Command(name = "sample", mixinStandardHelpOptions = true,
      description = "Variants a sample carries, from every graph shard.")
  static final class Sample implements Callable<Integer> {
    @ParentCommand QueryCommand query;

    @Parameters(paramLabel = "SAMPLE") String sample;

    @Option(names = "--limit", defaultValue = "100", description = "variants at most (default ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
      try (KuzuGraphReader graph = KuzuGraphReader.open(query.config().kuzuDir())) {
        graph.variantsOf(sample, limit).forEach(System.out::println);
      }
      return 0;
    }
  }

  @Command(name = "counts", mixinStandardHelpOptions = true, description = "Totals of both stores.")
  static final class Counts implements Callable<Integer> {
    @ParentCommand QueryCommand query;

    @Override
    public Integer call() {
      WorkerConfig cfg = query.config();
      System.out.println("lancedb.rows\t" + LanceVariantStore.countRows(cfg.lanceDb(), null));
      try (KuzuGraphReader graph = KuzuGraphReader.open(cfg.kuzuDir())) {
        KuzuGraphReader.Counts c = graph.totals();
        System.out.println("kuzu.shards\t" + graph.shards().size());
        System.out.println("kuzu.samples\t" + c.samples());
        System.out.println("kuzu.variants\t" + c.variants());
        System.out.println("kuzu.relationships\t" + c.relationships());
      }
      return 0;
    }
  }
}
