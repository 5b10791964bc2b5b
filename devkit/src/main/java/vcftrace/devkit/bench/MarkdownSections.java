package vcftrace.devkit.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * BENCHMARKS.md holds one {@code ## } section per benchmark command; a rerun replaces its own section
 * and leaves the others (and their hand-written notes) alone.
 */
final class MarkdownSections {
  private MarkdownSections() {}

  /**
   * Replaces the section starting with the line {@code heading} (up to the next {@code ## } heading)
   * by {@code section}, or appends it; creates the file when needed.
   */
  static void replace(Path file, String heading, String section) throws IOException {
    String existing = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    String updated;
    int start = existing.indexOf(heading + "\n");
    if (start >= 0) {
      int end = existing.indexOf("\n## ", start + heading.length());
      updated = existing.substring(0, start) + section + (end < 0 ? "" : existing.substring(end + 1));
    } else if (existing.isBlank()) {
      updated = "# Benchmarks\n\n" + section;
    } else {
      updated = existing + (existing.endsWith("\n\n") ? "" : existing.endsWith("\n") ? "\n" : "\n\n") + section;
    }
    Files.writeString(file, updated, StandardCharsets.UTF_8);
  }
}
