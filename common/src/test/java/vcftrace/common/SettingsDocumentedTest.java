package vcftrace.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsDocumentedTest {
  @Test
  void everySettingIsARowOfTheReadmeTable() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (Setting s : Setting.values()) {
      String dflt = s.defaultValue().isEmpty() ? "" : "`" + s.defaultValue() + "`";
      String row = "| `" + s.name() + "` | " + s.doc() + " | " + dflt + " |";
      assertTrue(readme.contains(row), "README lacks the row: " + row);
    }
  }

  @Test
  void defaultsParseAndOverridesApply() {
    WorkerConfig d = WorkerConfig.fromEnv(Map.of());
    assertEquals("localhost:9092", d.kafka().get("bootstrap.servers"));
    assertEquals("vcf.jobs", d.topics().jobs());
    assertEquals(Duration.ofMinutes(10), d.bcftoolsTimeout());
    assertEquals(1024L << 20, d.kuzuBufferPoolBytes());
    assertEquals(d.dataDir().resolve("lancedb"), d.lanceDb());

    WorkerConfig o = WorkerConfig.fromEnv(Map.of("KAFKA_BOOTSTRAP", "k:1", "JOBS_TOPIC", "j", "DATA_DIR", "/d",
        "KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL", "RETRY_MAX_ATTEMPTS", "7"));
    assertEquals("k:1", o.kafka().get("bootstrap.servers"));
    assertEquals("SASL_SSL", o.kafka().get("security.protocol"));
    assertEquals("j", o.topics().jobs());
    assertEquals(Path.of("/d/kuzu"), o.kuzuDir());
    assertEquals(7, o.retryMaxAttempts());
  }

  @Test
  void badValuesNameTheVariable() {
    assertEquals("BCFTOOLS_TIMEOUT is not an ISO-8601 duration (e.g. PT30S): 10m",
        assertThrows(IllegalArgumentException.class,
            () -> WorkerConfig.fromEnv(Map.of("BCFTOOLS_TIMEOUT", "10m"))).getMessage());
    assertEquals("RETRY_MAX_ATTEMPTS must be >= 1",
        assertThrows(IllegalArgumentException.class,
            () -> WorkerConfig.fromEnv(Map.of("RETRY_MAX_ATTEMPTS", "0"))).getMessage());
  }
}
