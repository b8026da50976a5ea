package org.taskgrid.gateway.http;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The part ids of synchronous calls: this gateway's random prefix and a counter. Unique among the
 * gateway's parts (its router tells them apart by id) and across gateways (an executor cancels a
 * part by id), without a {@link UUID#randomUUID()} per call, which reads a shared, locked
 * SecureRandom: a visible share of a small call's time.
 */
final class CallIds {
  private final String prefix = "call-" + UUID.randomUUID() + "-";
  private final AtomicLong next = new AtomicLong();

  String next() {
    return prefix + next.incrementAndGet();
  }
}
