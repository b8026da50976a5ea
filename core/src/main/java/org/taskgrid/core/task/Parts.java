package org.taskgrid.core.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The inputs of the parts of a job, made one at a time as they are dispatched: a 100 000-part job
 * then holds the window's parts, not all of them (see {@link Task#parts}).
 */
public interface Parts {

  /** How many parts there are. */
  int size();

  /** The input of part {@code index}, from 0; made afresh on each call where the task can. */
  JsonNode get(int index);

  /** Parts that exist already (listed inputs, or a task that only implements {@link Task#split}). */
  static Parts of(List<JsonNode> inputs) {
    List<JsonNode> copy = List.copyOf(inputs);
    return of(copy.size(), copy::get);
  }

  /** Parts made on demand by {@code part}, which must be cheap and free of side effects. */
  static Parts of(int size, IntFunction<JsonNode> part) {
    if (size < 0) {
      throw new IllegalArgumentException("a job cannot have " + size + " parts");
    }
    return new Parts() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public JsonNode get(int index) {
        if (index < 0 || index >= size) {
          throw new IndexOutOfBoundsException("part " + index + " of " + size);
        }
        return part.apply(index);
      }
    };
  }

  /** Every part at once, for tests and small jobs. */
  default List<JsonNode> toList() {
    List<JsonNode> all = new ArrayList<>(size());
    for (int i = 0; i < size(); i++) {
      all.add(get(i));
    }
    return all;
  }
}
