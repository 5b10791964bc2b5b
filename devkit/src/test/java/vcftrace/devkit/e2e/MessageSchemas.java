package vcftrace.devkit.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import vcftrace.common.Json;

/**
 * The JSON Schemas of the job and the result as shipped in the common jar
 * ({@code vcftrace/schema/*.schema.json}), to check the records the real producer and workers wrote.
 */
final class MessageSchemas {
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
      SpecificationVersion.DRAFT_2020_12,
      b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
  static final Schema REQUEST = load("/vcftrace/schema/job-request.schema.json");
  static final Schema RESULT = load("/vcftrace/schema/job-result.schema.json");

  private MessageSchemas() {}

  /** The schema's complaints about the JSON {@code value}; empty when it validates. */
  static List<String> errors(Schema schema, byte[] value) {
    try {
      return schema.validate(Json.MAPPER.readTree(value)).stream().map(Error::toString).toList();
    } catch (IOException e) {
      return List.of("not JSON: " + e.getMessage());
    }
  }

  private static Schema load(String resource) {
    try (InputStream in = MessageSchemas.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException(resource + " is not on the class path");
      JsonNode node = Json.MAPPER.readTree(in);
      return REGISTRY.getSchema(node.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
