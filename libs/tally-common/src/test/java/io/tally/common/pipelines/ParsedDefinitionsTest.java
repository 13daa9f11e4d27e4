package io.tally.common.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.events.PipelineDefinitionPublished;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.PipelineDefinitionException;
import io.tally.pipeline.PipelineLoader;
import io.tally.pipeline.SourceText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParsedDefinitionsTest {

    private static final String ONE_STAGE = """
            name: tiny
            version: 1
            stages:
              - id: only
                task: echo
            """;

    private final ParsedDefinitions parsed = new ParsedDefinitions();

    @Test
    void parsesAVersionOnceAndAgainOnlyWhenItsContentChanges() {
        // Given a published version
        PipelineDefinitionPublished published = published(ONE_STAGE);

        // When it is read twice, and then with other content under the same key
        PipelineDefinition first = parsed.parse(published);
        PipelineDefinition again = parsed.parse(published);
        PipelineDefinition changed = parsed.parse(published(ONE_STAGE.replace("task: echo", "task: shout")));

        // Then the second read is the cached definition, and the changed content is parsed anew
        assertThat(again).isSameAs(first);
        assertThat(changed).isNotSameAs(first);
        assertThat(changed.stages().get(0).task()).isEqualTo("shout");
    }

    @Test
    void refusesAnUnparsableVersionOnEveryReadButReportsItOnce() {
        // Given a version whose YAML this release cannot read
        PipelineDefinitionPublished broken = PipelineDefinitionPublished.newBuilder(published(ONE_STAGE))
                .setYaml("name: tiny\nversion: 1\nstages: [{id: only}]\n").setSha256("other").build();
        List<String> reported = new ArrayList<>();

        // When it is read three times
        assertThat(parsed.parseOrSkip(broken, problem -> reported.add(problem.getMessage()))).isEmpty();
        assertThat(parsed.parseOrSkip(broken, problem -> reported.add(problem.getMessage()))).isEmpty();

        // Then the strict read throws, and the lenient one left it out and reported it once
        assertThatThrownBy(() -> parsed.parse(broken)).isInstanceOf(PipelineDefinitionException.class);
        assertThat(reported).singleElement().asString().contains("task");
    }

    private static PipelineDefinitionPublished published(String yaml) {
        return PublishedDefinitions.of(PipelineLoader.load(new SourceText("tiny.yml", yaml)), Instant.EPOCH);
    }
}
