package org.taskgrid.gateway.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.execution.Lane;
import org.taskgrid.core.execution.PartProtocol;
import org.taskgrid.core.routing.Router;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.Parts;
import org.taskgrid.core.task.TaskRegistry;
import org.taskgrid.gateway.admission.MemoryBudget;
import org.taskgrid.gateway.admission.Admission;
import org.taskgrid.gateway.admission.AdmissionControl;

/**
 * The job manager when a job's coordinator dies of a bug: the job fails, its followers hear so, its
 * parts are cancelled and its admission slots go back. The router is a probe that the test plays.
 */
class JobManagerTest {
  private static final Duration PROMPTLY = Duration.ofSeconds(5);
  private static final ActorTestKit testKit = ActorTestKit.create("JobManagerTest");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aJobWhoseCoordinatorDiesFailsAndGivesEverythingBack() {
    AdmissionControl control = AdmissionControl.fromConfig(testKit.system().settings().config());
    Admission admission = control.of(Mode.THREAD);
    TestProbe<Router.Command> router = testKit.createTestProbe();
    JobSettings settings = JobSettings.fromConfig(testKit.system().settings().config());
    ActorRef<JobManager.Command> manager =
        testKit.spawn(JobManager.create(router.ref(), control, settings));
    JobSpec spec =
        new JobSpec(
            TaskRegistry.load(testKit.system()).find("echo").orElseThrow(),
            Mode.THREAD,
            Parts.of(List.of(JsonNodeFactory.instance.textNode("a"), JsonNodeFactory.instance.textNode("b"))),
            false,
            new MemoryBudget(1 << 20).empty());
    TestProbe<JobManager.StartAnswer> started = testKit.createTestProbe();
    manager.tell(new JobManager.StartJob(spec, JsonNodeFactory.instance.objectNode(), started.ref()));
    String id = ((JobManager.Running) started.receiveMessage(PROMPTLY)).id();
    // Both parts fit the window at once: they reach the router in one message.
    List<Router.Submit> both = router.expectMessageClass(Router.SubmitParts.class, PROMPTLY).parts();
    assertEquals(2, both.size(), both::toString);
    Router.Submit first = both.get(0);
    Router.Submit second = both.get(1);
    assertEquals(2, admission.inFlight());
    TestProbe<JobView> follower = testKit.createTestProbe();
    TestProbe<JobManager.FollowAnswer> following = testKit.createTestProbe();
    manager.tell(new JobManager.FollowJob(id, follower.ref(), following.ref()));
    following.expectMessage(PROMPTLY, JobManager.FollowAnswer.FOLLOWING);
    assertEquals(JobState.RUNNING, follower.receiveMessage(PROMPTLY).state());

    // An answer with no failure in it is a bug the coordinator does not survive.
    first.replyTo().tell(new PartProtocol.PartFailed(first.partId(), 1, "n", null, "broken", null));

    Router.Cancel cancel = router.expectMessageClass(Router.Cancel.class, PROMPTLY);
    assertEquals(second.partId(), cancel.partId());
    JobView last = follower.receiveMessage(PROMPTLY);
    assertEquals(JobState.FAILED, last.state());
    assertTrue(
        last.errors().stream().anyMatch(error -> error.code().equals("internal")), last::toString);
    TestProbe<Optional<JobView>> query = testKit.createTestProbe();
    manager.tell(new JobManager.GetJob(id, query.ref()));
    assertEquals(JobState.FAILED, query.receiveMessage(PROMPTLY).orElseThrow().state());
    awaitNoSlotsHeld(admission);
  }

  @Test
  void aCpuBoundProcessJobKeepsAsManyPartsInFlightAsTheWorkersHaveCpuSlots() {
    AdmissionControl admission = AdmissionControl.fromConfig(testKit.system().settings().config());
    TestProbe<Router.Command> router = testKit.createTestProbe();
    ActorRef<JobManager.Command> manager =
        testKit.spawn(
            JobManager.create(
                router.ref(), admission, JobSettings.fromConfig(testKit.system().settings().config())));
    List<com.fasterxml.jackson.databind.JsonNode> inputs = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      inputs.add(JsonNodeFactory.instance.objectNode().put("from", 0).put("to", 1000));
    }
    JobSpec spec =
        new JobSpec(
            TaskRegistry.load(testKit.system()).find("primes").orElseThrow(),
            Mode.PROCESS,
            Parts.of(inputs),
            false,
            new MemoryBudget(1 << 20).empty());
    manager.tell(
        new JobManager.StartJob(
            spec, JsonNodeFactory.instance.objectNode(), testKit.<JobManager.StartAnswer>createTestProbe().ref()));

    Router.GetStatus ask = router.expectMessageClass(Router.GetStatus.class, PROMPTLY);
    List<Router.Submit> submitted = new java.util.ArrayList<>();
    submitted.addAll(router.expectMessageClass(Router.SubmitParts.class, PROMPTLY).parts());
    // One worker: 64 blocking slots, but only 2 for CPU-bound work such as primes.
    ask.replyTo()
        .tell(
            new Router.Status(
                List.of(
                    new Router.ExecutorStatus(
                        "w", org.taskgrid.core.routing.ExecutorState.ACTIVE, 66, 64, 2, 0, 0)),
                Map.of(Lane.BLOCKING, 64, Lane.CPU, 2)));
    submitted.addAll(router.expectMessageClass(Router.SubmitParts.class, PROMPTLY).parts());
    router.expectNoMessage(Duration.ofMillis(300));
    assertEquals(2, submitted.size(), submitted::toString);
    assertTrue(submitted.stream().allMatch(Router.Submit::timeoutFromStart), "a part's time counts from its start");

