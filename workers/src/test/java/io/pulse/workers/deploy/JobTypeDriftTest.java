package io.pulse.workers.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.jobs.JobType;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every file that names job types agrees with the registry (JobType.ALL). The definitions files and
 * the KEDA trigger are also compared in full by RabbitDefinitionsTest and K8sManifestTest; the
 * handlers by JobHandlersTest. The last tests feed each check a doctored copy to show it fails.
 */
class JobTypeDriftTest {
  static final List<String> TYPES = JobType.ALL;

  @TestFactory
  Stream<DynamicTest> committedFilesAgreeWithTheRegistry() {
    Map<String, Supplier<List<String>>> checks = new LinkedHashMap<>();
    checks.put(
        "the README's job types table",
        () -> JobTypeDrift.readme(TYPES, DeployFiles.read(JobTypeDrift.README)));
    checks.put(
        "both definitions files bind every type",
        () -> JobTypeDrift.definitions(TYPES, JobTypeDrift.definitionsFiles()));
    checks.put(
        "pulse.jobs.types keys name registered types",
        () -> JobTypeDrift.configKeys(TYPES, JobTypeDrift.propertiesFiles()));
    checks.put(
        "no migration lists job types",
        () -> JobTypeDrift.migrations(TYPES, JobTypeDrift.migrationFiles()));
    return Checks.eachFindsNothing(checks);
  }

  @Test
  void theRegistryHoldsEachTypeOnce() {
    assertEquals(new HashSet<>(TYPES).size(), TYPES.size(), TYPES.toString());
    assertEquals(true, TYPES.contains(JobType.FEED_FANOUT), "constants are read from JobType");
  }

  // ------------------------------------------------------------ the checks can fail

  @Test
  void aTypeMissingFromTheReadmeOrOneItDoesNotKnowIsCaught() {
    String readme =
        DeployFiles.read(JobTypeDrift.README).replace("| `feed.retract` |", "| `feed.retracted` |");

    assertEquals(
        List.of(
            "README.md \"Job types\" table misses registered job type(s) [feed.retract]",
            "README.md \"Job types\" table names unregistered job type(s) [feed.retracted]"),
        JobTypeDrift.readme(TYPES, readme));
  }

  @Test
  void aNewTypeTheDefinitionsFileDoesNotBindIsCaught() {
    List<String> registry = Stream.concat(TYPES.stream(), Stream.of("feed.new")).toList();
    String file = RabbitDefinitions.FILES.get(0);

    assertEquals(
        List.of(
            file + " bindings of pulse.jobs misses registered job type(s) [feed.new]",
            file + " bindings of pulse.dead misses registered job type(s) [feed.new]"),
        JobTypeDrift.definitions(
            registry, Map.of(file, RabbitDefinitions.render(RabbitDefinitions.production()))));
  }

  @Test
  void aConfigKeyForAnUnknownTypeIsCaughtAndTestTypesOnlyUnderTheTestProfile() {
    String properties =
        String.join(
            "\n",
            "pulse.jobs.types.\"notification.dispatch\".concurrency=4",
            "pulse.jobs.types.\"notification.dispach\".concurrency=4",
            "%test.pulse.jobs.types.\"test.scripted\".concurrency=1",
            "pulse.jobs.types.\"test.scripted\".concurrency=1");

    assertEquals(
        List.of(
            "x.properties: pulse.jobs.types.\"notification.dispach\".concurrency configures"
                + " notification.dispach, no job type",
            "x.properties: pulse.jobs.types.\"test.scripted\".concurrency configures test.scripted,"
                + " no job type"),
        JobTypeDrift.configKeys(TYPES, Map.of("x.properties", properties)).stream()
            .sorted()
            .toList());
  }

  @Test
  void aMigrationListingJobTypesIsCaught() {
    String sql = "alter table jobs add check (type in ('feed.fanout', 'digest.build'));";

    assertEquals(
        List.of("V9.sql names job type digest.build", "V9.sql names job type feed.fanout"),
        JobTypeDrift.migrations(TYPES, Map.of("V9.sql", sql)).stream().sorted().toList());
  }
}
