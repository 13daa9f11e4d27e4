package io.tally.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.pipeline.OnFailure;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.PipelineLoader;
import io.tally.pipeline.RunParameters;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code pipelines/media-sources.yml} as the engine reads it: a url parameter, extract then pick, and the per-item
 * process stage that continues on failure and leaves video-unavailable to the dead-letter topic.
 */
class MediaSourcesDefinitionTest {

    private static final Path FILE = Path.of(System.getProperty("tally.local.pipelines", "../../pipelines"))
            .resolve("media-sources.yml");

    private final PipelineDefinition definition;

    MediaSourcesDefinitionTest() throws Exception {
        definition = PipelineLoader.load(FILE);
    }

    @Test
    void takesTheSourceUrlAsItsOneRequiredParameter() {
        assertThat(RunParameters.resolve(definition, Map.of("url", "https://www.youtube.com/@tallyfixture/videos")))
                .containsEntry("url", "https://www.youtube.com/@tallyfixture/videos");
        assertThatThrownBy(() -> RunParameters.resolve(definition, Map.of())).hasMessageContaining("url");
        assertThatThrownBy(() -> RunParameters.resolve(definition, Map.of("url", "not a url"))).hasMessageContaining("url");
    }

    @Test
    void fansOutOneProcessVideoPerPickedItemKeyedByVideoIdContinuingOnFailure() {
        assertThat(definition.stage("pick")).get().satisfies(stage -> {
            assertThat(stage.task()).isEqualTo("pick-new-items");
            assertThat(stage.dependsOn()).containsExactly("extract");
        });
        assertThat(definition.stage("process")).get().satisfies(stage -> {
            assertThat(stage.task()).isEqualTo("process-video");
            assertThat(stage.dependsOn()).containsExactly("pick");
            assertThat(stage.forEach()).isNotNull();
            assertThat(stage.onFailure()).isEqualTo(OnFailure.CONTINUE);
            assertThat(stage.retry().notRetried()).contains("video-unavailable");
        });
    }
}
