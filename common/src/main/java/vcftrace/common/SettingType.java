package vcftrace.common;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * The type of a {@link Setting}'s value and the one way a raw environment string becomes it (the
 * counterpart of Kafka's {@code ConfigDef.Type}). A string the type cannot parse is reported by {@link
 * Setting} with the setting's name and the string.
 */
public enum SettingType {
  /** Any non-blank string, as given. */
  STRING("a string", s -> s),
  /** A decimal {@code int}. */
  INT("an integer", Integer::parseInt),
  /** A decimal {@code long}. */
  LONG("an integer", Long::parseLong),
  /** An ISO-8601 duration, e.g. {@code PT30S}. */
  DURATION("an ISO-8601 duration (e.g. PT30S)", Duration::parse),
  /** A file system path, as given (relative paths are resolved by the user of the value). */
  PATH("a path", Path::of);

  private final String description;
  private final Function<String, Object> parser;

  SettingType(String description, Function<String, Object> parser) {
    this.description = description;
    this.parser = parser;
  }

  /** What a value must look like, for error messages: "an integer". */
  public String description() {
    return description;
  }

  /** Parses a trimmed, non-blank string; throws a {@link RuntimeException} when it is not of this type. */
  Object parse(String raw) {
    return parser.apply(raw);
  }
}
