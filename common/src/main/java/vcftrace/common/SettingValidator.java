package vcftrace.common;

import java.time.Duration;
import java.util.List;

/**
 * A check on a parsed {@link Setting} value (the counterpart of Kafka's {@code ConfigDef.Validator}).
 * It returns what is wrong, or {@code null} when the value is fine; {@link Setting} turns the problem
 * into an {@link IllegalArgumentException} that names the setting and the raw value. A validator sees
 * values of the setting's {@link SettingType} only.
 */
@FunctionalInterface
public interface SettingValidator {

  /** What is wrong with {@code value}, e.g. "must be >= 1", or {@code null}. */
  String problem(Object value);

  /** Accepts every value of the type. */
  static SettingValidator any() {
    return v -> null;
  }

  /** An {@code INT} or {@code LONG} of at least {@code min}. */
  static SettingValidator atLeast(long min) {
    return v -> ((Number) v).longValue() >= min ? null : "must be >= " + min;
  }

  /** An {@code INT} or {@code LONG} from {@code min} to {@code max}, both included. */
  static SettingValidator between(long min, long max) {
    return v -> {
      long n = ((Number) v).longValue();
      return n >= min && n <= max ? null : "must be between " + min + " and " + max;
    };
  }

  /** A {@code DURATION} longer than zero. */
  static SettingValidator positive() {
    return v -> ((Duration) v).isNegative() || ((Duration) v).isZero() ? "must be > 0" : null;
  }

  /** A {@code STRING} equal to one of {@code allowed}. */
  static SettingValidator oneOf(String... allowed) {
    List<String> list = List.of(allowed);
    return v -> list.contains(v) ? null : "must be one of " + String.join(", ", list);
  }
}
