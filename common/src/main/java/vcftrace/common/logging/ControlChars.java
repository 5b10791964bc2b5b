package vcftrace.common.logging;

/**
 * Escapes the characters that could make one log event look like several: a job id, a path or an error
 * message is user input, and a raw newline in one would let its sender write a line of their choosing
 * into the log. C0 and C1 control characters, DEL and the Unicode line and paragraph separators become
 * {@code \n}, {@code \r}, {@code \t} or {@code \}{@code uXXXX}; every other character is kept.
 */
public final class ControlChars {
  private ControlChars() {}

  /** {@code s} with its control characters escaped; {@code s} itself when it has none (or is null). */
  public static String escape(String s) {
    if (s == null) return null;
    int i = 0;
    while (i < s.length() && !needsEscape(s.charAt(i))) i++;
    if (i == s.length()) return s;
    StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!needsEscape(c)) {
        b.append(c);
        continue;
      }
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> b.append(String.format("\\u%04x", (int) c));
      }
    }
    return b.toString();
  }

  static boolean needsEscape(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }
}
