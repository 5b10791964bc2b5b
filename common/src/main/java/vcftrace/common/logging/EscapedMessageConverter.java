package vcftrace.common.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** {@code %escapedMsg}: the formatted message, its control characters escaped ({@link ControlChars}). */
public final class EscapedMessageConverter extends MessageConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return ControlChars.escape(super.convert(event));
  }
}
