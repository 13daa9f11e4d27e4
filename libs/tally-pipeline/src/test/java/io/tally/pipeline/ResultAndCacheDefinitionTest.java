package io.tally.pipeline;

import static io.tally.pipeline.PipelineLoaderTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pipeline's {@code result:} and {@code cache:} blocks: what they read into, and the problems they report. */
class ResultAndCacheDefinitionTest {

    private static final String HEAD = """
            name: transcribe
            version: 1
            parameters:
              url: {type: string}
              language: {type: string, default: auto}
            stages:
              - {id: download, task: download}
              - {id: transcribe, task: transcribe, dependsOn: [download]}
            """;

    @Test
    void readsTheResultFieldsInOrderAndTheCacheWithItsKey() {
        // When a definition with a result and a cache is read
        PipelineDefinition definition = PipelineLoader.load("t.yml", HEAD + """
                result:
                  text: ${stages.transcribe.output.text}
                  segments: ${stages.transcribe.output.segments}
                  source: "${params.url} (${params.language})"
                cache:
                  ttl: 24h
                  key: [url]
                """);

        // Then the result keeps its fields in file order and the cache its ttl and key
        assertThat(definition.result()).containsExactly(
                Map.entry("text", "${stages.transcribe.output.text}"),
                Map.entry("segments", "${stages.transcribe.output.segments}"),
                Map.entry("source", "${params.url} (${params.language})"));
        assertThat(definition.cache()).isEqualTo(new CacheSpec(Duration.ofHours(24), List.of("url")));
    }

    @Test
    void aPipelineWithoutResultOrCacheHasAnEmptyResultAndNoCache() {
        PipelineDefinition definition = PipelineLoader.load("t.yml", HEAD);

        assertThat(definition.result()).isEmpty();
        assertThat(definition.cache()).isNull();
    }

    @Test
    void refusesResultExpressionsIntoUnknownStagesParametersAndElementsAtTheirLines() {
        // Given a result reading a stage that does not exist, an unknown parameter and an element
        List<DefinitionProblem> problems = problems(HEAD + """
                result:
                  text: ${stages.transcribe.output.text}
                  words: ${stages.transcrib.output.words}
                  who: ${params.speaker}
                  one: ${item.x}
                """);

        // Then each is reported as file:line, naming the field
        assertThat(problems).extracting(DefinitionProblem::toString).containsExactly(
                "p.yml:11: result words: ${stages.transcrib.output.words} refers to unknown stage 'transcrib'",
                "p.yml:12: result who: ${params.speaker} refers to unknown parameter 'speaker'; declared: url,"
                        + " language",
                "p.yml:13: result one: ${item.x} is used in the result, which has no element");
    }

    @Test
    void refusesACacheWithoutTtlOrWithAnUnknownKeyParameter() {
        List<DefinitionProblem> missingTtl = problems(HEAD + """
                cache: {key: [url]}
                """);
        List<DefinitionProblem> unknownKey = problems(HEAD + """
                cache:
                  ttl: 1h
                  key: [url, format]
                """);

        assertThat(missingTtl).extracting(DefinitionProblem::message).singleElement().asString().contains("ttl");
        assertThat(unknownKey).extracting(DefinitionProblem::toString).containsExactly(
                "p.yml:11: cache key names unknown parameter 'format'; declared: url, language");
    }

    @Test
    void buildsTheCacheKeyFromTheResolvedParametersInCanonicalOrder() {
        CacheSpec all = new CacheSpec(Duration.ofHours(1), List.of());
        CacheSpec urlOnly = new CacheSpec(Duration.ofHours(1), List.of("url"));
        Map<String, String> resolved = new java.util.LinkedHashMap<>();
        resolved.put("url", "https://x");
        resolved.put("language", "auto");

        assertThat(all.keyParameters(resolved)).containsExactly(Map.entry("language", "auto"), Map.entry("url", "https://x"));
        assertThat(urlOnly.keyParameters(resolved)).containsExactly(Map.entry("url", "https://x"));
    }
}
