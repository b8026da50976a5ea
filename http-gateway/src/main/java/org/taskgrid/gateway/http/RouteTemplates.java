package org.taskgrid.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The route templates of the API ({@code /v1/jobs/{id}/events}), taken from the paths of the
 * OpenAPI document, and which one a raw path matches. The document is the one list of routes,
 * so a metric's {@code route} tag and the contract cannot drift apart.
 */
public final class RouteTemplates {
  /** The template of a path that matches no route. */
  public static final String UNMATCHED = "unmatched";

  /**
   * The dashboard ({@link DashboardRoutes}): its page and assets, outside the v1 contract and
   * its document.
   */
  public static final List<String> DASHBOARD =
      List.of("/", "/dashboard/dashboard.js", "/dashboard/dashboard.css");

  private static final Pattern PARAMETER = Pattern.compile("\\{[^/}]+}");

  /**
   * A template as its segments between slashes: a literal one must be equal, a {@code null} one (a
   * parameter) any non-empty segment. Compared segment by segment, with no regular expression:
   * every request is matched, and a regex per template per request showed in the profile.
   */
  private record Template(String template, String[] segments) {
    boolean matches(String[] path) {
      if (path.length != segments.length) {
        return false;
      }
      for (int i = 0; i < path.length; i++) {
        if (segments[i] == null ? path[i].isEmpty() : !segments[i].equals(path[i])) {
          return false;
        }
      }
      return true;
    }
  }

  private final List<Template> templates;

  private RouteTemplates(List<Template> templates) {
    this.templates = List.copyOf(templates);
  }

  /** The templates of the paths of an OpenAPI document, and the dashboard's. */
  public static RouteTemplates of(JsonNode openApi) {
    List<Template> templates = new ArrayList<>();
    DASHBOARD.forEach(path -> templates.add(template(path)));
    openApi.path("paths").fieldNames().forEachRemaining(path -> templates.add(template(path)));
    return new RouteTemplates(templates);
  }

  /** The template {@code path} matches; a trailing slash is the same route, as the routes say. */
  public String match(String path) {
    String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    String[] segments = trimmed.split("/", -1);
    for (Template template : templates) {
      if (template.matches(segments)) {
        return template.template();
      }
    }
    return UNMATCHED;
  }

  /** Every template. */
  public List<String> all() {
    return templates.stream().map(Template::template).toList();
  }

  private static Template template(String template) {
    String[] segments = template.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (PARAMETER.matcher(segments[i]).matches()) {
        segments[i] = null;
      }
    }
    return new Template(template, segments);
  }
}
