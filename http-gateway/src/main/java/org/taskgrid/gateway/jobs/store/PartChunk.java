package org.taskgrid.gateway.jobs.store;

import java.util.Map;

/**
 * The text of one row of {@code part_chunks}: the results of many parts of one job, a line per
 * part, its index, a space and its result as JSON text. JSON needs no line break of its own: inside
 * a string one is escaped, outside it is whitespace, so a line break in a result becomes a space.
 */
final class PartChunk {

  private PartChunk() {}

  static String write(Map<Integer, String> results) {
    int length = 0;
    for (String result : results.values()) {
      length += result.length() + 12;
    }
    StringBuilder text = new StringBuilder(length);
    for (Map.Entry<Integer, String> part : results.entrySet()) {
      text.append(part.getKey()).append(' ');
      String result = part.getValue();
      text.append(result.indexOf('\n') < 0 ? result : result.replace('\n', ' ')).append('\n');
    }
    return text.toString();
  }

  /** Adds the chunk's parts to {@code results}; a part already there keeps its result. */
  static void read(String chunk, Map<Integer, String> results) {
    int from = 0;
    while (from < chunk.length()) {
      int end = chunk.indexOf('\n', from);
      if (end < 0) {
        end = chunk.length();
      }
      int space = chunk.indexOf(' ', from);
      if (space < 0 || space > end) {
        throw new StoreException("a part chunk holds a line without a part index: " + chunk.substring(from, end), null);
      }
      int part;
      try {
        part = Integer.parseInt(chunk, from, space, 10);
      } catch (NumberFormatException e) {
        throw new StoreException("a part chunk holds a line without a part index: " + chunk.substring(from, end), e);
      }
      results.putIfAbsent(part, chunk.substring(space + 1, end));
      from = end + 1;
    }
  }
}
