package vcftrace.devkit.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import htsjdk.tribble.TribbleException;
import htsjdk.variant.variantcontext.VariantContext;
import htsjdk.variant.vcf.VCFFileReader;
import htsjdk.variant.vcf.VCFHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Pins what the canned malformed files are for: bcftools 1.16 lets most of them through, htsjdk
 * rejects all of them, and only the promised line differs from a valid file.
 */
final class MalformationTest {

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Malformation.class)
  void onlyTheNamedLineIsBroken(Malformation kind) throws Exception {
    Path bad = VcfGenerator.malformed(dir, kind);
    assertEquals(kind.fileName(), bad.getFileName().toString());
    Path good = dir.resolve("valid.vcf");
    VcfGenerator.write(Malformation.BASE_SPEC, good);
    List<String> goodLines = Files.readAllLines(good);
    List<String> badLines = Files.readAllLines(bad);
    assertEquals(goodLines.size(), badLines.size());
    List<Integer> differing = new ArrayList<>();
    for (int i = 0; i < goodLines.size(); i++) {
      if (!goodLines.get(i).equals(badLines.get(i))) differing.add(i + 1);
    }
    assertEquals(List.of(VcfGenerator.MALFORMED_LINE), differing);
    assertEquals(VcfGenerator.MALFORMED_LINE, kind.line());
  }

  @ParameterizedTest
  @EnumSource(Malformation.class)
  void bcftoolsBehavesAsDocumented(Malformation kind) throws Exception {
    Path bad = VcfGenerator.malformed(dir, kind);
    Bcftools.Result view = Bcftools.run("view", "-H", bad.toString());
    if (kind.bcftoolsAccepts()) {
      assertEquals(0, view.exitCode(), view.stderr());
      assertEquals(Malformation.BASE_SPEC.variants(), view.lines().size());
    } else {
      assertNotEquals(0, view.exitCode());
    }
  }

  @ParameterizedTest
  @EnumSource(Malformation.class)
  void htsjdkRejectsIt(Malformation kind) throws Exception {
    Path bad = VcfGenerator.malformed(dir, kind);
    TribbleException e =
        assertThrows(
            TribbleException.class,
            () -> {
              try (VCFFileReader reader = new VCFFileReader(bad, false)) {
                VCFHeader header = reader.getFileHeader();
                for (VariantContext vc : reader) vc.fullyDecode(header, false).getGenotypes().size();
              }
            });
    assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
  }

  @Test
  void defaultMalformedFileIsTheNonNumericPos() throws Exception {
    Path bad = VcfGenerator.malformed(dir);
    assertEquals(Malformation.NON_NUMERIC_POS.fileName(), bad.getFileName().toString());
    String line = Files.readAllLines(bad).get(VcfGenerator.MALFORMED_LINE - 1);
    assertTrue(line.split("\t")[1].matches("\\d{1,3}(,\\d{3})+"), line);
    assertEquals(Malformation.values().length, VcfGenerator.malformedAll(dir).size());
  }
}
