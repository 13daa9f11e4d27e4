package io.tally.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A run's given parameters against the declarations: defaults applied, one problem per bad parameter. */
class RunParametersTest {

    private final PipelineDefinition definition = PipelineLoader.load("p.yml", """
            name: params
            version: 1
            parameters:
              chart: {default: top-100, allowed: [top-100, hype-100]}
              date: {type: date}
              limit: {type: integer, default: "100"}
              dryRun: {type: boolean, default: "false"}
              code: {default: abc, pattern: "[a-z]{3}"}
            stages:
              - {id: a, task: t}
            """);

    @Test
    void appliesDefaultsInDeclarationOrder() {
        Map<String, String> resolved = RunParameters.resolve(definition, Map.of("date", "2026-01-05", "limit", "7"));

        assertThat(resolved).containsExactly(Map.entry("chart", "top-100"), Map.entry("date", "2026-01-05"),
                Map.entry("limit", "7"), Map.entry("dryRun", "false"), Map.entry("code", "abc"));
        assertThat(RunParameters.typed(definition, resolved)).containsEntry("limit", LongNode.valueOf(7))
                .containsEntry("dryRun", BooleanNode.FALSE).containsEntry("date", TextNode.valueOf("2026-01-05"));
    }

    @Test
    void namesEveryBadParameterOnce() {
        // Given an unknown name, a missing required one, a wrong type, a pattern miss and a value not allowed
        RunParameters.InvalidException invalid = catchThrowableOfType(RunParameters.InvalidException.class,
                () -> RunParameters.resolve(definition, Map.of("colour", "red", "chart", "top-10", "limit", "ten",
                        "dryRun", "yes", "code", "abcd")));

        // Then each is a problem naming its parameter
        assertThat(invalid.problems()).containsExactly(
                new RunParameters.Problem("colour", "unknown parameter 'colour'; declared: chart, date, limit, dryRun, code"),
                new RunParameters.Problem("chart", "parameter 'chart': 'top-10' is not one of top-100, hype-100"),
                new RunParameters.Problem("date", "parameter 'date' is required"),
                new RunParameters.Problem("limit", "parameter 'limit': 'ten' is not a whole number"),
                new RunParameters.Problem("dryRun", "parameter 'dryRun': 'yes' is not true or false"),
                new RunParameters.Problem("code", "parameter 'code': 'abcd' does not match [a-z]{3}"));
        assertThat(invalid).hasMessageStartingWith("invalid parameters for pipeline params: unknown parameter 'colour'");
    }

    @Test
    void refusesADateThatIsNotOnTheCalendar() {
        assertThat(catchThrowableOfType(RunParameters.InvalidException.class,
                () -> RunParameters.resolve(definition, Map.of("date", "2026-02-30"))).problems())
                .extracting(RunParameters.Problem::message)
                .containsExactly("parameter 'date': '2026-02-30' is not a date (yyyy-MM-dd)");
    }
}
