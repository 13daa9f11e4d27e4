package io.tally.pipeline;

import io.tally.pipeline.Expressions.Reference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The checks that need the whole stage graph: dependencies that exist, no cycle, and expressions that refer only to
 * declared parameters, to stages whose output exists when the stage starts (its ancestors), and to a fan-out element
 * only inside its fan-out. Problems go to the file's {@link YamlNodes} with the line of what is wrong.
 */
final class DefinitionChecks {

    /**
     * Where a stage's parts are in its file.
     *
     * @param stage     the stage's first line
     * @param dependsOn the line of each dependency, by stage id
     * @param input     the line of each input field's value, by field name
     * @param items     the line of {@code forEach.items}, or 0
     * @param itemKey   the line of {@code forEach.itemKey}, or 0
     * @param detail    the line of {@code detail}, or 0
     */
    record StageLines(int stage, Map<String, Integer> dependsOn, Map<String, Integer> input, int items, int itemKey,
                      int detail) {
    }

    private final YamlNodes yaml;
    private final Map<String, StageSpec> stages = new LinkedHashMap<>();
    private final Map<String, StageLines> lines;
    private final Set<String> parameters;

    DefinitionChecks(YamlNodes yaml, List<StageSpec> stages, Map<String, StageLines> lines,
                     List<ParameterSpec> parameters) {
        this.yaml = yaml;
        stages.forEach(stage -> this.stages.put(stage.id(), stage));
        this.lines = lines;
        this.parameters = parameters.stream().map(ParameterSpec::name).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    void check() {
        check(Map.of(), Map.of());
    }

    /** The stage graph's checks, and those of the pipeline's {@code result} (with the line of each of its fields). */
    void check(Map<String, Object> result, Map<String, Integer> resultLines) {
        for (StageSpec stage : stages.values()) {
            for (String dependency : stage.dependsOn()) {
                if (!stages.containsKey(dependency)) {
                    yaml.problem(lines.get(stage.id()).dependsOn().get(dependency), "stage " + stage.id()
                            + " depends on unknown stage '" + dependency + "'");
                }
            }
        }
        cycles();
        for (StageSpec stage : stages.values()) {
            expressions(stage);
        }
        result.forEach((field, value) -> resultExpressions(field, value, resultLines.getOrDefault(field, 0)));
    }

    /**
     * A result is built once every stage has ended, so it may read any stage (a stage that was skipped or failed
     * leaves its fields null), the parameters and the job, but there is no element.
     */
    private void resultExpressions(String field, Object value, int line) {
        List<Reference> references;
        try {
            references = Expressions.references(value);
        } catch (ExpressionException e) {
            yaml.problem(line, "result " + field + ": " + e.getMessage());
            return;
        }
        StageSpec none = new StageSpec("result", "result", List.of(), Map.of(), null, null, RetryPolicy.NONE,
                OnFailure.FAIL, null);
        for (Reference reference : references) {
            String problem = problem(none, stages.keySet(), null, reference);
            if (problem != null) {
                yaml.problem(line, "result " + field + ": " + reference.text() + " " + problem.replace(
                        "is used outside a forEach stage: only a fan-out's input and itemKey have an element",
                        "is used in the result, which has no element"));
            }
        }
    }

    /** One problem per strongly connected component that has a cycle, naming the stages around it in order. */
    private void cycles() {
        new Tarjan().components().forEach(component -> {
            String first = component.iterator().next();
            boolean selfLoop = component.size() == 1 && stages.get(first).dependsOn().contains(first);
            if (component.size() > 1 || selfLoop) {
                List<String> cycle = cycleThrough(first, component);
                yaml.problem(lines.get(first).stage(), (selfLoop ? "stage " + first + " depends on itself: " : "cycle: ")
                        + String.join(" -> ", cycle));
            }
        });
    }

    /** A path from {@code start} along dependsOn back to {@code start} within its component (breadth first: shortest). */
    private List<String> cycleThrough(String start, Set<String> component) {
        Map<String, String> reachedFrom = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String current = queue.removeFirst();
            for (String next : stages.get(current).dependsOn()) {
                if (next.equals(start)) {
                    List<String> path = new ArrayList<>();
                    for (String at = current; at != null; at = reachedFrom.get(at)) {
                        path.add(0, at);
                    }
                    path.add(start);
                    return path;
                }
                if (component.contains(next) && !reachedFrom.containsKey(next)) {
                    reachedFrom.put(next, current);
                    queue.addLast(next);
                }
            }
        }
        return List.of(start, start);
    }

