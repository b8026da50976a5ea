package org.taskgrid.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * {@code GET /v1/cluster} as two tables, members and executors. The columns come from the answer
 * itself (the known fields first, in a sensible order, then any other), so a field the gateway
 * adds later shows up without a new CLI.
 */
final class ClusterReport {
  private static final List<String> MEMBER_COLUMNS = List.of("address", "roles", "status");
  private static final List<String> EXECUTOR_COLUMNS = List.of("node", "state", "capacity", "inFlight", "completed");

  private ClusterReport() {}

  static String render(JsonNode cluster) {
    StringBuilder text = new StringBuilder();
    String nl = System.lineSeparator();
    if (cluster.path("self").isTextual()) {
      text.append("gateway: ").append(cluster.path("self").asText()).append(nl).append(nl);
    }
    text.append(table(cluster.path("members"), MEMBER_COLUMNS, "no members"));
    text.append(nl);
    text.append(table(cluster.path("executors"), EXECUTOR_COLUMNS, "no executors"));
    return text.toString();
  }

  private static String table(JsonNode items, List<String> knownColumns, String whenEmpty) {
    List<JsonNode> rows = items.isArray() ? StreamSupport.stream(items.spliterator(), false).toList() : List.of();
    if (rows.isEmpty()) {
      return "(" + whenEmpty + ")" + System.lineSeparator();
    }
    List<String> columns = columns(rows, knownColumns);
    TextTable table = new TextTable(columns.stream().map(ClusterReport::header).toList());
    for (JsonNode row : rows) {
      table.add(columns.stream().map(column -> cell(row.get(column))).toList());
    }
    return table.render();
  }

  /** The known columns that some row has, then every other field in order of first appearance. */
  private static List<String> columns(List<JsonNode> rows, List<String> knownColumns) {
    Set<String> columns = new LinkedHashSet<>();
    for (String known : knownColumns) {
      if (rows.stream().anyMatch(row -> row.has(known))) {
        columns.add(known);
      }
    }
    for (JsonNode row : rows) {
      for (Iterator<String> names = row.fieldNames(); names.hasNext(); ) {
        columns.add(names.next());
      }
    }
    return new ArrayList<>(columns);
  }

  /** {@code inFlight} -> {@code IN FLIGHT}. */
  static String header(String field) {
    return field.replaceAll("([a-z0-9])([A-Z])", "$1 $2").replace('_', ' ').toUpperCase(Locale.ROOT);
  }

  /** Text as it is, a list of plain values joined by commas, anything else as compact JSON. */
  static String cell(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return "-";
    }
    if (value.isValueNode()) {
      return value.asText();
    }
    if (value.isArray() && StreamSupport.stream(value.spliterator(), false).allMatch(JsonNode::isValueNode)) {
      String joined = StreamSupport.stream(value.spliterator(), false).map(JsonNode::asText).collect(Collectors.joining(","));
      return joined.isEmpty() ? "-" : joined;
    }
    return Json.write(value);
  }
}
