package io.tally.places.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.places.source.FixturePlacesSource;
import io.tally.places.source.Place;
import io.tally.tasks.places.ModelRun;
import io.tally.tasks.places.ModelTestResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.ClassPathResource;

/**
 * The raw table, the model runner and the test runner on a real DuckDB file in a temp dir, with the packaged models
 * and tests: the clean fixture city passes every test; the dirty one fails not_null, unique and accepted_values, each
 * naming its failing rows; a rerun replaces a job's tables; a broken model changes nothing.
 */
class ModelRunnersTest {

    private static final FixturePlacesSource FIXTURE = new FixturePlacesSource(new ClassPathResource("fixtures/places.json"));
    private static final ModelProject PROJECT = ModelProject.load("classpath:models");

    @TempDir
    Path dir;

    private Warehouse warehouse;

    @BeforeEach
    void open() {
        warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    }

    @AfterEach
    void close() throws SQLException {
        warehouse.close();
    }

    private String collect(String jobId, String city, int count) throws SQLException {
        RawPlaces.replace(warehouse, jobId, city, FIXTURE.restaurants(city, count), Instant.parse("2026-12-03T08:00:00Z"));
        return Warehouse.schemaOf(jobId);
    }

    private static Map<String, ModelTestResult> byName(List<ModelTestResult> results) {
        return results.stream().collect(Collectors.toMap(ModelTestResult::getName, Function.identity()));
    }

    @Test
    void runsStagingBeforeMartsAsTablesNamedAfterTheirFiles() throws Exception {
        // Given 20 collected places of Paris
        String schema = collect("job-paris", "Paris", 20);

        // When the packaged models run
        List<ModelRun> runs = new ModelRunner(warehouse).run(schema, PROJECT);

        // Then staging ran first, then the marts by file name, each a table with its rows
        assertThat(runs).extracting(ModelRun::getLayer, ModelRun::getName).containsExactly(
                org.assertj.core.groups.Tuple.tuple("staging", "stg_places"),
                org.assertj.core.groups.Tuple.tuple("marts", "restaurants"),
                org.assertj.core.groups.Tuple.tuple("marts", "restaurants_by_price"));
        assertThat(runs.get(0).getRows()).isEqualTo(20);
        assertThat(runs.get(1).getRows()).isEqualTo(20);
        assertThat(runs.get(2).getRows()).isBetween(1L, 5L);
        assertThat(runs).allSatisfy(run -> assertThat(run.getElapsedMs()).isNotNegative());
        // And every test passes on the clean city
        List<ModelTestResult> results = new ModelTestRunner(warehouse).run(schema, PROJECT.tests());
        assertThat(results).hasSize(5).allSatisfy(result -> {
            assertThat(result.getPassed()).as(result.getName()).isTrue();
            assertThat(result.getFailingRows()).isZero();
            assertThat(result.getSampleRows()).isEmpty();
        });
    }

    @Test
    void failingNotNullAndUniqueTestsNameTheirSampleRows() throws Exception {
        // Given the dirty fixture city: a blank name, a duplicated place id, a price level that is not one
        String schema = collect("job-dirty", "Dirtyville", 20);
        new ModelRunner(warehouse).run(schema, PROJECT);

        // When the tests run
        Map<String, ModelTestResult> results = byName(new ModelTestRunner(warehouse).run(schema, PROJECT.tests()));

        // Then not_null on name fails with the row whose name is blank
        assertThat(results.get("not_null_restaurants_name")).satisfies(test -> {
            assertThat(test.getPassed()).isFalse();
            assertThat(test.getFailingRows()).isEqualTo(1);
            assertThat(test.getSampleRows()).singleElement().asString()
                    .contains("place_id=ChIJdirty0002").contains("name=null");
        });
        // And unique on place_id fails with both rows of the duplicated id
        assertThat(results.get("unique_restaurants_place_id")).satisfies(test -> {
            assertThat(test.getPassed()).isFalse();
            assertThat(test.getFailingRows()).isEqualTo(2);
            assertThat(test.getSampleRows()).hasSize(2).allSatisfy(row -> assertThat(row).contains("place_id=ChIJdirty0003"))
                    .anySatisfy(row -> assertThat(row).contains("name=Le Doublon (bis)"));
        });
        // And accepted_values names the unknown price level
        assertThat(results.get("accepted_values_restaurants_price_level").getSampleRows()).singleElement().asString()
                .contains("price_level=PRICE_LEVEL_CHEAP");
        // And the tests that hold still pass
        assertThat(results.get("not_null_restaurants_place_id").getPassed()).isTrue();
        assertThat(results.get("row_count_restaurants").getPassed()).isTrue();
    }

