package vcftrace.worker.vcf;

/**
 * A breach of a MUST of the VCF specification: the line it is on (1-based, 0 when the file as a whole
 * is at fault) and the rule, in the specification's words, then what was found.
 */
public final class VcfViolation extends Exception {
  private final long line;
  private final String rule;

  public VcfViolation(long line, String rule, String found) {
    super(message(line, rule, found));
    this.line = line;
    this.rule = rule;
  }

  public long line() {
    return line;
  }

  public String rule() {
    return rule;
  }

  private static String message(long line, String rule, String found) {
    return (line > 0 ? "line " + line + ": " : "") + rule + (found == null || found.isEmpty() ? "" : " (" + found + ")");
  }
}
