package io.tally.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every file in the repository's {@code pipelines/} folder loads without a problem, so CI refuses a broken one. */
class RepositoryPipelinesTest {

    private static final Path PIPELINES = Path.of("../../pipelines");

    @Test
    void everyPipelineOfTheRepositoryIsValid() {
        // Given the repository's folder (tests run in the module directory)
        assertThat(PIPELINES).as("the pipelines folder at the repository root").isDirectory();

        // When all of it is loaded (a problem fails here with every file:line listed)
        PipelineCatalog catalog = PipelineCatalog.load(PIPELINES);

        // Then the reference pipeline is among them, with its five stages in order
        assertThat(catalog.find("beatport-chart")).get().satisfies(definition -> {
            assertThat(definition.stages()).extracting(StageSpec::id)
                    .containsExactly("scrape", "pick", "search", "playlist", "notify");
            assertThat(definition.stage("search").orElseThrow().fansOut()).isTrue();
        });
        assertThat(catalog.all()).hasSizeGreaterThanOrEqualTo(1);
    }

    @Test
    void theReferencePipelineResolvesItsScheduledRunWithoutGivenParameters() throws Exception {
        PipelineDefinition definition = PipelineLoader.load(PIPELINES.resolve("beatport-chart.yml"));

        assertThat(RunParameters.resolve(definition, definition.schedules().get(0).parameters()))
                .containsEntry("chart", "top-100").containsEntry("date", "latest");
        assertThat(Files.readString(PIPELINES.resolve("beatport-chart.yml"))).contains("name: beatport-chart");
    }
}
