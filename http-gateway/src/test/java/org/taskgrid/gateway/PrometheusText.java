package org.taskgrid.gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scrape in the Prometheus text exposition format (0.0.4), parsed and checked line by line
 * against the format: every line a comment, HELP, TYPE or sample; names and labels well formed;
 * each family typed once, before its samples; no series twice. A line that breaks the format
 * fails the test with its number.
 */
public final class PrometheusText {
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
  private static final Pattern TYPE =
      Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern SAMPLE =
      Pattern.compile("(" + NAME + ")(\\{(.*)})? (\\S+)( -?[0-9]+)?");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
  private static final Pattern VALUE =
      Pattern.compile("[+-]?(Inf|NaN|[0-9]*\\.?[0-9]+([eE][+-]?[0-9]+)?|[0-9]+\\.)");
  /** The samples of a family may add these to its name. */
  private static final List<String> SUFFIXES =
      List.of("", "_total", "_count", "_sum", "_bucket", "_created");

  /** One sample: a series and its value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;

  private PrometheusText(List<Sample> samples) {
    this.samples = List.copyOf(samples);
  }

  public static PrometheusText parse(String text) {
    Map<String, String> types = new HashMap<>();
    Set<String> sampled = new HashSet<>();
    Set<String> series = new HashSet<>();
    List<Sample> samples = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    if (!text.endsWith("\n")) {
      throw new AssertionError("the exposition must end with a line feed");
    }
    for (int i = 0; i < lines.length - 1; i++) {
      String line = lines[i];
      String where = "line " + (i + 1) + " '" + line + "'";
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        Matcher type = TYPE.matcher(line);
        if (type.matches()) {
          if (types.put(type.group(1), type.group(2)) != null || sampled.contains(type.group(1))) {
            throw new AssertionError(where + ": a second TYPE, or a TYPE after the samples");
          }
        } else if (line.startsWith("# TYPE") || (line.startsWith("# HELP") && !HELP.matcher(line).matches())) {
          throw new AssertionError(where + ": not a valid HELP or TYPE line");
        }
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      if (!sample.matches()) {
        throw new AssertionError(where + ": not a sample");
      }
      String name = sample.group(1);
      String family = family(name, types);
      if (family == null) {
        throw new AssertionError(where + ": no TYPE line before it");
      }
      sampled.add(family);
      Map<String, String> labels = labels(sample.group(3), where);
      if (!VALUE.matcher(sample.group(4)).matches()) {
        throw new AssertionError(where + ": not a value");
      }
      if (!series.add(name + labels)) {
        throw new AssertionError(where + ": the same series twice");
      }
      samples.add(new Sample(name, labels, Double.parseDouble(sample.group(4).replace("Inf", "Infinity"))));
    }
    return new PrometheusText(samples);
  }

  private static String family(String name, Map<String, String> types) {
    for (String suffix : SUFFIXES) {
      if (name.endsWith(suffix)) {
        String family = name.substring(0, name.length() - suffix.length());
        if (types.containsKey(family)) {
          return family;
        }
      }
    }
    return types.containsKey(name) ? name : null;
  }

  private static Map<String, String> labels(String text, String where) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (text == null || text.isEmpty()) {
      return labels;
    }
    Matcher label = LABEL.matcher(text);
    int end = 0;
    while (end < text.length()) {
      if (!label.find(end) || label.start() != end) {
        throw new AssertionError(where + ": bad labels at '" + text.substring(end) + "'");
      }
      if (labels.put(label.group(1), label.group(2)) != null) {
        throw new AssertionError(where + ": label " + label.group(1) + " twice");
      }
      end = label.end();
    }
    return labels;
  }

  public List<Sample> samples() {
    return samples;
  }

  /** The samples named {@code name} whose labels include {@code labels}. */
  public List<Sample> find(String name, Map<String, String> labels) {
    return samples.stream()
        .filter(sample -> sample.name().equals(name))
        .filter(sample -> sample.labels().entrySet().containsAll(labels.entrySet()))
        .toList();
  }

  /** The sum of the values of {@link #find}; 0 when there is none (a counter not yet moved). */
  public double sum(String name, Map<String, String> labels) {
    return find(name, labels).stream().mapToDouble(Sample::value).sum();
  }

  public boolean has(String name) {
    return samples.stream().anyMatch(sample -> sample.name().equals(name));
  }
}
