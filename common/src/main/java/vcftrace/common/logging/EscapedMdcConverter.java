package vcftrace.common.logging;

import ch.qos.logback.classic.pattern.MDCConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** {@code %escapedMdc{key}}: an MDC value, its control characters escaped ({@link ControlChars}). */
public final class EscapedMdcConverter extends MDCConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return ControlChars.escape(super.convert(event));
  }
}
