package io.tally.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading a pipeline file: every key of the format, its defaults, and one located problem per mistake. */
class PipelineLoaderTest {

    private static final String FULL = """
            name: beatport-chart
            description: Weekly chart to playlist
            version: 3
            parameters:
              chart: {type: string, default: top-100, allowed: [top-100, hype-100], description: which chart}
              date: {type: date, description: the chart date}
              limit: {type: integer, default: "100", pattern: "[0-9]+"}
            schedules:
              - name: weekly
                cron: "0 0 8 * * MON"
                zone: Europe/Berlin
                missedRuns: fire-once
                parameters: {chart: top-100, date: 2026-01-05}
              - name: paused
                cron: "0 0 2 * * SUN"
                enabled: false
                parameters: {date: "2026-01-04"}
            deadline: 2h
            stages:
              - id: scrape
                task: scrape-chart
                input: {chart: "${params.chart}", date: "${params.date}", limit: 100, dryRun: false, tags: [a, b]}
                timeout: 5m
                retry: {attempts: 3, initialDelay: 2s, multiplier: 2, maxDelay: 1m, notRetried: [not-found]}
                onFailure: fail
              - id: pick
                task: pick-new-tracks
                dependsOn: [scrape]
                input: {tracks: "${stages.scrape.output.tracks}"}
              - id: search
                task: search-track
                dependsOn: [pick]
                forEach: {items: "${stages.pick.output.tracks}", itemKey: "${item.trackKey}", as: item}
                input: {title: "${item.title}", artists: "${item.artists}"}
                onFailure: continue
            """;

    @Test
    void readsEveryKeyOfTheFormat() {
        // When the documented example is read
        PipelineDefinition definition = PipelineLoader.load("beatport-chart.yml", FULL);

        // Then the top level, parameters and schedules are as written
        assertThat(definition.name()).isEqualTo("beatport-chart");
        assertThat(definition.description()).isEqualTo("Weekly chart to playlist");
        assertThat(definition.version()).isEqualTo(3);
        assertThat(definition.deadline()).isEqualTo(Duration.ofHours(2));
        assertThat(definition.source().file()).isEqualTo("beatport-chart.yml");
        assertThat(definition.parameters()).containsExactly(
                new ParameterSpec("chart", ParameterType.STRING, "which chart", "top-100", null, List.of("top-100", "hype-100")),
                new ParameterSpec("date", ParameterType.DATE, "the chart date", null, null, List.of()),
                new ParameterSpec("limit", ParameterType.INTEGER, "", "100", "[0-9]+", List.of()));
        assertThat(definition.schedules()).containsExactly(
                new ScheduleSpec("weekly", "0 0 8 * * MON", ZoneId.of("Europe/Berlin"), true, MissedRunPolicy.FIRE_ONCE,
                        Map.of("chart", "top-100", "date", "2026-01-05")),
                new ScheduleSpec("paused", "0 0 2 * * SUN", ZoneOffset.UTC, false, MissedRunPolicy.SKIP,
                        Map.of("date", "2026-01-04")));
        // And the stages keep their order, settings and literal input types
        StageSpec scrape = definition.stage("scrape").orElseThrow();
        assertThat(scrape.task()).isEqualTo("scrape-chart");
        assertThat(scrape.input()).containsExactly(Map.entry("chart", "${params.chart}"),
                Map.entry("date", "${params.date}"), Map.entry("limit", 100), Map.entry("dryRun", false),
                Map.entry("tags", List.of("a", "b")));
        assertThat(scrape.timeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(scrape.retry()).isEqualTo(new RetryPolicy(3, Duration.ofSeconds(2), 2.0, Duration.ofMinutes(1),
                List.of("not-found")));
        StageSpec search = definition.stage("search").orElseThrow();
        assertThat(search.forEach()).isEqualTo(new FanOut("${stages.pick.output.tracks}", "${item.trackKey}", "item"));
        assertThat(search.dependsOn()).containsExactly("pick");
        assertThat(search.onFailure()).isEqualTo(OnFailure.CONTINUE);
        assertThat(definition.stages()).extracting(StageSpec::id).containsExactly("scrape", "pick", "search");
    }

    @Test
    void appliesTheDefaultsOfLeftOutKeys() {
        // Given a stage with only an id and a task, and a fan-out without "as"
        PipelineDefinition definition = PipelineLoader.load("p.yml", """
                name: minimal
                version: 1
                stages:
                  - id: only
                    task: do-it
                  - id: each
                    task: do-each
                    dependsOn: only
                    forEach: {items: "${stages.only.output.list}", itemKey: "${item}"}
                    retry: {attempts: 2}
                """);

        // Then the documented defaults apply
        StageSpec only = definition.stage("only").orElseThrow();
        assertThat(only.dependsOn()).isEmpty();
        assertThat(only.input()).isEmpty();
        assertThat(only.retry()).isEqualTo(RetryPolicy.NONE);
        assertThat(only.onFailure()).isEqualTo(OnFailure.FAIL);
        assertThat(only.timeout()).isNull();
        assertThat(only.fansOut()).isFalse();
        StageSpec each = definition.stage("each").orElseThrow();
        assertThat(each.dependsOn()).containsExactly("only");
        assertThat(each.forEach().as()).isEqualTo("item");
        assertThat(each.retry()).isEqualTo(new RetryPolicy(2, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), List.of()));
        assertThat(definition.description()).isEmpty();
        assertThat(definition.deadline()).isNull();
        assertThat(definition.parameters()).isEmpty();
        assertThat(definition.schedules()).isEmpty();
    }

