package vcftrace.devkit.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the provisioned Grafana dashboards (grafana/dashboards/*.json) for tests: the panels, and the
 * PromQL of every Prometheus target with Grafana's variables replaced so that Prometheus itself can
 * evaluate it ({@code $__rate_interval} = 5m, {@code $__interval} = 1m, {@code $__range} = 1h).
 */
public final class Dashboards {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Grafana's built-in variables, as Prometheus would see them on a dashboard over the last hour. */
  static final Map<String, String> BUILTINS = Map.of(
      "__rate_interval", "5m",
      "__interval", "1m",
      "__interval_ms", "60000",
      "__range", "1h",
      "__range_s", "3600",
      "__range_ms", "3600000");

  /** {@code ${name}}, {@code ${name:format}}, {@code [[name]]} and {@code $name} ({@code $1} is no variable). */
  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\{([A-Za-z_]\\w*)(?::[^}]*)?}|\\[\\[([A-Za-z_]\\w*)]]|\\$([A-Za-z_]\\w*)");

  private Dashboards() {}

  /**
   * Every PromQL expression of the dashboard (targets of Prometheus datasources with a non-blank
   * {@code expr}, in panel order, rows' nested panels included), with Grafana's built-in variables
   * replaced. Fails on any other variable: the result must be plain PromQL.
   */
  public static List<String> dashboardExpressions(Path dashboardJson) {
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : panels(read(dashboardJson))) {
      for (JsonNode target : panel.path("targets")) {
        if (!isPrometheus(panel, target)) continue;
        String expr = target.path("expr").asText("");
        if (!expr.isBlank()) exprs.add(substitute(expr));
      }
    }
    return exprs;
  }

  /** {@code expr} with Grafana's built-in variables replaced by {@link #BUILTINS}. */
  public static String substitute(String expr) {
    Matcher m = VARIABLE.matcher(expr);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      String value = BUILTINS.get(name);
      if (value == null) {
        throw new IllegalArgumentException("unknown Grafana variable $" + name + " in: " + expr);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The dashboard JSON. */
  static JsonNode read(Path dashboardJson) {
    try {
      return JSON.readTree(dashboardJson.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dashboardJson, e);
    }
  }

  /** Every panel, depth first: a row's nested {@code panels} follow the row. */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    collect(dashboard.path("panels"), out);
    return out;
  }

  private static void collect(JsonNode panels, List<JsonNode> out) {
    for (JsonNode p : panels) {
      out.add(p);
      collect(p.path("panels"), out);
    }
  }

  /** The datasource of a target: its own, else the panel's. */
  static JsonNode datasource(JsonNode panel, JsonNode target) {
    JsonNode ds = target.path("datasource");
    return ds.isMissingNode() || ds.isNull() ? panel.path("datasource") : ds;
  }

  private static boolean isPrometheus(JsonNode panel, JsonNode target) {
    JsonNode ds = datasource(panel, target);
    // A target without any datasource runs on the default one, which is Prometheus here.
    return ds.isMissingNode() || ds.isNull() || "prometheus".equals(ds.path("type").asText());
  }
}
