package vcftrace.producer;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Expands the {@code publish} arguments: files, directories (recursive) and globs, to VCF files. */
final class InputFiles {
  private InputFiles() {}

  static boolean isVcf(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".vcf") || n.endsWith(".vcf.gz") || n.endsWith(".vcf.bgz") || n.endsWith(".bcf");
  }

  /** Sorted, absolute, without duplicates. Throws when an argument matches nothing. */
  static List<Path> expand(List<String> args) throws IOException {
    TreeSet<Path> out = new TreeSet<>();
    for (String arg : args) {
      int before = out.size();
      if (arg.contains("*") || arg.contains("?") || arg.contains("[")) {
        glob(arg, out);
      } else {
        Path p = Path.of(arg).toAbsolutePath().normalize();
        if (Files.isDirectory(p)) {
          try (Stream<Path> s = Files.walk(p)) {
            s.filter(Files::isRegularFile).filter(InputFiles::isVcf).forEach(out::add);
          }
        } else if (Files.isRegularFile(p)) {
          out.add(p); // named explicitly: the worker decides whether it is a VCF
        } else {
          throw new IOException("no such file or directory: " + arg);
        }
      }
      if (out.size() == before) throw new IOException("no .vcf, .vcf.gz or .bcf files in " + arg);
    }
    return new ArrayList<>(out);
  }

  private static void glob(String arg, TreeSet<Path> out) throws IOException {
    // The directory part before the first wildcard is where the walk starts.
    Path abs = Path.of(arg).isAbsolute() ? Path.of("/") : Path.of("").toAbsolutePath();
    String pattern = Path.of(arg).isAbsolute() ? arg : abs.resolve(arg).toString();
    int wild = indexOfWildcard(pattern);
    int slash = pattern.lastIndexOf('/', wild);
    Path base = Path.of(slash <= 0 ? "/" : pattern.substring(0, slash));
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    if (!Files.isDirectory(base)) return;
    try (Stream<Path> s = Files.walk(base)) {
      s.filter(Files::isRegularFile).filter(p -> m.matches(p)).filter(InputFiles::isVcf).map(Path::normalize).forEach(out::add);
    }
  }

  private static int indexOfWildcard(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '*' || c == '?' || c == '[') return i;
    }
    return -1;
  }
}
