package org.taskgrid.gateway.admission;

import com.typesafe.config.Config;

/**
 * Bytes of heap that the work a gateway has taken on may hold: request bodies while they are read
 * and parsed, the parsed inputs of calls in progress, the parts and results of running jobs. Each
 * is charged before it is built, from a cheap estimate ({@link JsonSize}); beyond the budget a new
 * call or job is refused (503 {@code overloaded}), and one that could never fit even in an empty
 * budget is refused for good (413 {@code too_large}). Admission counts slots; this counts bytes:
 * a few large requests fill the budget long before they fill the slots.
 *
 * <p>Thread-safe: routes and job actors share one instance; every method takes a short lock.
 */
public final class MemoryBudget {
  private final long limit;
  private long used;

  public MemoryBudget(long limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("the memory budget must be at least 1 byte, not " + limit);
    }
    this.limit = limit;
  }

  /**
   * {@code taskgrid.admission.memory-budget}: a size, or {@code auto} for {@code
   * memory-budget-fraction} of the JVM's maximum heap.
   */
  public static MemoryBudget fromConfig(Config root) {
    Config config = root.getConfig("taskgrid.admission");
    String configured = config.getString("memory-budget");
    long limit =
        configured.equals("auto")
            ? (long) (Runtime.getRuntime().maxMemory() * config.getDouble("memory-budget-fraction"))
            : config.getBytes("memory-budget");
    return new MemoryBudget(limit);
  }

  /** The outcome of asking for bytes. */
  public enum Refusal {
    /** More than the whole budget: it would never fit (413). */
    NEVER_FITS,
    /** Not now: what others hold leaves too little (503, retry later). */
    FULL
  }

  /** Thrown when a charge does not fit. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    private final Refusal refusal;

    Refused(Refusal refusal, String message) {
      super(message, null, false, false);
      this.refusal = refusal;
    }

    public Refusal refusal() {
      return refusal;
    }
  }

  /** Bytes held for one call or job; give them back with {@link #release()}. */
  public final class Charge {
    private long bytes;
    private boolean released;

    private Charge(long bytes) {
      this.bytes = bytes;
    }

    /**
     * Holds {@code total} bytes from now on instead of what it held: less always succeeds, more
     * only when the budget has room (else it throws and keeps what it held).
     */
    public void resize(long total) throws Refused {
      synchronized (MemoryBudget.this) {
        if (released) {
          throw new IllegalStateException("the charge was released");
        }
        long more = total - bytes;
        if (more > 0) {
          check(total, more);
        }
        used += more;
        bytes = total;
      }
    }

    /** Adds {@code more} bytes, when the budget has room. */
    public void grow(long more) throws Refused {
      synchronized (MemoryBudget.this) {
        resize(bytes + more);
      }
    }

    /**
     * A charge of the same bytes for a new owner (a job taking over its request's charge); this
     * one is left empty, so releasing it frees nothing.
     */
    public Charge handOver() {
      synchronized (MemoryBudget.this) {
        Charge taken = new Charge(bytes);
        bytes = 0;
        return taken;
      }
    }

    public long bytes() {
      synchronized (MemoryBudget.this) {
        return bytes;
      }
    }

    /** Gives the bytes back. Idempotent. */
    public void release() {
      synchronized (MemoryBudget.this) {
        if (!released) {
          released = true;
          used -= bytes;
          bytes = 0;
        }
      }
    }
  }

  /** Charges {@code bytes}, or throws why not. */
  public Charge charge(long bytes) throws Refused {
    synchronized (this) {
      check(bytes, bytes);
      used += bytes;
      return new Charge(bytes);
    }
  }

  /** A charge of nothing, to grow later. */
  public synchronized Charge empty() {
    return new Charge(0);
  }

  private void check(long total, long more) throws Refused {
    if (total > limit) {
      throw new Refused(
          Refusal.NEVER_FITS,
          "this request would hold about " + total + " bytes, more than the gateway's whole memory"
              + " budget of " + limit + " (taskgrid.admission.memory-budget)");
    }
    if (used + more > limit) {
      throw new Refused(
          Refusal.FULL, "the gateway holds as much work as its memory budget allows; retry later");
    }
  }

  public long limit() {
    return limit;
  }

  /** Bytes charged now. */
  public synchronized long used() {
    return used;
  }
}
