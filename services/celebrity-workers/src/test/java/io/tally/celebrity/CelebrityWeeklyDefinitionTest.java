package io.tally.celebrity;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.OnFailure;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.PipelineLoader;
import io.tally.pipeline.RunParameters;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code pipelines/celebrity-weekly.yml} as the engine reads it: the seed's disabled Sunday 02:00 UTC schedule, four
 * parallel sources that continue on failure with 1/2/4 s retries, and the quality check after all of them.
 */
class CelebrityWeeklyDefinitionTest {

    private static final Path FILE = Path.of(System.getProperty("tally.local.pipelines", "../../pipelines"))
            .resolve("celebrity-weekly.yml");
    private static final List<String> SOURCES = List.of("tmdb", "wikipedia", "news", "social");

    private final PipelineDefinition definition;

    CelebrityWeeklyDefinitionTest() throws Exception {
        definition = PipelineLoader.load(FILE);
    }

    @Test
    void schedulesSundayAtTwoUtcCreatedDisabled() {
        assertThat(definition.schedules()).singleElement().satisfies(schedule -> {
            assertThat(schedule.name()).isEqualTo("weekly");
            assertThat(schedule.cron()).isEqualTo("0 0 2 * * SUN");
            assertThat(schedule.zone().getId()).isEqualTo("UTC");
            assertThat(schedule.enabled()).isFalse();
        });
        assertThat(RunParameters.resolve(definition, definition.schedules().get(0).parameters()))
                .containsEntry("limit", "100");
    }

    @Test
    void runsTheFourSourcesInParallelEachContinuingOnFailureWithTheSeedsRetries() {
        for (String source : SOURCES) {
            assertThat(definition.stage(source)).as(source).get().satisfies(stage -> {
                assertThat(stage.task()).isEqualTo("collect-" + source);
                assertThat(stage.dependsOn()).isEmpty();
                assertThat(stage.onFailure()).isEqualTo(OnFailure.CONTINUE);
                assertThat(stage.retry().attempts()).isEqualTo(4);
                assertThat(stage.retry().delayBefore(2).toMillis()).isEqualTo(1_000);
                assertThat(stage.retry().delayBefore(3).toMillis()).isEqualTo(2_000);
                assertThat(stage.retry().delayBefore(4).toMillis()).isEqualTo(4_000);
            });
        }
    }

    @Test
    void checksQualityAfterAllFourSourcesAndFailsTheJobBelowThreshold() {
        assertThat(definition.stage("quality")).get().satisfies(stage -> {
            assertThat(stage.task()).isEqualTo("check-celebrity-quality");
            assertThat(stage.dependsOn()).containsExactlyInAnyOrderElementsOf(SOURCES);
            assertThat(stage.onFailure()).isEqualTo(OnFailure.FAIL);
            assertThat(stage.retry().notRetried()).containsExactly("quality-below-threshold");
        });
    }
}