    /** Every stage that has ended before {@code stage} starts: its dependencies, theirs, and so on. */
    private Set<String> ancestors(StageSpec stage) {
        Set<String> ancestors = new HashSet<>();
        Deque<String> queue = new ArrayDeque<>(stage.dependsOn());
        while (!queue.isEmpty()) {
            String id = queue.removeFirst();
            if (stages.containsKey(id) && ancestors.add(id)) {
                queue.addAll(stages.get(id).dependsOn());
            }
        }
        return ancestors;
    }

    private void expressions(StageSpec stage) {
        StageLines at = lines.get(stage.id());
        Set<String> ancestors = ancestors(stage);
        String element = stage.fansOut() ? stage.forEach().as() : null;
        stage.input().forEach((field, value) -> references(stage, "input " + field, value, at.input().get(field))
                .forEach(reference -> reference(stage, ancestors, element, reference, at.input().get(field))));
        if (stage.detail() != null && stage.fansOut()) {
            yaml.problem(at.detail(), "stage " + stage.id() + ": detail is for single-task stages; a fan-out's"
                    + " detail is its count of failed elements");
        } else if (stage.detail() != null) {
            // The detail is built once the stage's task succeeded, so it may read the stage's own output.
            Set<String> readable = new HashSet<>(ancestors);
            readable.add(stage.id());
            references(stage, "detail", stage.detail(), at.detail())
                    .forEach(reference -> reference(stage, readable, null, reference, at.detail()));
        }
        if (!stage.fansOut()) {
            return;
        }
        FanOut forEach = stage.forEach();
        if (!singleReference(forEach.items())) {
            yaml.problem(at.items(), "stage " + stage.id() + ": forEach items must be exactly one reference to a list,"
                    + " such as ${stages.pick.output.tracks}, not '" + forEach.items() + "'");
        }
        // The elements do not exist before the list is evaluated, so items may not use the element's name.
        references(stage, "forEach items", forEach.items(), at.items())
                .forEach(reference -> reference(stage, ancestors, null, reference, at.items()));
        List<Reference> keyReferences = references(stage, "forEach itemKey", forEach.itemKey(), at.itemKey());
        keyReferences.forEach(reference -> reference(stage, ancestors, element, reference, at.itemKey()));
        if (keyReferences.stream().noneMatch(reference -> reference.root().equals(element))) {
            yaml.problem(at.itemKey(), "stage " + stage.id() + ": forEach itemKey must refer to the element, such as"
                    + " ${" + element + ".trackKey}, or every element would count as the same item");
        }
    }

    private static boolean singleReference(String text) {
        try {
            return Expressions.isSingleReference(text);
        } catch (ExpressionException e) {
            return true; // malformed: reported once, by references()
        }
    }

    private List<Reference> references(StageSpec stage, String where, Object value, int line) {
        try {
            return Expressions.references(value);
        } catch (ExpressionException e) {
            yaml.problem(line, "stage " + stage.id() + " " + where + ": " + e.getMessage());
            return List.of();
        }
    }

    private void reference(StageSpec stage, Set<String> ancestors, String element, Reference reference, int line) {
        String problem = problem(stage, ancestors, element, reference);
        if (problem != null) {
            yaml.problem(line, "stage " + stage.id() + ": " + reference.text() + " " + problem);
        }
    }

