package io.tally.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A run's parameters checked against its pipeline's declarations: what a trigger, the API or a schedule gives (all
 * strings) becomes the full map a job starts with, defaults applied, or one problem per bad parameter.
 */
public final class RunParameters {

    private RunParameters() {
    }

    /**
     * One parameter a run cannot use.
     *
     * @param parameter the parameter's name as given or declared
     * @param message   what is wrong with it
     */
    public record Problem(String parameter, String message) {
    }

    /** Run parameters that do not fit their pipeline, each named, so the API can answer one 400 listing them all. */
    public static class InvalidException extends RuntimeException {

        private final transient List<Problem> problems;

        public InvalidException(String pipeline, List<Problem> problems) {
            super("invalid parameters for pipeline " + pipeline + ": "
                    + String.join("; ", problems.stream().map(Problem::message).toList()));
            this.problems = List.copyOf(problems);
        }

        public List<Problem> problems() {
            return problems;
        }
    }

    /**
     * The run's parameters in declaration order, given values first, defaults for the rest.
     *
     * @throws InvalidException naming every unknown, missing or ill-fitting parameter
     */
    public static Map<String, String> resolve(PipelineDefinition definition, Map<String, String> given) {
        List<Problem> problems = new ArrayList<>();
        given.keySet().stream().filter(name -> definition.parameter(name).isEmpty()).sorted().forEach(name ->
                problems.add(new Problem(name, "unknown parameter '" + name + "'; " + declared(definition))));
        Map<String, String> resolved = new LinkedHashMap<>();
        for (ParameterSpec spec : definition.parameters()) {
            String value = given.containsKey(spec.name()) ? given.get(spec.name()) : spec.defaultValue();
            if (value == null) {
                problems.add(new Problem(spec.name(), "parameter '" + spec.name() + "' is required"));
                continue;
            }
            Optional<String> misfit = check(spec, value);
            if (misfit.isPresent()) {
                problems.add(new Problem(spec.name(), misfit.get()));
            } else {
                resolved.put(spec.name(), value);
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidException(definition.name(), problems);
        }
        return Collections.unmodifiableMap(resolved);
    }

    /** Why a value does not fit its parameter's type, pattern and allowed values, or empty when it fits. */
    public static Optional<String> check(ParameterSpec spec, String value) {
        String name = "parameter '" + spec.name() + "'";
        if (typed(spec.type(), value) == null) {
            return Optional.of(name + ": '" + value + "' is not " + switch (spec.type()) {
                case INTEGER -> "a whole number";
                case BOOLEAN -> "true or false";
                case DATE -> "a date (yyyy-MM-dd)";
                case STRING -> "a string";
            });
        }
        if (spec.pattern() != null) {
            try {
                if (!Pattern.compile(spec.pattern()).matcher(value).matches()) {
                    return Optional.of(name + ": '" + value + "' does not match " + spec.pattern());
                }
            } catch (PatternSyntaxException e) {
                return Optional.of(name + ": pattern " + spec.pattern() + " is not a regular expression: "
                        + e.getDescription());
            }
        }
        if (!spec.allowed().isEmpty() && !spec.allowed().contains(value)) {
            return Optional.of(name + ": '" + value + "' is not one of " + String.join(", ", spec.allowed()));
        }
        return Optional.empty();
    }

    /**
     * Resolved parameters as the JSON values expressions see: integers as numbers, booleans as booleans, strings and
     * dates as text.
     */
    public static Map<String, JsonNode> typed(PipelineDefinition definition, Map<String, String> resolved) {
        Map<String, JsonNode> typed = new LinkedHashMap<>();
        resolved.forEach((name, value) -> typed.put(name, definition.parameter(name)
                .map(spec -> typed(spec.type(), value)).orElse(TextNode.valueOf(value))));
        return typed;
    }

    private static JsonNode typed(ParameterType type, String value) {
        return switch (type) {
            case STRING -> TextNode.valueOf(value);
            case INTEGER -> {
                try {
                    yield LongNode.valueOf(Long.parseLong(value));
                } catch (NumberFormatException e) {
                    yield null;
                }
            }
            case BOOLEAN -> value.equals("true") || value.equals("false")
                    ? BooleanNode.valueOf(Boolean.parseBoolean(value)) : null;
            case DATE -> {
                try {
                    LocalDate.parse(value);
                    yield TextNode.valueOf(value);
                } catch (DateTimeParseException e) {
                    yield null;
                }
            }
        };
    }

    private static String declared(PipelineDefinition definition) {
        return definition.parameters().isEmpty() ? "pipeline " + definition.name() + " declares none"
                : "declared: " + String.join(", ", definition.parameters().stream().map(ParameterSpec::name).toList());
    }
}
