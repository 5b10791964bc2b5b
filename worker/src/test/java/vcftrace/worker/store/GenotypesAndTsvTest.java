package vcftrace.worker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenotypesAndTsvTest {

  @TempDir Path tmp;

  @Test
  void zygosityRules() {
    assertEquals("HET", Genotypes.zygosity("0/1"));
    assertEquals("HET", Genotypes.zygosity("1|0"));
    assertEquals("HET", Genotypes.zygosity("0/2"));
    assertEquals("HOM_ALT", Genotypes.zygosity("1/1"));
    assertEquals("HOM_ALT", Genotypes.zygosity("1|1"));
    assertEquals("HOM_ALT", Genotypes.zygosity("./1"));
    assertEquals("HOM_ALT", Genotypes.zygosity("1/2"));
    assertEquals("HOM_ALT", Genotypes.zygosity("1/1/1"));
    assertEquals("HET", Genotypes.zygosity("0/0/1"));
    assertEquals("HEMI", Genotypes.zygosity("1"));
    assertEquals("HEMI", Genotypes.zygosity("12"));
    assertEquals("HET", Genotypes.zygosity("0/10"));
    assertNull(Genotypes.zygosity("0"));
    assertNull(Genotypes.zygosity("."));
    assertNull(Genotypes.zygosity("./."));
    assertNull(Genotypes.zygosity(".|."));
    assertNull(Genotypes.zygosity("0/0"));
    assertNull(Genotypes.zygosity("0/."));
    assertNull(Genotypes.zygosity(""));
    assertNull(Genotypes.zygosity("A/B"));
  }

  @Test
  void readerSplitsFieldsAcrossBufferBoundariesAndDigestsAllBytes() throws Exception {
    StringBuilder content = new StringBuilder();
    for (int i = 0; i < 60_000; i++) { // > 1 MiB so lines straddle buffer refills
      content.append("chr1\t").append(i + 1).append("\tA\tG\t.\tPASS\t0/1\n");
    }
    content.append("chr2\t7\tAC\t*\t3.5\tq10;LowQual\t1"); // no trailing newline, long-ish
    Path file = StoreTestData.write(tmp, "t.tsv", content.toString());
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    long lines = 0;
    try (VariantTsvReader r = new VariantTsvReader(file, 1, digest)) {
      while (r.next()) {
        lines++;
        if (lines == 60_001) {
          assertEquals("chr2-7-AC-*", r.variantId());
          assertEquals(7, r.pos());
          assertEquals(3.5, r.qual());
          assertEquals("q10;LowQual", r.string(VariantTsvReader.FILTER));
          assertEquals("1", r.string(VariantTsvReader.FIXED_COLUMNS));
          assertFalse(r.isDot(VariantTsvReader.ALT));
        } else if (lines == 1) {
          assertTrue(Double.isNaN(r.qual()));
          assertEquals("chr1-1-A-G", r.variantId());
        }
      }
    }
    assertEquals(60_001, lines);
    String expected =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.toString().getBytes()));
    assertEquals(expected, HexFormat.of().formatHex(digest.digest()));
  }

  @Test
  void hashSetAndVariantHash() {
    LongHashSet set = new LongHashSet();
    for (long i = -100_000; i < 100_000; i++) {
      assertTrue(set.add(i * 0x9E3779B97F4A7C15L));
    }
    for (long i = -100_000; i < 100_000; i++) {
      assertFalse(set.add(i * 0x9E3779B97F4A7C15L));
    }
  }
}
