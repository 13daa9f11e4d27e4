package io.tally.pipeline;

import io.tally.pipeline.YamlNodes.Mapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.springframework.scheduling.support.CronExpression;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads one pipeline file ({@code pipelines/<name>.yml}, format in docs/pipelines.md) into a
 * {@link PipelineDefinition}, or throws {@link PipelineDefinitionException} with every problem found, each with its
 * line. The same text always gives the same definition, so the CLI, the engine and the API agree on what a file means.
 */
public final class PipelineLoader {

    /** A pipeline name: lower-case kebab, as it appears in job ids and URLs. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    /** A task type: it names the topic {@code tally.tasks.<type>}, so only characters every topic tool accepts. */
    public static final Pattern TASK_TYPE = Pattern.compile("[a-z][a-z0-9-]*");
    /** Task types whose topic name is taken by the engine's shared topics ({@code tally.tasks.results}, ...). */
    public static final java.util.Set<String> RESERVED_TASK_TYPES = java.util.Set.of("results", "progress");
    /** A stage id, parameter name or element name: one segment of an expression path. */
    public static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private static final List<String> PIPELINE_KEYS =
            List.of("name", "description", "version", "parameters", "schedules", "deadline", "stages", "result", "cache");
    private static final List<String> CACHE_KEYS = List.of("ttl", "key");
    private static final List<String> PARAMETER_KEYS = List.of("type", "default", "allowed", "pattern", "description");
    private static final List<String> SCHEDULE_KEYS =
            List.of("name", "cron", "zone", "enabled", "missedRuns", "parameters");
    private static final List<String> STAGE_KEYS =
            List.of("id", "task", "dependsOn", "input", "forEach", "timeout", "retry", "onFailure", "detail");
    private static final List<String> FOR_EACH_KEYS = List.of("items", "itemKey", "as");
    private static final List<String> RETRY_KEYS =
            List.of("attempts", "initialDelay", "multiplier", "maxDelay", "notRetried");

    /** A retry block's values for the keys it leaves out. */
    static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(1);
    static final double DEFAULT_MULTIPLIER = 2.0;
    static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(5);

    private PipelineLoader() {
    }

