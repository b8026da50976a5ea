package org.taskgrid.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows of text in aligned columns, two spaces apart, headers first: what {@code kubectl get} and
 * {@code docker ps} print. A column whose every value is a number is aligned to the right.
 */
final class TextTable {
  private static final String GAP = "  ";

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  TextTable(List<String> headers) {
    this.headers = List.copyOf(headers);
  }

  TextTable add(List<String> row) {
    if (row.size() != headers.size()) {
      throw new IllegalArgumentException("a row of " + row.size() + " cells in a table of " + headers.size() + " columns");
    }
    rows.add(List.copyOf(row));
    return this;
  }

  /** The table, one line per row, each ending with a line separator; no trailing spaces. */
  String render() {
    int[] widths = new int[headers.size()];
    boolean[] numeric = new boolean[headers.size()];
    for (int column = 0; column < headers.size(); column++) {
      widths[column] = headers.get(column).length();
      numeric[column] = !rows.isEmpty();
      for (List<String> row : rows) {
        widths[column] = Math.max(widths[column], row.get(column).length());
        numeric[column] &= row.get(column).matches("-?\\d+(\\.\\d+)?");
      }
    }
    StringBuilder text = new StringBuilder();
    line(text, headers, widths, numeric);
    for (List<String> row : rows) {
      line(text, row, widths, numeric);
    }
    return text.toString();
  }

  private static void line(StringBuilder text, List<String> cells, int[] widths, boolean[] numeric) {
    StringBuilder line = new StringBuilder();
    for (int column = 0; column < cells.size(); column++) {
      String cell = cells.get(column);
      String padding = " ".repeat(widths[column] - cell.length());
      if (column > 0) {
        line.append(GAP);
      }
      line.append(numeric[column] ? padding + cell : cell + padding);
    }
    text.append(line.toString().stripTrailing()).append(System.lineSeparator());
  }
}
