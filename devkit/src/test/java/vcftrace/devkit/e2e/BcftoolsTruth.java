package vcftrace.devkit.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the stores should hold for a file, computed by the real bcftools independently of the worker:
 * normalised records, distinct variant ids, samples and non-reference genotypes.
 */
record BcftoolsTruth(long normalisedRecords, long distinctVariants, List<String> samples, long nonRefGenotypes,
    String carriedVariant, List<String> carriers) {

  static BcftoolsTruth of(Path vcf) throws IOException, InterruptedException {
    List<String> lines = pipe(vcf, "%CHROM-%POS-%REF-%ALT[\\t%GT]\\n");
    List<String> samples = run(List.of("bcftools", "query", "-l", vcf.toString()));
    Set<String> ids = new HashSet<>();
    long nonRef = 0;
    String carried = null;
    List<String> carriers = List.of();
    for (String line : lines) {
      String[] f = line.split("\t");
      if (!f[0].endsWith("-.")) ids.add(f[0]);
      List<String> who = new ArrayList<>();
      for (int i = 1; i < f.length; i++) {
        if (isNonRef(f[i])) {
          nonRef++;
          who.add(samples.get(i - 1));
        }
      }
      if (carried == null && !who.isEmpty()) {
        carried = f[0];
        carriers = who;
      }
    }
    return new BcftoolsTruth(lines.size(), ids.size(), samples, nonRef, carried, carriers);
  }

  static boolean isNonRef(String gt) {
    for (String a : gt.split("[/|]")) {
      if (!a.equals(".") && !a.equals("0")) return true;
    }
    return false;
  }

  private static List<String> pipe(Path vcf, String format) throws IOException, InterruptedException {
    List<Process> ps = ProcessBuilder.startPipeline(List.of(
        new ProcessBuilder("bcftools", "norm", "-m-any", "-Ou", vcf.toString()).redirectError(ProcessBuilder.Redirect.DISCARD),
        new ProcessBuilder("bcftools", "query", "-f", format).redirectError(ProcessBuilder.Redirect.DISCARD)));
    List<String> out = read(ps.get(ps.size() - 1));
    for (Process p : ps) {
      if (p.waitFor() != 0) throw new IOException("bcftools pipeline failed on " + vcf);
    }
    return out;
  }

  static List<String> run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<String> out = read(p);
    if (p.waitFor() != 0) throw new IOException("failed: " + cmd);
    return out;
  }

  private static List<String> read(Process p) throws IOException {
    List<String> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) if (!line.isEmpty()) out.add(line);
    }
    return out;
  }
}