    /** Reads a file; problems name it as given. */
    public static PipelineDefinition load(Path file) throws IOException {
        return load(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Reads text that came from {@code file} (a file name or another origin, used in problems). */
    public static PipelineDefinition load(String file, String text) {
        return load(new SourceText(file, text));
    }

    /** Reads a definition's source text. */
    public static PipelineDefinition load(SourceText source) {
        YamlNodes yaml = new YamlNodes(source.file());
        Node root;
        try {
            root = YamlNodes.yaml().compose(new java.io.StringReader(source.text()));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new PipelineDefinitionException(List.of(new DefinitionProblem(source.file(), line,
                    "not valid YAML: " + e.getProblem())));
        } catch (YAMLException e) {
            throw new PipelineDefinitionException(List.of(new DefinitionProblem(source.file(), 0,
                    "not valid YAML: " + e.getMessage())));
        }
        if (root == null) {
            throw new PipelineDefinitionException(List.of(new DefinitionProblem(source.file(), 0, "the file is empty")));
        }
        PipelineDefinition definition = new Reading(yaml, source).pipeline(root);
        if (!yaml.problems().isEmpty() || definition == null) {
            List<DefinitionProblem> problems = new ArrayList<>(yaml.problems());
            problems.sort(Comparator.comparingInt(DefinitionProblem::line));
            throw new PipelineDefinitionException(problems);
        }
        return definition;
    }

    /**
     * A duration as {@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d} or ISO-8601 ({@code PT5M}).
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static Duration parseDuration(String text) {
        Matcher shortForm = SHORT_DURATION.matcher(text.trim());
        if (shortForm.matches()) {
            long amount = Long.parseLong(shortForm.group(1));
            return switch (shortForm.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (such as 30s, 10m, 2h, 1d or PT5M)");
        }
    }

    /** One file's reading: the problems found so far, and where each stage's parts are for the later checks. */
    private static final class Reading {

        private final YamlNodes yaml;
        private final SourceText source;
        private final Map<String, DefinitionChecks.StageLines> stageLines = new HashMap<>();

        Reading(YamlNodes yaml, SourceText source) {
            this.yaml = yaml;
            this.source = source;
        }

        PipelineDefinition pipeline(Node root) {
            Optional<Mapping> maybeTop = yaml.mapping(root, "a pipeline file");
            if (maybeTop.isEmpty()) {
                return null;
            }
            Mapping top = maybeTop.get();
            top.allowOnly("the pipeline", PIPELINE_KEYS);
            String name = required(top, "name", "the pipeline");
            if (name != null && !NAME.matcher(name).matches()) {
                yaml.problem(top.get("name").orElseThrow(), "name '" + name + "' must be lower-case kebab,"
                        + " [a-z][a-z0-9-]{0,62}");
            }
            String description = top.get("description").map(node -> yaml.text(node, "description")).orElse("");
            int version = top.require("version", "the pipeline")
                    .map(node -> atLeastOne(node, "version", "a whole number", Integer::valueOf, 0)).orElse(0);
            List<ParameterSpec> parameters = top.get("parameters").map(this::parameters).orElse(List.of());
            List<ScheduleSpec> schedules = top.get("schedules").map(node -> schedules(node, parameters, name))
                    .orElse(List.of());
            Duration deadline = top.get("deadline").map(node -> positiveDuration(node, "deadline")).orElse(null);
            List<StageSpec> stages = top.require("stages", "the pipeline").map(this::stages).orElse(List.of());
            Map<String, Object> result = new LinkedHashMap<>();
            Map<String, Integer> resultLines = new LinkedHashMap<>();
            top.get("result").flatMap(node -> yaml.mapping(node, "result")).ifPresent(fields ->
                    fields.entries().forEach((key, value) -> {
                        resultLines.put(key, YamlNodes.line(value));
                        try {
                            result.put(key, yaml.value(value));
                        } catch (YAMLException e) {
                            yaml.problem(value, "result " + key + ": " + e.getMessage());
                        }
                    }));
            CacheSpec cache = top.get("cache").flatMap(node -> yaml.mapping(node, "cache"))
                    .map(spec -> cache(spec, parameters)).orElse(null);
            new DefinitionChecks(yaml, stages, stageLines, parameters).check(result, resultLines);
            if (name == null) {
                return null;
            }
            return new PipelineDefinition(name, description, version, parameters, schedules, deadline, stages, source,
                    result, cache);
        }

        /** The cache block: a positive ttl, and key parameters that the pipeline declares. */
        private CacheSpec cache(Mapping spec, List<ParameterSpec> parameters) {
            spec.allowOnly("cache", CACHE_KEYS);
            Duration ttl = spec.require("ttl", "cache").map(node -> positiveDuration(node, "cache ttl")).orElse(null);
            List<String> key = spec.get("key").map(node -> yaml.texts(node, "cache key")).orElse(List.of());
            for (String name : key) {
                if (parameters.stream().noneMatch(parameter -> parameter.name().equals(name))) {
                    yaml.problem(spec.keyLine("key"), "cache key names unknown parameter '" + name + "'"
                            + (parameters.isEmpty() ? "; the pipeline declares none" : "; declared: " + String.join(
                            ", ", parameters.stream().map(ParameterSpec::name).toList())));
                }
            }
            return ttl == null ? null : new CacheSpec(ttl, key);
        }

        /** A key's single value that must be there and not empty. */
        private String required(Mapping mapping, String key, String what) {
            Optional<Node> node = mapping.require(key, what);
            String text = node.map(value -> yaml.text(value, what + " " + key)).orElse(null);
            if (node.isPresent() && (text == null || text.isBlank()) && node.get() instanceof ScalarNode) {
                yaml.problem(node.get(), what + ": " + key + " is empty");
                return null;
            }
            return text;
        }

        /** A number of 1 or more, or {@code fallback} after recording that the value is not one. */
        private <N extends Number> N atLeastOne(Node node, String what, String kind, Function<String, N> parse,
                                                N fallback) {
            String text = yaml.text(node, what);
            try {
                N value = parse.apply(String.valueOf(text));
                if (value.doubleValue() >= 1) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            yaml.problem(node, what + " must be " + kind + " of 1 or more, not '" + text + "'");
            return fallback;
        }

        private List<ParameterSpec> parameters(Node node) {
            List<ParameterSpec> parameters = new ArrayList<>();
            yaml.mapping(node, "parameters").ifPresent(all -> all.entries().forEach((name, specNode) -> {
                if (!IDENTIFIER.matcher(name).matches()) {
                    yaml.problem(all.keyLine(name), "parameter name '" + name + "' must match " + IDENTIFIER.pattern());
                }
                yaml.mapping(specNode, "parameter " + name).ifPresent(spec -> {
                    ParameterSpec parameter = parameter(name, spec);
                    if (parameter != null) {
                        parameters.add(parameter);
                    }
                });
            }));
            return parameters;
        }

        private ParameterSpec parameter(String name, Mapping spec) {
            String what = "parameter " + name;
            spec.allowOnly(what, PARAMETER_KEYS);
            ParameterType type = spec.get("type").map(node -> enumValue(node, ParameterType.class, what + " type"))
                    .orElse(ParameterType.STRING);
            String description = spec.get("description").map(node -> yaml.text(node, "description")).orElse("");
            String defaultValue = spec.get("default").map(node -> yaml.text(node, what + " default")).orElse(null);
            String pattern = spec.get("pattern").map(node -> yaml.text(node, what + " pattern")).orElse(null);
            if (pattern != null) {
                try {
                    Pattern.compile(pattern);
                } catch (PatternSyntaxException e) {
                    yaml.problem(spec.get("pattern").orElseThrow(), what + " pattern is not a regular expression: "
                            + e.getDescription());
                    pattern = null;
                }
            }
            List<String> allowed = spec.get("allowed").map(node -> yaml.texts(node, what + " allowed")).orElse(List.of());
            if (type == null) {
                return null;
            }
            ParameterSpec parameter = new ParameterSpec(name, type, description, defaultValue, pattern, allowed);
            if (defaultValue != null) {
                RunParameters.check(parameter, defaultValue).ifPresent(misfit ->
                        yaml.problem(spec.get("default").orElseThrow(), "default of " + misfit));
            }
            return parameter;
        }

        private List<ScheduleSpec> schedules(Node node, List<ParameterSpec> parameters, String pipeline) {
            List<ScheduleSpec> schedules = new ArrayList<>();
            Map<String, Integer> names = new HashMap<>();
            for (Node item : yaml.sequence(node, "schedules")) {
                yaml.mapping(item, "a schedule").ifPresent(schedule -> {
                    ScheduleSpec spec = schedule(schedule, parameters, pipeline);
                    if (spec == null) {
                        return;
                    }
                    Integer earlier = names.putIfAbsent(spec.name(), schedule.line());
                    if (earlier != null) {
                        yaml.problem(schedule.line(), "duplicate schedule '" + spec.name() + "' (first at line "
                                + earlier + ")");
                    }
                    schedules.add(spec);
                });
            }
            return schedules;
        }

        private ScheduleSpec schedule(Mapping schedule, List<ParameterSpec> parameters, String pipeline) {
            schedule.allowOnly("a schedule", SCHEDULE_KEYS);
            String name = required(schedule, "name", "a schedule");
            String what = "schedule " + name;
            if (name != null && !NAME.matcher(name).matches()) {
                yaml.problem(schedule.get("name").orElseThrow(), what + ": name must be lower-case kebab");
            }
            String cron = required(schedule, "cron", what) == null ? null : cron(schedule.get("cron").orElseThrow(), what);
            ZoneId zone = schedule.get("zone").map(node -> zone(node, what)).orElse(ZoneOffset.UTC);
            boolean enabled = schedule.get("enabled").map(node -> bool(node, what + " enabled")).orElse(true);
            MissedRunPolicy missed = schedule.get("missedRuns")
                    .map(node -> enumValue(node, MissedRunPolicy.class, what + " missedRuns")).orElse(MissedRunPolicy.SKIP);
            Map<String, String> given = new LinkedHashMap<>();
            schedule.get("parameters").flatMap(node -> yaml.mapping(node, what + " parameters"))
                    .ifPresent(values -> values.entries().forEach((key, value) -> {
                        String text = yaml.text(value, what + " parameter " + key);
                        if (text != null) {
                            given.put(key, text);
                        }
                    }));
            // A scheduled run has nobody to give what the schedule leaves out, so it must resolve on its own.
            PipelineDefinition parametersOnly = new PipelineDefinition(String.valueOf(pipeline), "", 1, parameters,
                    List.of(), null, List.of(), source);
            try {
                RunParameters.resolve(parametersOnly, given);
            } catch (RunParameters.InvalidException e) {
                // A default that does not fit is reported once, at the default.
                e.problems().stream().filter(problem -> given.containsKey(problem.parameter())
                                || parameters.stream().noneMatch(spec -> spec.name().equals(problem.parameter())
                                && spec.defaultValue() != null))
                        .forEach(problem -> yaml.problem(schedule.keyLine("parameters"), what + ": " + problem.message()));
            }
            if (name == null || cron == null || zone == null || missed == null) {
                return null;
            }
            return new ScheduleSpec(name, cron, zone, enabled, missed, given);
        }

        private String cron(Node node, String what) {
            String cron = yaml.text(node, what + " cron");
            if (cron == null) {
                return null;
            }
            try {
                CronExpression.parse(cron);
                return cron;
            } catch (IllegalArgumentException e) {
                yaml.problem(node, what + ": cron '" + cron + "' is not a Spring cron expression (six fields,"
                        + " seconds first, such as \"0 0 8 * * MON\"): " + e.getMessage());
                return null;
            }
        }

        private ZoneId zone(Node node, String what) {
            String zone = yaml.text(node, what + " zone");
            try {
                return ZoneId.of(String.valueOf(zone));
            } catch (DateTimeException e) {
                yaml.problem(node, what + ": unknown zone '" + zone + "' (use a region id such as Europe/Berlin, or UTC)");
                return null;
            }
        }

        private List<StageSpec> stages(Node node) {
            List<StageSpec> stages = new ArrayList<>();
            List<Node> items = yaml.sequence(node, "stages");
            if (node instanceof SequenceNode && items.isEmpty()) {
                yaml.problem(node, "stages must list at least one stage");
            }
            Map<String, Integer> ids = new HashMap<>();
            for (Node item : items) {
                yaml.mapping(item, "a stage").ifPresent(stage -> {
                    StageSpec spec = stage(stage);
                    if (spec == null) {
                        return;
                    }
                    Integer earlier = ids.putIfAbsent(spec.id(), stage.line());
                    if (earlier != null) {
                        yaml.problem(stage.get("id").orElseThrow(), "duplicate stage id '" + spec.id()
                                + "' (first at line " + earlier + ")");
                        return;
                    }
                    stages.add(spec);
                });
            }
            return stages;
        }

        private StageSpec stage(Mapping stage) {
            stage.allowOnly("a stage", STAGE_KEYS);
            String id = required(stage, "id", "a stage");
            if (id == null) {
                return null;
            }
            String what = "stage " + id;
            if (!IDENTIFIER.matcher(id).matches()) {
                yaml.problem(stage.get("id").orElseThrow(), what + ": id must match " + IDENTIFIER.pattern());
            }
            String task = required(stage, "task", what);
            if (task != null && RESERVED_TASK_TYPES.contains(task)) {
                yaml.problem(stage.get("task").orElseThrow(), what + ": task type '" + task + "' is reserved: "
                        + "tally.tasks." + task + " is the topic of every task type's " + task);
            } else if (task != null && !TASK_TYPE.matcher(task).matches()) {
                yaml.problem(stage.get("task").orElseThrow(), what + ": task type '" + task + "' must match "
                        + TASK_TYPE.pattern() + " (it names the topic tally.tasks.<type>)");
            }
            Map<String, Integer> dependencyLines = new LinkedHashMap<>();
            List<String> dependsOn = new ArrayList<>();
            stage.get("dependsOn").ifPresent(node -> {
                List<Node> entries = node instanceof SequenceNode sequence
                        ? sequence.getValue() : List.of(node);
                for (Node entry : entries) {
                    String dependency = yaml.text(entry, what + " dependsOn item");
                    if (dependency != null && dependencyLines.putIfAbsent(dependency, YamlNodes.line(entry)) == null) {
                        dependsOn.add(dependency);
                    }
                }
            });
            Map<String, Object> input = new LinkedHashMap<>();
            Map<String, Integer> inputLines = new LinkedHashMap<>();
            stage.get("input").flatMap(node -> yaml.mapping(node, what + " input")).ifPresent(fields ->
                    fields.entries().forEach((key, value) -> {
                        inputLines.put(key, YamlNodes.line(value));
                        try {
                            input.put(key, yaml.value(value));
                        } catch (YAMLException e) {
                            yaml.problem(value, what + " input " + key + ": " + e.getMessage());
                        }
                    }));
            FanOut forEach = null;
            int itemsLine = 0;
            int itemKeyLine = 0;
            Optional<Mapping> fanOut = stage.get("forEach").flatMap(node -> yaml.mapping(node, what + " forEach"));
            if (fanOut.isPresent()) {
                Mapping spec = fanOut.get();
                spec.allowOnly(what + " forEach", FOR_EACH_KEYS);
                String items = required(spec, "items", what + " forEach");
                String itemKey = required(spec, "itemKey", what + " forEach");
                String as = spec.get("as").map(node -> yaml.text(node, "as")).orElse(Expressions.DEFAULT_ELEMENT);
                if (as != null && (!IDENTIFIER.matcher(as).matches()
                        || Set.of(Expressions.PARAMS, Expressions.STAGES, Expressions.JOB).contains(as))) {
                    yaml.problem(spec.get("as").orElseThrow(), what + ": forEach as '" + as + "' must be a name"
                            + " other than params, stages and job");
                }
                itemsLine = spec.get("items").map(YamlNodes::line).orElse(spec.line());
                itemKeyLine = spec.get("itemKey").map(YamlNodes::line).orElse(spec.line());
                if (items != null && itemKey != null && as != null) {
                    forEach = new FanOut(items, itemKey, as);
                }
            }
            Duration timeout = stage.get("timeout").map(node -> positiveDuration(node, what + " timeout")).orElse(null);
            RetryPolicy retry = stage.get("retry").flatMap(node -> yaml.mapping(node, what + " retry"))
                    .map(spec -> retry(spec, what)).orElse(RetryPolicy.NONE);
            OnFailure onFailure = stage.get("onFailure").map(node -> enumValue(node, OnFailure.class, what + " onFailure"))
                    .orElse(OnFailure.FAIL);
            String detail = stage.get("detail").map(node -> yaml.text(node, what + " detail")).orElse(null);
            int detailLine = stage.get("detail").map(YamlNodes::line).orElse(0);
            stageLines.put(id, new DefinitionChecks.StageLines(stage.line(), dependencyLines, inputLines, itemsLine,
                    itemKeyLine, detailLine));
            return new StageSpec(id, task, dependsOn, input, forEach, timeout, retry,
                    onFailure == null ? OnFailure.FAIL : onFailure, detail);
        }

        private RetryPolicy retry(Mapping spec, String what) {
            String where = what + " retry";
            spec.allowOnly(where, RETRY_KEYS);
            int attempts = spec.get("attempts")
                    .map(node -> atLeastOne(node, where + ": attempts", "a whole number", Integer::valueOf, 1))
                    .orElse(1);
            Duration initialDelay = spec.get("initialDelay").map(node -> duration(node, where + " initialDelay"))
                    .orElse(DEFAULT_INITIAL_DELAY);
            double multiplier = spec.get("multiplier")
                    .map(node -> atLeastOne(node, where + ": multiplier", "a number", Double::valueOf, DEFAULT_MULTIPLIER))
                    .orElse(DEFAULT_MULTIPLIER);
            Duration maxDelay = spec.get("maxDelay").map(node -> duration(node, where + " maxDelay"))
                    .orElse(DEFAULT_MAX_DELAY);
            List<String> notRetried = spec.get("notRetried").map(node -> yaml.texts(node, where + " notRetried"))
                    .orElse(List.of());
            if (initialDelay == null || maxDelay == null) {
                return RetryPolicy.NONE;
            }
            if (maxDelay.compareTo(initialDelay) < 0) {
                yaml.problem(spec.keyLine("maxDelay"), where + ": maxDelay " + maxDelay + " is shorter than"
                        + " initialDelay " + initialDelay);
            }
            return new RetryPolicy(attempts, initialDelay, multiplier, maxDelay, notRetried);
        }

        private Duration positiveDuration(Node node, String what) {
            Duration duration = duration(node, what);
            if (duration != null && (duration.isZero() || duration.isNegative())) {
                yaml.problem(node, what + " must be longer than zero");
                return null;
            }
            return duration;
        }

        private Duration duration(Node node, String what) {
            String text = yaml.text(node, what);
            if (text == null) {
                return null;
            }
            try {
                Duration duration = parseDuration(text);
                if (duration.isNegative()) {
                    yaml.problem(node, what + " must not be negative");
                    return null;
                }
                return duration;
            } catch (IllegalArgumentException e) {
                yaml.problem(node, what + ": " + e.getMessage());
                return null;
            }
        }

        private boolean bool(Node node, String what) {
            String text = yaml.text(node, what);
            if ("true".equals(text) || "false".equals(text)) {
                return Boolean.parseBoolean(text);
            }
            yaml.problem(node, what + " must be true or false, not '" + text + "'");
            return true;
        }

        /** An enum constant written in lower-case kebab ({@code fire-once} for FIRE_ONCE). */
        private <E extends Enum<E>> E enumValue(Node node, Class<E> type, String what) {
            String text = yaml.text(node, what);
            for (E constant : type.getEnumConstants()) {
                if (kebab(constant).equals(text)) {
                    return constant;
                }
            }
            yaml.problem(node, what + " must be one of " + String.join(", ",
                    java.util.Arrays.stream(type.getEnumConstants()).map(PipelineLoader::kebab).toList())
                    + ", not '" + text + "'");
            return null;
        }
    }

    private static String kebab(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
