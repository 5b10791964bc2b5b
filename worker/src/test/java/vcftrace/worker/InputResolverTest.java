package vcftrace.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.common.ErrorType;
import vcftrace.worker.step.StepException;

class InputResolverTest {
  @TempDir Path tmp;

  ErrorType refused(InputResolver r, String input) {
    return assertThrows(StepException.class, () -> r.resolve(input)).type();
  }

  @Test
  void confinesJobsToTheInputRoot() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    Path inside = Files.writeString(root.resolve("a.vcf"), "x");
    Path outside = Files.writeString(tmp.resolve("secret.vcf"), "x");
    Files.createSymbolicLink(root.resolve("link.vcf"), outside);
    Files.writeString(root.resolve("-o.vcf"), "x");
    InputResolver r = new InputResolver(root);

    assertEquals(inside.toRealPath(), r.resolve("a.vcf"));
    assertEquals(inside.toRealPath(), r.resolve(inside.toString()));
    assertEquals(ErrorType.INPUT_FORBIDDEN, refused(r, "../secret.vcf"));
    assertEquals(ErrorType.INPUT_FORBIDDEN, refused(r, outside.toString()));
    assertEquals(ErrorType.INPUT_FORBIDDEN, refused(r, "/etc/passwd"));
    assertEquals(ErrorType.INPUT_FORBIDDEN, refused(r, "link.vcf"));
    assertEquals(ErrorType.INPUT_NOT_FOUND, refused(r, "missing.vcf"));
    assertEquals(ErrorType.INPUT_NOT_FOUND, refused(r, "."));
    // a name that looks like an option comes back absolute, so it can never be read as one
    assertEquals(root.toRealPath().resolve("-o.vcf"), r.resolve("-o.vcf"));
  }

  @Test
  void outsideIsRefusedBeforeTheFilesystemIsAsked() {
    InputResolver r = new InputResolver(tmp.resolve("root"));
    StepException e = assertThrows(StepException.class, () -> r.resolve("../../no/such/file.vcf"));
    assertEquals(ErrorType.INPUT_FORBIDDEN, e.type(), "not INPUT_NOT_FOUND: existence outside is never probed");
  }
}
