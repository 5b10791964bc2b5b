package vcftrace.common;

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

/** The JSON Schemas of the two messages, as shipped on the class path, with format assertions on. */
final class MessageSchemas {
  static final String REQUEST = "/vcftrace/schema/job-request.schema.json";
  static final String RESULT = "/vcftrace/schema/job-result.schema.json";

  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
      SpecificationVersion.DRAFT_2020_12,
      b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

  private MessageSchemas() {}

  static JsonNode node(String resource) {
    try (InputStream in = MessageSchemas.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException(resource + " is not on the class path");
      return Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Schema schema(String resource) {
    return REGISTRY.getSchema(node(resource).toString());
  }

  /** The schema's complaints about {@code message}, each as {@code location: message}. */
  static List<String> errors(Schema schema, JsonNode message) {
    return schema.validate(message).stream().map(Error::toString).toList();
  }
}
