package vcftrace.common.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

/**
 * {@code %escapedEx}: the stack trace as {@code %ex} writes it, one line per frame, with the control
 * characters of every exception message (causes and suppressed ones included) escaped: a message often
 * quotes user input (a path, a job id).
 */
public final class EscapedThrowableConverter extends ThrowableProxyConverter {
  @Override
  protected String throwableProxyToString(IThrowableProxy tp) {
    return super.throwableProxyToString(new Escaped(tp));
  }

  /** {@code tp} with escaped messages; the frames are the JVM's own and are left as they are. */
  private record Escaped(IThrowableProxy tp) implements IThrowableProxy {
    @Override
    public String getMessage() {
      return ControlChars.escape(tp.getMessage());
    }

    @Override
    public String getClassName() {
      return tp.getClassName();
    }

    @Override
    public StackTraceElementProxy[] getStackTraceElementProxyArray() {
      return tp.getStackTraceElementProxyArray();
    }

    @Override
    public int getCommonFrames() {
      return tp.getCommonFrames();
    }

    @Override
    public IThrowableProxy getCause() {
      return tp.getCause() == null ? null : new Escaped(tp.getCause());
    }

    @Override
    public IThrowableProxy[] getSuppressed() {
      IThrowableProxy[] s = tp.getSuppressed();
      if (s == null) return null;
      IThrowableProxy[] out = new IThrowableProxy[s.length];
      for (int i = 0; i < s.length; i++) out[i] = new Escaped(s[i]);
      return out;
    }

    @Override
    public boolean isCyclic() {
      return tp.isCyclic();
    }
  }
}