    /** What is wrong with one reference in a stage, or null. */
    private String problem(StageSpec stage, Set<String> ancestors, String element, Reference reference) {
        List<String> path = reference.path();
        switch (reference.root()) {
            case Expressions.PARAMS -> {
                if (path.size() != 2) {
                    return "must name one parameter, as ${params.<name>}";
                }
                return parameters.contains(path.get(1)) ? null : "refers to unknown parameter '" + path.get(1) + "'"
                        + (parameters.isEmpty() ? "; the pipeline declares none" : "; declared: "
                        + String.join(", ", parameters));
            }
            case Expressions.JOB -> {
                return path.size() == 2 && Set.of("id", "pipeline").contains(path.get(1)) ? null
                        : "is not one of ${job.id} and ${job.pipeline}";
            }
            case Expressions.STAGES -> {
                if (path.size() < 3 || !Set.of("output", "outputs").contains(path.get(2))) {
                    return "must read ${stages.<id>.output[.field...]} or ${stages.<id>.outputs}";
                }
                StageSpec target = stages.get(path.get(1));
                if (target == null) {
                    return "refers to unknown stage '" + path.get(1) + "'";
                }
                if (!ancestors.contains(target.id())) {
                    return "refers to stage " + target.id() + ", which is not an ancestor of stage " + stage.id()
                            + " in the DAG, so its output cannot exist yet; add it to dependsOn (directly or"
                            + " through a stage between them)";
                }
                if (target.fansOut() && path.get(2).equals("output")) {
                    return "reads output of fan-out stage " + target.id() + ", which has one output per element: use"
                            + " ${stages." + target.id() + ".outputs}";
                }
                if (!target.fansOut() && path.get(2).equals("outputs")) {
                    return "reads outputs of stage " + target.id() + ", which does not fan out: use ${stages."
                            + target.id() + ".output}";
                }
                return null;
            }
            default -> {
                if (reference.root().equals(element)) {
                    return null;
                }
                if (reference.root().equals(Expressions.DEFAULT_ELEMENT) || (stage.fansOut()
                        && reference.root().equals(stage.forEach().as()))) {
                    return element == null && !stage.fansOut()
                            ? "is used outside a forEach stage: only a fan-out's input and itemKey have an element"
                            : element == null ? "is used in forEach items, which are read before there are elements"
                            : "is not this fan-out's element, which is named '" + element + "'";
                }
                return "starts with unknown name '" + reference.root() + "'; expected params, stages, job"
                        + (element != null ? " or " + element : "");
            }
        }
    }

    /** Tarjan's strongly connected components over dependsOn, ignoring unknown stages. */
    private final class Tarjan {

        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new HashSet<>();
        private final List<Set<String>> components = new ArrayList<>();

        List<Set<String>> components() {
            for (String id : stages.keySet()) {
                if (!index.containsKey(id)) {
                    visit(id);
                }
            }
            return components;
        }

        private void visit(String id) {
            index.put(id, index.size());
            low.put(id, index.get(id));
            stack.push(id);
            onStack.add(id);
            for (String next : stages.get(id).dependsOn()) {
                if (!stages.containsKey(next)) {
                    continue;
                }
                if (!index.containsKey(next)) {
                    visit(next);
                    low.put(id, Math.min(low.get(id), low.get(next)));
                } else if (onStack.contains(next)) {
                    low.put(id, Math.min(low.get(id), index.get(next)));
                }
            }
            if (low.get(id).equals(index.get(id))) {
                Set<String> component = new LinkedHashSet<>();
                String member;
                do {
                    member = stack.pop();
                    onStack.remove(member);
                    component.add(member);
                } while (!member.equals(id));
                // Name the cycle from the stage declared first, as people read the file.
                Set<String> ordered = new LinkedHashSet<>();
                stages.keySet().stream().filter(component::contains).forEach(ordered::add);
                components.add(ordered);
            }
        }
    }
}