    @Test
    void namesAMisspeltKeyWithItsLineAndTheKeyItMeant() {
        // Given "dependOn" instead of "dependsOn" on line 7
        List<DefinitionProblem> problems = problems("""
                name: typo
                version: 1
                stages:
                  - id: a
                    task: t
                  - id: b
                    dependOn: [a]
                    task: t
                """);

        // Then the problem points at that line and suggests the right key
        assertThat(problems).containsExactly(new DefinitionProblem("p.yml", 7,
                "unknown key 'dependOn' in a stage (did you mean 'dependsOn'?)"));
    }

    @Test
    void refusesATaskTypeWhoseTopicIsOneOfTheEnginesSharedTopics() {
        // Given a stage whose task type would name tally.tasks.results
        List<DefinitionProblem> problems = problems("""
                name: clash
                version: 1
                stages:
                  - id: a
                    task: results
                """);

        // Then it is refused on its line, saying why
        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(5);
            assertThat(problem.message()).contains("'results' is reserved").contains("tally.tasks.results");
        });
    }

    @Test
    void collectsEveryProblemOfAFileNotJustTheFirst() {
        // Given a file with a mistake in nearly every key
        PipelineDefinitionException failure = failure("""
                name: Bad_Name
                version: 0
                parameters:
                  limit: {type: integer, default: many}
                  kind: {type: string, default: c, allowed: [a, b]}
                  code: {default: x1, pattern: "[a-z]+"}
                  when: {type: datetime}
                schedules:
                  - name: nightly
                    cron: "0 0 2 * *"
                    zone: Mars/Olympus
                    missedRuns: fire-twice
                deadline: soon
                stages:
                  - id: a
                    task: Scrape_Chart
                    timeout: -5m
                  - id: a
                    task: other
                  - id: b
                    retry: {attempts: 0, initialDelay: 1x}
                """);

        // Then each is reported with its line, in line order, and the message lists them one per line
        assertThat(failure.problems()).extracting(DefinitionProblem::line)
                .containsExactly(1, 2, 4, 5, 6, 7, 9, 10, 11, 12, 13, 16, 17, 18, 20, 21, 21);
        assertThat(failure.problems()).extracting(DefinitionProblem::message).containsExactly(
                "name 'Bad_Name' must be lower-case kebab, [a-z][a-z0-9-]{0,62}",
                "version must be a whole number of 1 or more, not '0'",
                "default of parameter 'limit': 'many' is not a whole number",
                "default of parameter 'kind': 'c' is not one of a, b",
                "default of parameter 'code': 'x1' does not match [a-z]+",
                "parameter when type must be one of string, integer, boolean, date, not 'datetime'",
                "schedule nightly: parameter 'when' is required",
                "schedule nightly: cron '0 0 2 * *' is not a Spring cron expression (six fields, seconds first, such as"
                        + " \"0 0 8 * * MON\"): Cron expression must consist of 6 fields (found 5 in \"0 0 2 * *\")",
                "schedule nightly: unknown zone 'Mars/Olympus' (use a region id such as Europe/Berlin, or UTC)",
                "schedule nightly missedRuns must be one of skip, fire-once, not 'fire-twice'",
                "deadline: 'soon' is not a duration (such as 30s, 10m, 2h, 1d or PT5M)",
                "stage a: task type 'Scrape_Chart' must match [a-z][a-z0-9-]* (it names the topic tally.tasks.<type>)",
                "stage a timeout: '-5m' is not a duration (such as 30s, 10m, 2h, 1d or PT5M)",
                "duplicate stage id 'a' (first at line 15)",
                "stage b has no task",
                "stage b retry: attempts must be a whole number of 1 or more, not '0'",
                "stage b retry initialDelay: '1x' is not a duration (such as 30s, 10m, 2h, 1d or PT5M)");
        assertThat(failure.getMessage()).startsWith("invalid pipeline definition:\np.yml:1: name 'Bad_Name'")
                .contains("\np.yml:2: version must be");
    }

    @Test
    void refusesADuplicateParameterAndAMissingNameVersionAndStages() {
        // Given a parameter declared twice and no name, version or stages
        List<DefinitionProblem> problems = problems("""
                description: nothing else
                parameters:
                  chart: {default: a}
                  chart: {default: b}
                """);

        // Then all four are named
        assertThat(problems).extracting(DefinitionProblem::toString).containsExactly(
                "p.yml:1: the pipeline has no name",
                "p.yml:1: the pipeline has no version",
                "p.yml:1: the pipeline has no stages",
                "p.yml:4: duplicate key 'chart' (first at line 3)");
    }

    @Test
    void reportsBrokenYamlWithItsLine() {
        // When the text is not YAML at all
        List<DefinitionProblem> problems = problems("""
                name: broken
                stages:
                  - id: a
                   task: [unclosed
                """);

        // Then the parser's problem is reported at its line
        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isBetween(3, 5);
            assertThat(problem.message()).startsWith("not valid YAML: ");
        });
    }

    @Test
    void keepsYesAndUnquotedDatesAsStringsInInput() {
        // Given literals YAML 1.1 would read as a boolean and a timestamp
        PipelineDefinition definition = PipelineLoader.load("p.yml", """
                name: literals
                version: 1
                stages:
                  - id: a
                    task: t
                    input: {answer: yes, day: 2026-01-05, ratio: 0.5, nothing: null, nested: {list: [1, true]}}
                """);

        // Then they stay what JSON would make of them
        assertThat(definition.stage("a").orElseThrow().input()).containsEntry("answer", "yes")
                .containsEntry("day", "2026-01-05").containsEntry("ratio", 0.5).containsEntry("nothing", null)
                .containsEntry("nested", Map.of("list", List.of(1, true)));
    }

    @Test
    void checksThatAScheduleGivesEveryRequiredParameterAndOnlyDeclaredOnes() {
        // Given a schedule that leaves out the required date and gives an undeclared parameter
        List<DefinitionProblem> problems = problems("""
                name: scheduled
                version: 1
                parameters:
                  date: {type: date}
                schedules:
                  - name: daily
                    cron: "0 0 8 * * *"
                    parameters: {colour: red}
                stages:
                  - id: a
                    task: t
                """);

        // Then both are problems of the schedule, at its parameters
        assertThat(problems).extracting(DefinitionProblem::toString).containsExactly(
                "p.yml:8: schedule daily: unknown parameter 'colour'; declared: date",
                "p.yml:8: schedule daily: parameter 'date' is required");
    }

    @Test
    void parsesShortAndIsoDurations() {
        assertThat(PipelineLoader.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(PipelineLoader.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(PipelineLoader.parseDuration("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(PipelineLoader.parseDuration("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(PipelineLoader.parseDuration("PT5M")).isEqualTo(Duration.ofMinutes(5));
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> PipelineLoader.parseDuration("5 min")))
                .hasMessageContaining("'5 min' is not a duration");
    }

    static List<DefinitionProblem> problems(String yaml) {
        return failure(yaml).problems();
    }

    static PipelineDefinitionException failure(String yaml) {
        return catchThrowableOfType(PipelineDefinitionException.class, () -> PipelineLoader.load("p.yml", yaml));
    }
}
