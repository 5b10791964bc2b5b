package vcftrace.worker;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import vcftrace.common.ErrorType;
import vcftrace.worker.step.StepException;

/**
 * Confines jobs to the input root. The path is checked lexically before the filesystem is touched (so
 * a job cannot even probe what exists elsewhere), then again after links are resolved (so a link inside
 * the root cannot point out of it). The returned path is absolute: a file named {@code -o} can never
 * pass for a bcftools option.
 */
public final class InputResolver {
  private final Path root;

  public InputResolver(Path root) {
    this.root = requireNonNull(root, "root").toAbsolutePath().normalize();
  }

  public Path resolve(String input) throws StepException {
    Path p;
    try {
      p = root.resolve(input).normalize();
    } catch (InvalidPathException e) {
      throw new StepException(ErrorType.INPUT_FORBIDDEN, "input is not a valid path: " + e.getMessage());
    }
    if (!p.startsWith(root)) {
      throw new StepException(ErrorType.INPUT_FORBIDDEN, "input " + input + " lies outside INPUT_ROOT " + root);
    }
    if (!Files.exists(p)) {
      throw new StepException(ErrorType.INPUT_NOT_FOUND, "input file not found: " + input);
    }
    Path real;
    try {
      real = p.toRealPath();
      if (!real.startsWith(root.toRealPath())) {
        throw new StepException(
            ErrorType.INPUT_FORBIDDEN, "input " + input + " is a link that leaves INPUT_ROOT " + root);
      }
    } catch (IOException e) {
      throw new StepException(ErrorType.INPUT_NOT_FOUND, "input file not readable: " + input + ": " + e.getMessage());
    }
    if (!Files.isRegularFile(real) || !Files.isReadable(real)) {
      throw new StepException(ErrorType.INPUT_NOT_FOUND, "input is not a readable regular file: " + input);
    }
    return real;
  }
}