    // One part ends: one more starts.
    Router.Submit done = submitted.get(0);
    done.replyTo()
        .tell(new PartProtocol.PartSucceeded(done.partId(), 1, "w", JsonNodeFactory.instance.numberNode(168), "t", 1));
    Router.SubmitParts third = router.expectMessageClass(Router.SubmitParts.class, PROMPTLY);
    assertEquals(1, third.parts().size(), third::toString);
    router.expectNoMessage(Duration.ofMillis(300));

    // Two answers that the router had at once: the window is topped up once, both parts together.
    third.replyTo()
        .tell(
            new PartProtocol.PartOutcomes(
                List.of(
                    new PartProtocol.PartSucceeded(
                        submitted.get(1).partId(), 1, "w", JsonNodeFactory.instance.numberNode(168), "t", 1),
                    new PartProtocol.PartSucceeded(
                        third.parts().get(0).partId(), 1, "w", JsonNodeFactory.instance.numberNode(168), "t", 1)),
                List.of()));
    assertEquals(2, router.expectMessageClass(Router.SubmitParts.class, PROMPTLY).parts().size());
    router.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void aListingTrustsThisGatewaysViewOverAStoreThatHasNotCaughtUp() {
    TestProbe<Router.Command> router = testKit.createTestProbe();
    ActorRef<JobManager.Command> manager =
        testKit.spawn(
            JobManager.create(
                router.ref(),
                AdmissionControl.fromConfig(testKit.system().settings().config()),
                JobSettings.fromConfig(testKit.system().settings().config())));
    JobSpec spec =
        new JobSpec(
            TaskRegistry.load(testKit.system()).find("echo").orElseThrow(),
            Mode.THREAD,
            Parts.of(List.of(JsonNodeFactory.instance.textNode("a"))),
            false,
            new MemoryBudget(1 << 20).empty());
    TestProbe<JobManager.StartAnswer> started = testKit.createTestProbe();
    manager.tell(new JobManager.StartJob(spec, JsonNodeFactory.instance.objectNode(), started.ref()));
    String id = ((JobManager.Running) started.receiveMessage(PROMPTLY)).id();
    Router.Submit part = router.expectMessageClass(Router.SubmitParts.class, PROMPTLY).parts().get(0);
    part.replyTo()
        .tell(new PartProtocol.PartSucceeded(part.partId(), 1, "w", JsonNodeFactory.instance.textNode("a"), "t", 1));
    JobView here = awaitState(manager, id, JobState.SUCCEEDED);

    // The store still has this job running; it also knows two jobs of other gateways.
    JobView staleCopy = stored(id, JobState.RUNNING, here.createdAt());
    JobView olderElsewhere = stored("older", JobState.SUCCEEDED, "2026-01-01T00:00:00Z");
    JobView newerElsewhere = stored("newer", JobState.RUNNING, "2999-01-01T00:00:00.5Z");

    List<JobView> succeeded =
        list(manager, JobState.SUCCEEDED, 10, List.of(staleCopy, olderElsewhere));
    assertEquals(List.of(id, "older"), succeeded.stream().map(JobView::id).toList());
    assertEquals(JobState.SUCCEEDED, succeeded.get(0).state());

    List<JobView> running = list(manager, JobState.RUNNING, 10, List.of(newerElsewhere, staleCopy));
    assertEquals(List.of("newer"), running.stream().map(JobView::id).toList());

    List<JobView> newest =
        list(manager, null, 2, List.of(newerElsewhere, staleCopy, olderElsewhere));
    assertEquals(List.of("newer", id), newest.stream().map(JobView::id).toList());
  }

  @Test
  void settingsThatWouldStallJobsAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            JobSettings.fromConfig(
                ConfigFactory.parseString("taskgrid.jobs.max-window = 0")
                    .withFallback(testKit.system().settings().config())));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            JobSettings.fromConfig(
                ConfigFactory.parseString("taskgrid.jobs.progress-interval = 0s")
                    .withFallback(testKit.system().settings().config())));
  }

  private static JobView stored(String id, JobState state, String createdAt) {
    return new JobView(id, "echo", "thread", state, 1, 0, 0, 0, null, List.of(), createdAt, null);
  }

  private static List<JobView> list(
      ActorRef<JobManager.Command> manager, JobState state, int limit, List<JobView> stored) {
    TestProbe<List<JobView>> answer = testKit.createTestProbe();
    manager.tell(new JobManager.ListJobs(state, limit, stored, answer.ref()));
    return answer.receiveMessage(PROMPTLY);
  }

  private static JobView awaitState(ActorRef<JobManager.Command> manager, String id, JobState state) {
    TestProbe<Optional<JobView>> query = testKit.createTestProbe();
    long deadline = System.nanoTime() + PROMPTLY.toNanos();
    while (true) {
      manager.tell(new JobManager.GetJob(id, query.ref()));
      JobView view = query.receiveMessage(PROMPTLY).orElseThrow();
      if (view.state() == state) {
        return view;
      }
      if (System.nanoTime() > deadline) {
        fail("job " + id + " is " + view.state() + ", not " + state);
      }
      Thread.onSpinWait();
    }
  }

  private static void awaitNoSlotsHeld(Admission admission) {
    long deadline = System.nanoTime() + PROMPTLY.toNanos();
    while (admission.inFlight() != 0) {
      if (System.nanoTime() > deadline) {
        fail("admission still has " + admission.inFlight() + " slots in flight");
      }
      Thread.onSpinWait();
    }
  }
}
