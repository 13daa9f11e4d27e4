package io.tally.pipeline;

import static io.tally.pipeline.PipelineLoaderTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The checks across stages: dependencies, cycles, and what each stage's expressions may refer to. */
class StageGraphValidationTest {

    private static final String HEAD = """
            name: graph
            version: 1
            parameters:
              chart: {default: top-100}
            stages:
            """;

    @Test
    void refusesACycleOfThreeAndNamesItsStagesInOrder() {
        // Given a -> c -> b -> a through dependsOn, and a stage outside the cycle
        List<DefinitionProblem> problems = problems(HEAD + """
                  - {id: a, task: t, dependsOn: [c]}
                  - {id: b, task: t, dependsOn: [a]}
                  - {id: c, task: t, dependsOn: [b]}
                  - {id: d, task: t, dependsOn: [a]}
                """);

        // Then one problem names the cycle from the first declared stage, at its line
        assertThat(problems).extracting(DefinitionProblem::toString)
                .containsExactly("p.yml:6: cycle: a -> c -> b -> a");
    }

    @Test
    void refusesASelfDependency() {
        List<DefinitionProblem> problems = problems(HEAD + """
                  - {id: a, task: t}
                  - {id: b, task: t, dependsOn: [a, b]}
                """);

        assertThat(problems).extracting(DefinitionProblem::toString)
                .containsExactly("p.yml:7: stage b depends on itself: b -> b");
    }

    @Test
    void acceptsADiamondWhoseJoinReadsBothBranchesAndTheirCommonAncestor() {
        // Given top -> left, right -> bottom, bottom reading all three
        PipelineDefinition definition = PipelineLoader.load("p.yml", HEAD + """
                  - {id: top, task: t}
                  - {id: left, task: t, dependsOn: [top]}
                  - {id: right, task: t, dependsOn: [top]}
                  - id: bottom
                    task: t
                    dependsOn: [left, right]
                    input: {a: "${stages.left.output}", b: "${stages.right.output.x}", c: "${stages.top.output}"}
                """);

        // Then it loads
        assertThat(definition.stage("bottom").orElseThrow().dependsOn()).containsExactly("left", "right");
    }

    @Test
    void letsAStagesDetailReadItsOwnOutputButRefusesOneOnAFanOutOrIntoALaterStage() {
        // Given a detail reading its own stage's output, one on a fan-out, and one reading a stage after it
        PipelineDefinition fine = PipelineLoader.load("p.yml", HEAD + """
                  - {id: make, task: t, detail: "${stages.make.output.url} (${params.chart})"}
                """);
        List<DefinitionProblem> problems = problems(HEAD + """
                  - {id: list, task: t}
                  - id: each
                    task: t
                    dependsOn: [list]
                    forEach: {items: "${stages.list.output.all}", itemKey: "${item.key}"}
                    detail: "${item.key}"
                  - {id: first, task: t, detail: "${stages.last.output.url}"}
                  - {id: last, task: t, dependsOn: [first]}
                """);

        // Then the first loads, and the others name the stage, the line and the problem
        assertThat(fine.stage("make").orElseThrow().detail()).isEqualTo("${stages.make.output.url} (${params.chart})");
        assertThat(problems).extracting(DefinitionProblem::toString).containsExactly(
                "p.yml:11: stage each: detail is for single-task stages; a fan-out's detail is its count of failed"
                        + " elements",
                "p.yml:12: stage first: ${stages.last.output.url} refers to stage last, which is not an ancestor of"
                        + " stage first in the DAG, so its output cannot exist yet; add it to dependsOn (directly or"
                        + " through a stage between them)");
    }

    @Test
    void refusesAnUnknownDependency() {
        List<DefinitionProblem> problems = problems(HEAD + """
                  - id: a
                    task: t
                    dependsOn:
                      - scrap
                """);

        assertThat(problems).extracting(DefinitionProblem::toString)
                .containsExactly("p.yml:9: stage a depends on unknown stage 'scrap'");
    }

