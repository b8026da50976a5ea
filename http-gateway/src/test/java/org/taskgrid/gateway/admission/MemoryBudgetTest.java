package org.taskgrid.gateway.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The byte budget: charges, refusals (full now, or never fits), growth, hand-over and release. */
class MemoryBudgetTest {

  @Test
  void chargesUpToTheLimitThenRefusesAsFull() throws Exception {
    MemoryBudget budget = new MemoryBudget(100);
    MemoryBudget.Charge first = budget.charge(60);
    MemoryBudget.Refused refused = assertThrows(MemoryBudget.Refused.class, () -> budget.charge(41));
    assertEquals(MemoryBudget.Refusal.FULL, refused.refusal());
    budget.charge(40);
    assertEquals(100, budget.used());
    first.release();
    first.release();
    assertEquals(40, budget.used());
  }

  @Test
  void moreThanTheWholeBudgetNeverFits() {
    MemoryBudget budget = new MemoryBudget(100);
    MemoryBudget.Refused refused = assertThrows(MemoryBudget.Refused.class, () -> budget.charge(101));
    assertEquals(MemoryBudget.Refusal.NEVER_FITS, refused.refusal());
    assertEquals(0, budget.used());
  }

  @Test
  void aChargeGrowsWhenThereIsRoomAndShrinksAlways() throws Exception {
    MemoryBudget budget = new MemoryBudget(100);
    MemoryBudget.Charge charge = budget.charge(10);
    budget.charge(50);
    charge.grow(40);
    assertEquals(100, budget.used());
    assertThrows(MemoryBudget.Refused.class, () -> charge.grow(1));
    assertEquals(50, charge.bytes());
    charge.resize(5);
    assertEquals(55, budget.used());
  }

  @Test
  void aHandedOverChargeIsReleasedByItsNewOwnerOnly() throws Exception {
    MemoryBudget budget = new MemoryBudget(100);
    MemoryBudget.Charge request = budget.charge(30);
    MemoryBudget.Charge job = request.handOver();
    request.release();
    assertEquals(30, budget.used());
    job.release();
    assertEquals(0, budget.used());
  }
}