    @Test
    void keepsAtMostFiveSampleRowsAndCountsEveryFailingRow() throws Exception {
        // Given 12 places of Lyon and a test no row can pass
        String schema = collect("job-lyon", "Lyon", 12);
        new ModelRunner(warehouse).run(schema, PROJECT);
        ModelTest never = new ModelTest("accepted_values", "restaurants", "price_level", List.of("NONE"), null, null);
        ModelTest tooFew = new ModelTest("row_count", "restaurants", null, null, 13L, null);

        // When they run
        List<ModelTestResult> results = new ModelTestRunner(warehouse).run(schema, List.of(never, tooFew));

        // Then every row counts, five are shown; and the row count names the bounds
        assertThat(results.get(0).getFailingRows()).isEqualTo(12);
        assertThat(results.get(0).getSampleRows()).hasSize(ModelTestRunner.SAMPLE_ROWS);
        assertThat(results.get(1).getPassed()).isFalse();
        assertThat(results.get(1).getSampleRows()).containsExactly("rows=12, expected 13..");
    }

    @Test
    void aRecollectOfTheSameJobReplacesItsRowsAndLeavesOtherJobsAlone() throws Exception {
        // Given a job collected twice (a redelivered task), and another job
        collect("job-a", "Paris", 20);
        String schema = collect("job-a", "Paris", 20);
        String other = collect("job-b", "Lyon", 5);

        // When the models run for the first job
        List<ModelRun> runs = new ModelRunner(warehouse).run(schema, PROJECT);

        // Then it has the rows of one collect, and the other job its own
        assertThat(runs.get(0).getRows()).isEqualTo(20);
        assertThat(new ModelRunner(warehouse).run(other, PROJECT).get(0).getRows()).isEqualTo(5);
        assertThat(schema).isNotEqualTo(other);
    }

    @Test
    void aBrokenModelFailsNamingItAndLeavesTheJobsTablesAsTheyWere(@TempDir Path models) throws Exception {
        // Given a project whose mart reads a column that does not exist, after a good run of the packaged one
        String schema = collect("job-broken", "Paris", 3);
        new ModelRunner(warehouse).run(schema, PROJECT);
        Files.createDirectories(models.resolve("staging"));
        Files.createDirectories(models.resolve("marts"));
        Files.writeString(models.resolve("staging/stg_places.sql"), "select place_id from raw_places where false;");
        Files.writeString(models.resolve("marts/restaurants.sql"), "select no_such_column from stg_places");
        ModelProject broken = ModelProject.load(models.toUri().toString());

        // When it runs, then it fails naming the model
        assertThatThrownBy(() -> new ModelRunner(warehouse).run(schema, broken))
                .isInstanceOf(SQLException.class).hasMessageContaining("marts/restaurants");
        // And the staging table of the good run is still there with its rows (one transaction)
        assertThat(new ModelTestRunner(warehouse).run(schema,
                List.of(new ModelTest("row_count", "stg_places", null, null, 3L, 3L))).get(0).getPassed()).isTrue();
    }

    @Test
    void aTestsFileWithAnUnknownTestIsRefused(@TempDir Path models) throws Exception {
        // Given a tests file naming a test that does not exist
        Files.createDirectories(models.resolve("marts"));
        Files.writeString(models.resolve("marts/m.sql"), "select 1 as x");
        Files.writeString(models.resolve("tests.yml"), "tests:\n  - {test: not_empty, model: m, column: x}\n");

        // When it is loaded, then it is refused naming the test
        assertThatThrownBy(() -> ModelProject.load(models.toUri().toString()))
                .hasMessageContaining("unknown test 'not_empty'");
    }

    @Test
    void theFixtureIsDeterministicAndRefusesAnUnknownCity() {
        // When a city is asked for twice, then the same first places come back
        List<Place> first = FIXTURE.restaurants("paris", 20);
        assertThat(first).hasSize(20).isEqualTo(FIXTURE.restaurants("Paris", 20));
        assertThat(FIXTURE.restaurants("Paris", 100)).hasSize(30);
        // And an unknown city fails without retry, naming the cities there are
        assertThatThrownBy(() -> FIXTURE.restaurants("Atlantis", 5)).isInstanceOfSatisfying(
                io.tally.places.source.PlacesException.class, e -> {
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("Paris").contains("Lyon").contains("Dirtyville");
                });
    }
}
