package io.tally.places;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.places.source.FixturePlacesSource;
import io.tally.places.source.PlacesException;
import io.tally.places.source.PlacesSource;
import io.tally.places.warehouse.ModelProject;
import io.tally.places.warehouse.ModelRunner;
import io.tally.places.warehouse.ModelTestRunner;
import io.tally.places.warehouse.Warehouse;
import io.tally.tasks.places.CollectPlacesInput;
import io.tally.tasks.places.CollectPlacesOutput;
import io.tally.tasks.places.PlacesReportInput;
import io.tally.tasks.places.PlacesReportOutput;
import io.tally.tasks.places.QualityGateInput;
import io.tally.tasks.places.TestModelsInput;
import io.tally.tasks.places.TestModelsOutput;
import io.tally.tasks.places.TransformModelsInput;
import io.tally.tasks.places.TransformModelsOutput;
import io.tally.worker.FixedTaskContext;
import io.tally.worker.TaskFailedException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.ClassPathResource;

/**
 * The five task handlers of restaurants-daily chained by hand on a DuckDB file: a redelivered collect does not
 * double rows, a source failure keeps its code and retryability, the report is the success summary or the failure
 * message, and the gate fails with quality-gate-failed, not retryable.
 */
class PlacesHandlersTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T08:00:00Z"), ZoneOffset.UTC);
    private static final ModelProject PROJECT = ModelProject.load("classpath:models");

    @TempDir
    Path dir;

    private Warehouse warehouse;
    private CollectPlacesHandler collect;

    @BeforeEach
    void open() {
        warehouse = new Warehouse(dir.resolve("w.duckdb"));
        collect = new CollectPlacesHandler(new FixturePlacesSource(new ClassPathResource("fixtures/places.json")),
                warehouse, CLOCK);
    }

    @AfterEach
    void close() throws Exception {
        warehouse.close();
    }

    private static FixedTaskContext context(String jobId, String stage) {
        return FixedTaskContext.of(jobId, stage, null);
    }

    private PlacesReportOutput runUpToTheReport(String jobId, String city) throws Exception {
        CollectPlacesOutput collected = collect.run(new CollectPlacesInput(jobId, city, 20), context(jobId, "collect"));
        TransformModelsOutput transformed = new TransformModelsHandler(new ModelRunner(warehouse), PROJECT)
                .run(new TransformModelsInput(jobId, collected.getRawTable()), context(jobId, "transform"));
        TestModelsOutput tested = new TestModelsHandler(new ModelTestRunner(warehouse), PROJECT)
                .run(new TestModelsInput(jobId), context(jobId, "tests"));
        return PlacesReportHandler.report(PlacesReportInput.newBuilder().setJobId(jobId).setPipeline("restaurants-daily")
                .setCity(city).setSource(collected.getSource()).setCollectRows(collected.getRows())
                .setCollectMs(collected.getElapsedMs()).setModels(transformed.getModels())
                .setTransformMs(transformed.getElapsedMs()).setTests(tested.getTests())
                .setTestsMs(tested.getElapsedMs()).build());
    }

    @Test
    void aRedeliveredCollectLeavesTheRowsOfOneCollect() throws Exception {
        // Given a collect of 20 Paris places
        CollectPlacesInput input = new CollectPlacesInput("job-1", "Paris", 20);
        CollectPlacesOutput first = collect.run(input, context("job-1", "collect"));

        // When the same task is delivered again
        CollectPlacesOutput again = collect.run(input, context("job-1", "collect"));

        // Then the raw table still has 20 rows, and says where it is and where the rows came from
        assertThat(first.getRows()).isEqualTo(20);
        assertThat(again.getRows()).isEqualTo(20);
        assertThat(again.getRawTable()).isEqualTo(Warehouse.schemaOf("job-1") + ".raw_places");
        assertThat(again.getSource()).isEqualTo("fixture");
        assertThat(again.getCollectedAt()).isEqualTo(CLOCK.instant());
    }

    @Test
    void aSourceFailureKeepsItsCodeAndWhetherItIsRetried() {
        // Given a source that is rate-limited and one that refuses
        PlacesSource busy = failing(new PlacesException(PlacesException.UNAVAILABLE, "HTTP 429", true, null));
        PlacesSource refusing = failing(new PlacesException(PlacesException.REJECTED, "HTTP 403", false, null));

        // When each collects, then the task failure has the source's code and retryability
        assertThatThrownBy(() -> new CollectPlacesHandler(busy, warehouse, CLOCK)
                .run(new CollectPlacesInput("j", "Paris", 5), context("j", "collect")))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("places-unavailable");
                    assertThat(e.retryable()).isTrue();
                });
        assertThatThrownBy(() -> new CollectPlacesHandler(refusing, warehouse, CLOCK)
                .run(new CollectPlacesInput("j", "Paris", 5), context("j", "collect")))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("places-rejected");
                    assertThat(e.retryable()).isFalse();
                });
    }

    @Test
    void aCleanRunReportsRowsAndTimingsPerStepAndPassesTheGate() throws Exception {
        // When Paris runs up to the report
        PlacesReportOutput report = runUpToTheReport("job-paris", "Paris");

        // Then it is the success summary with the rows and time of each step and model
        assertThat(report.getKind()).isEqualTo("pipeline-succeeded");
        assertThat(report.getFailedTests()).isEmpty();
        assertThat(report.getSubject()).isEqualTo("[tally] restaurants-daily Paris: 20 places collected, 5/5 data tests passed");
        assertThat(report.getBody()).contains("5 of 5 data tests passed")
                .containsPattern("collect +20 rows +\\d+ ms")
                .containsPattern("staging +20 rows +\\d+ ms +stg_places")
                .containsPattern("marts +20 rows +\\d+ ms +restaurants\n")
                .containsPattern("tests +5 passed, 0 failed +\\d+ ms");
        // And the gate lets it through
        assertThat(new QualityGateHandler().run(new QualityGateInput("job-paris", report.getFailedTests()),
                context("job-paris", "gate")).getPassed()).isTrue();
    }

    @Test
    void aDirtyRunReportsEachFailedTestWithItsSampleRowsAndFailsTheGate() throws Exception {
        // When the dirty city runs up to the report
        PlacesReportOutput report = runUpToTheReport("job-dirty", "Dirtyville");

        // Then it is the failure message naming each failed test and its rows
        assertThat(report.getKind()).isEqualTo("pipeline-failed");
        assertThat(report.getFailedTests()).containsExactly("unique_restaurants_place_id", "not_null_restaurants_name",
                "accepted_values_restaurants_price_level");
        assertThat(report.getSubject()).isEqualTo("[tally] restaurants-daily Dirtyville: 3 of 5 data tests failed");
        assertThat(report.getBody()).contains("3 of 5 data tests failed")
                .contains(" - not_null_restaurants_name (not_null on restaurants): 1 failing row(s)")
                .contains("place_id=ChIJdirty0002")
                .contains(" - unique_restaurants_place_id (unique on restaurants): 2 failing row(s)")
                .contains("name=Le Doublon (bis)")
                .contains("price_level=PRICE_LEVEL_CHEAP");
        // And the gate fails the job, not retryable, naming the tests
        assertThatThrownBy(() -> new QualityGateHandler().run(new QualityGateInput("job-dirty", report.getFailedTests()),
                context("job-dirty", "gate"))).isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("quality-gate-failed");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("3 data test(s) failed").contains("not_null_restaurants_name");
                });
    }

    @Test
    void aTransformOfAnotherJobsRawTableIsRefused() {
        // When the raw table named is not the job's, then the task fails at once
        assertThatThrownBy(() -> new TransformModelsHandler(new ModelRunner(warehouse), PROJECT)
                .run(new TransformModelsInput("job-1", Warehouse.schemaOf("job-2") + ".raw_places"), context("job-1", "transform")))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> assertThat(e.code()).isEqualTo("bad-input"));
    }

    private static PlacesSource failing(PlacesException failure) {
        return new PlacesSource() {
            @Override
            public String name() {
                return "failing";
            }

            @Override
            public List<io.tally.places.source.Place> restaurants(String city, int count) {
                throw failure;
            }
        };
    }

}
