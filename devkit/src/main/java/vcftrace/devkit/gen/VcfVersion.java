package vcftrace.devkit.gen;

/** The {@code ##fileformat} a generated file declares. What is written is valid in each of them. */
public enum VcfVersion {
  V4_1("VCFv4.1"),
  V4_2("VCFv4.2"),
  V4_3("VCFv4.3");

  private final String fileformat;

  VcfVersion(String fileformat) {
    this.fileformat = fileformat;
  }

  /** The value of the {@code ##fileformat} line, e.g. {@code VCFv4.2}. */
  public String fileformat() {
    return fileformat;
  }

  /** Parses {@code 4.1}, {@code v4.1}, {@code VCFv4.1} or {@code V4_1}. */
  public static VcfVersion parse(String text) {
    String t = text.trim();
    for (VcfVersion v : values()) {
      String number = v.fileformat.substring("VCFv".length());
      if (t.equalsIgnoreCase(v.name()) || t.equalsIgnoreCase(v.fileformat) || t.equalsIgnoreCase(number)
          || t.equalsIgnoreCase("v" + number)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown VCF version '" + text + "'; known: 4.1, 4.2, 4.3");
  }
}
