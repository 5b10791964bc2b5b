package vcftrace.worker.vcf;

import static java.util.Objects.requireNonNull;

/**
 * One {@code ##INFO} or {@code ##FORMAT} declaration: the key, how many values it takes and their type.
 *
 * @param fixed the count when {@code number} is {@link Number#FIXED}
 */
public record FieldDef(String id, Number number, int fixed, Type type) {
  /** VCF's {@code Number}: an integer, or one value per ALT (A), per allele (R), per genotype (G), or any (.). */
  public enum Number { FIXED, A, R, G, UNBOUNDED }

  public enum Type { INTEGER, FLOAT, FLAG, CHARACTER, STRING }

  public FieldDef {
    requireNonNull(id, "id");
    requireNonNull(number, "number");
    requireNonNull(type, "type");
  }

  /** What the header completion declares for a key the file uses without declaring it. */
  public static FieldDef undeclared(String id, boolean flag) {
    return flag ? new FieldDef(id, Number.FIXED, 0, Type.FLAG) : new FieldDef(id, Number.UNBOUNDED, 0, Type.STRING);
  }

  /** The {@code Number=} text of a declaration. */
  public String numberText() {
    return switch (number) {
      case FIXED -> Integer.toString(fixed);
      case A -> "A";
      case R -> "R";
      case G -> "G";
      case UNBOUNDED -> ".";
    };
  }

  /** The {@code Type=} text of a declaration. */
  public String typeText() {
    return switch (type) {
      case INTEGER -> "Integer";
      case FLOAT -> "Float";
      case FLAG -> "Flag";
      case CHARACTER -> "Character";
      case STRING -> "String";
    };
  }
}
