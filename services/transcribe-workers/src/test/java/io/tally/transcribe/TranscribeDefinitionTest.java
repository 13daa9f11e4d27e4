package io.tally.transcribe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.PipelineLoader;
import io.tally.pipeline.RunParameters;
import io.tally.pipeline.StageSpec;
import io.tally.transcribe.download.VideoDownloaderAdapter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** pipelines/transcribe.yml as the engine loads it: the seed's stages, timeouts and retries, and its run parameters. */
class TranscribeDefinitionTest {

    private static final Path FILE = Path.of(System.getProperty("tally.local.pipelines", "../../pipelines"))
            .resolve("transcribe.yml");

    @Test
    void declaresTheThreeStagesInSequenceWithTheSeedsTimeoutsAndRetries() throws Exception {
        // Given the repository's definition
        PipelineDefinition definition = PipelineLoader.load(FILE);

        // Then download, normalize and transcribe run one after the other on the workers' task types
        assertThat(definition.name()).isEqualTo("transcribe");
        assertThat(definition.stages()).extracting(StageSpec::id, StageSpec::task).containsExactly(
                org.assertj.core.groups.Tuple.tuple("download", DownloadAudioHandler.TASK_TYPE),
                org.assertj.core.groups.Tuple.tuple("normalize", NormalizeAudioHandler.TASK_TYPE),
                org.assertj.core.groups.Tuple.tuple("transcribe", TranscribeAudioHandler.TASK_TYPE));
        assertThat(definition.stage("normalize").orElseThrow().dependsOn()).containsExactly("download");
        assertThat(definition.stage("transcribe").orElseThrow().dependsOn()).containsExactly("normalize");
        // And each has the seed's timeout (300 s, 180 s, 600 s) and retries, a failed download job not retried
        assertThat(definition.stages()).extracting(StageSpec::timeout).containsExactly(Duration.ofSeconds(300),
                Duration.ofSeconds(180), Duration.ofSeconds(600));
        assertThat(definition.stages()).allSatisfy(stage -> assertThat(stage.retry().attempts()).isEqualTo(3));
        assertThat(definition.stage("download").orElseThrow().retry().notRetried())
                .containsExactly(VideoDownloaderAdapter.FAILED);
    }

    @Test
    void aRunGivesOnlyTheUrlAndGetsTheSeedsDefaults() throws Exception {
        // Given the definition
        PipelineDefinition definition = PipelineLoader.load(FILE);

        // When a run gives only a URL
        Map<String, String> resolved = RunParameters.resolve(definition, Map.of("url", "https://youtu.be/FtnKP8fSSdc"));

        // Then the options are the seed's defaults
        assertThat(resolved).containsEntry("language", "auto").containsEntry("languageOut", "")
                .containsEntry("removeNoise", "true").containsEntry("convertToMono", "true")
                .containsEntry("highpassFilter", "false").containsEntry("sampleRate16k", "true")
                .containsEntry("isolateVocals", "false");
    }

    @Test
    void refusesARunWithoutAnHttpUrlOrWithAnUnsupportedOutputLanguage() throws Exception {
        // Given the definition
        PipelineDefinition definition = PipelineLoader.load(FILE);

        // Then a missing URL, a non-http one and a languageOut other than en are refused before anything runs
        assertThatThrownBy(() -> RunParameters.resolve(definition, Map.of()))
                .isInstanceOf(RunParameters.InvalidException.class).hasMessageContaining("url");
        assertThatThrownBy(() -> RunParameters.resolve(definition, Map.of("url", "file:///etc/passwd")))
                .isInstanceOf(RunParameters.InvalidException.class).hasMessageContaining("url");
        assertThatThrownBy(() -> RunParameters.resolve(definition, Map.of("url", "https://x.y/v", "languageOut", "fr")))
                .isInstanceOf(RunParameters.InvalidException.class).hasMessageContaining("languageOut");
    }
}
