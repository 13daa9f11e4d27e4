package io.tally.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Evaluating stage input against a job: typed references, interpolation, literals, and clear failures. */
class ExpressionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ExpressionScope scope = ExpressionScope.forJob("job-1", "beatport-chart",
                    Map.of("chart", TextNode.valueOf("top-100"), "limit", IntNode.valueOf(100)))
            .withOutput("scrape", json("{\"chartName\": \"Top 100\", \"tracks\": [{\"title\": \"One\"}, {\"title\": \"Two\"}],"
                    + " \"size\": 2, \"label\": null}"))
            .withElementOutputs("search", List.of(json("{\"videoId\": \"v1\"}"), json("{\"videoId\": \"v2\"}")));

    @Test
    void aValueThatIsExactlyOneReferenceKeepsItsJsonType() {
        assertThat(evaluate("${stages.scrape.output.tracks}"))
                .isEqualTo(json("[{\"title\": \"One\"}, {\"title\": \"Two\"}]"));
        assertThat(evaluate("${stages.scrape.output.size}")).isEqualTo(IntNode.valueOf(2));
        assertThat(evaluate("${params.limit}")).isEqualTo(IntNode.valueOf(100));
        assertThat(evaluate("${stages.scrape.output.label}").isNull()).isTrue();
        assertThat(evaluate("${stages.scrape.output.tracks.1.title}")).isEqualTo(TextNode.valueOf("Two"));
    }

    @Test
    void aStringMixingTextAndReferencesIsInterpolated() {
        assertThat(evaluate("${stages.scrape.output.chartName} (${params.chart}, ${params.limit} tracks)"))
                .isEqualTo(TextNode.valueOf("Top 100 (top-100, 100 tracks)"));
        assertThat(evaluate("job ${job.id} of ${job.pipeline}, label '${stages.scrape.output.label}'"))
                .isEqualTo(TextNode.valueOf("job job-1 of beatport-chart, label ''"));
        assertThat(evaluate("first: ${stages.scrape.output.tracks.0}"))
                .isEqualTo(TextNode.valueOf("first: {\"title\":\"One\"}"));
        assertThat(evaluate("costs $5, literally $${params.chart}")).isEqualTo(TextNode.valueOf(
                "costs $5, literally ${params.chart}"));
    }

    @Test
    void evaluatesNestedMapsAndListsAndPassesLiteralsThrough() {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("limit", 10);
        input.put("ratio", 0.5);
        input.put("dryRun", true);
        input.put("none", null);
        input.put("nested", Map.of("names", List.of("${params.chart}", "fixed")));
        input.put("videos", "${stages.search.outputs}");

        JsonNode result = Expressions.evaluate(input, scope);

        assertThat(result).isEqualTo(json("{\"limit\": 10, \"ratio\": 0.5, \"dryRun\": true, \"none\": null,"
                + " \"nested\": {\"names\": [\"top-100\", \"fixed\"]},"
                + " \"videos\": [{\"videoId\": \"v1\"}, {\"videoId\": \"v2\"}]}"));
    }

    @Test
    void seesTheCurrentElementUnderItsName() {
        ExpressionScope atElement = scope.withElement("track", json("{\"trackKey\": \"trk-1\", \"artists\": [\"A\", \"B\"]}"));

        assertThat(Expressions.evaluate("${track.artists}", atElement)).isEqualTo(json("[\"A\", \"B\"]"));
        assertThat(Expressions.evaluate("${track.trackKey}/${job.id}", atElement))
                .isEqualTo(TextNode.valueOf("trk-1/job-1"));
        assertThat(Expressions.evaluate("${track}", atElement).get("trackKey").asText()).isEqualTo("trk-1");
    }

    @Test
    void aMissingPathNamesTheExpressionAndWhatIsThere() {
        assertThat(failure("${stages.scrape.output.trackz}")).hasMessage(
                "${stages.scrape.output.trackz}: there is no 'trackz' in stages.scrape.output (fields: chartName,"
                        + " tracks, size, label)");
        assertThat(failure("n: ${stages.scrape.output.tracks.5.title}")).hasMessage(
                "${stages.scrape.output.tracks.5.title}: there is no '5' in stages.scrape.output.tracks (a list of 2)");
        assertThat(failure("${stages.pick.output}")).hasMessage(
                "${stages.pick.output}: stage pick has no output in this job (yet)");
        assertThat(failure("${params.date}")).hasMessage("${params.date}: no run parameter 'date'");
        assertThat(failure("${item.title}")).hasMessage(
                "${item.title}: 'item' is not known here; expected params, stages, job");
        assertThat(failure("${params.}")).hasMessage(
                "${params.}: expected names separated by dots, such as ${params.chart}");
    }

    @Test
    void listsTheReferencesOfAnInputValueInOrder() {
        List<Expressions.Reference> references = Expressions.references(Map.of("a",
                List.of("${params.chart} x ${ stages.scrape.output.tracks }", 3, Map.of("b", "$${not.one}"))));

        assertThat(references).containsExactly(
                new Expressions.Reference("${params.chart}", List.of("params", "chart")),
                new Expressions.Reference("${ stages.scrape.output.tracks }", List.of("stages", "scrape", "output", "tracks")));
        assertThat(Expressions.isSingleReference("${params.chart}")).isTrue();
        assertThat(Expressions.isSingleReference(" ${params.chart}")).isFalse();
        assertThat(Expressions.isSingleReference(42)).isFalse();
    }

    private JsonNode evaluate(String expression) {
        return Expressions.evaluate(expression, scope);
    }

    private ExpressionException failure(String expression) {
        return catchThrowableOfType(ExpressionException.class, () -> Expressions.evaluate(expression, scope));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
