package vcftrace.common;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SettingsDocumentedTest {
  private static final Pattern ROW = Pattern.compile("^\\| `([A-Z0-9_]+)` \\| (.*) \\| (.*) \\|$", Pattern.MULTILINE);

  /** The table of the README's Settings section: variable -> {meaning, default column}. */
  private static Map<String, List<String>> readmeTable() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("\n## Settings\n");
    assertTrue(start >= 0, "README has no Settings section");
    int end = readme.indexOf("\n## ", start + 1);
    Map<String, List<String>> rows = new LinkedHashMap<>();
    Matcher m = ROW.matcher(readme.substring(start, end < 0 ? readme.length() : end));
    while (m.find()) rows.put(m.group(1), List.of(m.group(2), m.group(3)));
    return rows;
  }

  @Test
  void everySettingIsARowOfTheReadmeTableWithItsDocAndDefault() throws Exception {
    Map<String, List<String>> rows = readmeTable();
    for (Setting s : Setting.values()) {
      List<String> row = rows.get(s.name());
      assertNotNull(row, "README lacks a row for " + s.name());
      assertEquals(s.doc(), row.get(0), s.name() + ": README meaning");
      String dflt = s.defaultValue().isEmpty() ? "" : "`" + s.defaultValue() + "`";
      assertEquals(dflt, row.get(1), s.name() + ": README default");
    }
  }

  @Test
  void everyReadmeRowOfOursIsASetting() throws Exception {
    for (String name : readmeTable().keySet()) {
      // OTEL_* and VCFTRACE_* are read by the OpenTelemetry SDK (Telemetry); KAFKA_CLIENT_<NAME> by KafkaSettings.
      if (name.startsWith("OTEL_") || name.startsWith("VCFTRACE_")) continue;
      assertNotNull(Setting.valueOf(name), name);
    }
  }

  @Test
  void everyDefaultParsesAndPassesItsValidator() {
    for (Setting s : Setting.values()) {
      Object v = s.value(Map.of());
      if (s.defaultValue().isEmpty()) {
        assertNull(v, s.name());
        continue;
      }
      assertNotNull(v, s.name());
      Class<?> expected = switch (s.type()) {
        case STRING -> String.class;
        case INT -> Integer.class;
        case LONG -> Long.class;
        case DURATION -> Duration.class;
        case PATH -> Path.class;
      };
      assertTrue(expected.isInstance(v), s.name() + " default is a " + v.getClass());
    }
  }

  @Test
  void defaultsParseAndOverridesApply() {
    WorkerConfig d = WorkerConfig.fromEnv(Map.of());
    assertEquals("localhost:9092", d.kafka().get("bootstrap.servers"));
    assertEquals("vcf.jobs", d.topics().jobs());
    assertEquals(6, d.topics().partitions());
    assertEquals((short) 1, d.topics().replication());
    assertEquals(Duration.ofMinutes(10), d.bcftoolsTimeout());
    assertEquals(1024L << 20, d.kuzuBufferPoolBytes());
    assertEquals(1024L << 20, d.minFreeDiskBytes());
    assertEquals(Path.of("vcf-data").toAbsolutePath(), d.dataDir());
    assertEquals(d.dataDir().resolve("lancedb"), d.lanceDb());
    assertEquals(d.dataDir().resolve("kuzu"), d.kuzuDir());
    assertEquals(Path.of(".").toAbsolutePath().normalize(), d.inputRoot());
    assertTrue(d.workerId().endsWith("-" + ProcessHandle.current().pid()), d.workerId());
    assertFalse(d.strictValidation());
    assertEquals(9464, d.metricsPort());

    WorkerConfig o = WorkerConfig.fromEnv(Map.ofEntries(Map.entry("KAFKA_BOOTSTRAP", "k:1"),
        Map.entry("JOBS_TOPIC", "j"), Map.entry("DATA_DIR", "/d"), Map.entry("LANCE_DB", "/l"),
        Map.entry("KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL"), Map.entry("RETRY_MAX_ATTEMPTS", " 7 "),
        Map.entry("WORKER_ID", "w1"), Map.entry("VCF_VALIDATION", "strict"), Map.entry("METRICS_PORT", "-1"),
        Map.entry("MIN_FREE_DISK_MB", "0"), Map.entry("TOPIC_REPLICATION", "3"), Map.entry("BCFTOOLS", "  ")));
    assertEquals("k:1", o.kafka().get("bootstrap.servers"));
    assertEquals("SASL_SSL", o.kafka().get("security.protocol"));
    assertEquals("j", o.topics().jobs());
    assertEquals((short) 3, o.topics().replication());
    assertEquals(Path.of("/d/kuzu"), o.kuzuDir());
    assertEquals(Path.of("/l"), o.lanceDb());
    assertEquals(7, o.retryMaxAttempts());
    assertEquals("w1", o.workerId());
    assertTrue(o.strictValidation());
    assertEquals(-1, o.metricsPort());
    assertEquals(0, o.minFreeDiskBytes());
    assertEquals("bcftools", o.bcftools(), "a blank variable counts as unset");
  }

  @Test
  void badValuesFailAtStartUpNamingTheSetting() {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("BCFTOOLS_TIMEOUT=10m", "BCFTOOLS_TIMEOUT: not an ISO-8601 duration (e.g. PT30S) (got '10m')");
    cases.put("BCFTOOLS_TIMEOUT=PT0S", "BCFTOOLS_TIMEOUT: must be > 0 (got 'PT0S')");
    cases.put("SHUTDOWN_TIMEOUT=-PT1S", "SHUTDOWN_TIMEOUT: must be > 0 (got '-PT1S')");
    cases.put("RETRY_MAX_ATTEMPTS=0", "RETRY_MAX_ATTEMPTS: must be >= 1 (got '0')");
    cases.put("MAX_MESSAGE_BYTES=abc", "MAX_MESSAGE_BYTES: not an integer (got 'abc')");
    cases.put("KUZU_BUFFER_POOL_MB=8", "KUZU_BUFFER_POOL_MB: must be between 16 and 8796093022207 (got '8')");
    cases.put("MIN_FREE_DISK_MB=-1", "MIN_FREE_DISK_MB: must be between 0 and 8796093022207 (got '-1')");
    cases.put("METRICS_PORT=65536", "METRICS_PORT: must be between -1 and 65535 (got '65536')");
    cases.put("VCF_VALIDATION=STRICT", "VCF_VALIDATION: must be one of lenient, strict (got 'STRICT')");
    cases.put("TOPIC_PARTITIONS=0", "TOPIC_PARTITIONS: must be >= 1 (got '0')");
    cases.put("TOPIC_REPLICATION=40000", "TOPIC_REPLICATION: must be between 1 and 32767 (got '40000')");
    cases.put("DATA_DIR=a\0b", "DATA_DIR: not a path (got 'a\0b')");
    assertAll(cases.entrySet().stream().map(c -> (Executable) () -> {
      String[] kv = c.getKey().split("=", 2);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> WorkerConfig.fromEnv(Map.of(kv[0], kv[1])), c.getKey());
      assertEquals(c.getValue(), e.getMessage());
    }));
  }

  @Test
  void aWrongAccessorIsABugNotABadValue() {
    assertThrows(IllegalStateException.class, () -> Setting.BCFTOOLS_TIMEOUT.integer(Map.of()));
  }
}