    @Test
    void refusesAnExpressionIntoAStageThatIsNotAnAncestor() {
        // Given two sibling stages, one reading the other's output, and one reading a stage declared after it
        List<DefinitionProblem> problems = problems(HEAD + """
                  - {id: a, task: t}
                  - {id: b, task: t, dependsOn: [a]}
                  - id: c
                    task: t
                    dependsOn: [a]
                    input:
                      fromA: ${stages.a.output}
                      fromB: ${stages.b.output.tracks}
                """);

        // Then the sibling reference is refused at its line, saying why
        assertThat(problems).extracting(DefinitionProblem::toString).containsExactly(
                "p.yml:13: stage c: ${stages.b.output.tracks} refers to stage b, which is not an ancestor of stage c"
                        + " in the DAG, so its output cannot exist yet; add it to dependsOn (directly or through a"
                        + " stage between them)");
    }

    @Test
    void refusesUnknownParametersStagesAndRoots() {
        List<DefinitionProblem> problems = problems(HEAD + """
                  - id: a
                    task: t
                    input:
                      one: ${params.chrat}
                      two: "${stages.nope.output} and ${job.owner}"
                      three: ["${env.HOME}"]
                      four: ${params.chart
                """);

        assertThat(problems).extracting(DefinitionProblem::toString).containsExactly(
                "p.yml:9: stage a: ${params.chrat} refers to unknown parameter 'chrat'; declared: chart",
                "p.yml:10: stage a: ${stages.nope.output} refers to unknown stage 'nope'",
                "p.yml:10: stage a: ${job.owner} is not one of ${job.id} and ${job.pipeline}",
                "p.yml:11: stage a: ${env.HOME} starts with unknown name 'env'; expected params, stages, job",
                "p.yml:12: stage a input four: '${params.chart': ${ is not closed by }");
    }

    @Test
    void refusesTheElementOutsideItsFanOut() {
        // Given ${item} in a stage that does not fan out, in forEach items, and under the wrong name
        List<DefinitionProblem> problems = problems(HEAD + """
                  - {id: list, task: t}
                  - id: single
                    task: t
                    dependsOn: [list]
                    input: {title: "${item.title}"}
                  - id: each
                    task: t
                    dependsOn: [list]
                    forEach: {items: "${item.tracks}", itemKey: "${track.key}", as: track}
                    input: {title: "${item.title}", key: "${track.key}"}
                """);

        // Then each use is refused with the reason
        assertThat(problems).extracting(DefinitionProblem::toString).containsExactly(
                "p.yml:10: stage single: ${item.title} is used outside a forEach stage: only a fan-out's input and"
                        + " itemKey have an element",
                "p.yml:14: stage each: ${item.tracks} is used in forEach items, which are read before there are"
                        + " elements",
                "p.yml:15: stage each: ${item.title} is not this fan-out's element, which is named 'track'");
    }

    @Test
    void refusesFanOutItemsThatAreNotOneReferenceAndAKeyThatIgnoresTheElement() {
        List<DefinitionProblem> problems = problems(HEAD + """
                  - {id: list, task: t}
                  - id: each
                    task: t
                    dependsOn: [list]
                    forEach: {items: "tracks: ${stages.list.output}", itemKey: "${params.chart}"}
                """);

        assertThat(problems).extracting(DefinitionProblem::toString).containsExactly(
                "p.yml:10: stage each: forEach items must be exactly one reference to a list, such as"
                        + " ${stages.pick.output.tracks}, not 'tracks: ${stages.list.output}'",
                "p.yml:10: stage each: forEach itemKey must refer to the element, such as ${item.trackKey}, or every"
                        + " element would count as the same item");
    }

    @Test
    void refusesOutputOfAFanOutAndOutputsOfASingleStage() {
        List<DefinitionProblem> problems = problems(HEAD + """
                  - {id: list, task: t}
                  - id: each
                    task: t
                    dependsOn: [list]
                    forEach: {items: "${stages.list.output.items}", itemKey: "${item.id}"}
                  - id: end
                    task: t
                    dependsOn: [each]
                    input: {all: "${stages.each.output}", first: "${stages.list.outputs}"}
                """);

        assertThat(problems).extracting(DefinitionProblem::message).containsExactly(
                "stage end: ${stages.each.output} reads output of fan-out stage each, which has one output per"
                        + " element: use ${stages.each.outputs}",
                "stage end: ${stages.list.outputs} reads outputs of stage list, which does not fan out: use"
                        + " ${stages.list.output}");
    }
}
