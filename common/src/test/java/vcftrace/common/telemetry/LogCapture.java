package vcftrace.common.telemetry;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what one logger writes, through a real logback appender, for as long as it is open. */
final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(Class<?> loggerClass) {
    this.logger = (Logger) LoggerFactory.getLogger(loggerClass);
    appender.start();
    logger.addAppender(appender);
  }

  static LogCapture of(Class<?> loggerClass) {
    return new LogCapture(loggerClass);
  }

  /** The formatted messages logged at WARN. */
  List<String> warnings() {
    // AppenderBase.doAppend holds the appender's monitor while it adds to the list.
    synchronized (appender) {
      return appender.list.stream()
          .filter(e -> e.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage)
          .toList();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
