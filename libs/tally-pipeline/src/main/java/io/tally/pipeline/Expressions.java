package io.tally.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The input expression language: {@code ${params.X}}, {@code ${stages.ID.output[.a.b]}}, {@code ${stages.ID.outputs}},
 * {@code ${job.id}}, {@code ${job.pipeline}} and {@code ${item[.x]}} (or a fan-out's own {@code as} name) inside the
 * string values of a stage's input. A string that is exactly one reference keeps the referenced value's JSON type; a
 * string that mixes text and references becomes a string; {@code $${} is a literal {@code ${}. There are no operators,
 * functions or defaults: a task that needs logic gets it in its worker. docs/pipelines.md is the reference.
 */
public final class Expressions {

    /** The roots every stage may use; any other root is a fan-out element's name. */
    public static final String PARAMS = "params";
    public static final String STAGES = "stages";
    public static final String JOB = "job";
    /** The element's name in a fan-out stage unless its {@code as} says otherwise. */
    public static final String DEFAULT_ELEMENT = "item";

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Expressions() {
    }

    /**
     * One {@code ${...}} reference.
     *
     * @param text the reference as written, with {@code ${ }}, for messages
     * @param path its dot-separated segments; the first is the root
     */
    public record Reference(String text, List<String> path) {

        public Reference {
            path = List.copyOf(path);
        }

        /** {@code params}, {@code stages}, {@code job}, or an element name. */
        public String root() {
            return path.get(0);
        }
    }

    /** A piece of a parsed string: literal text, or a reference (exactly one of the two is set). */
    private record Part(String literal, Reference reference) {
    }

    /**
     * Every reference in an input value (strings, and the strings inside nested lists and maps), in order.
     *
     * @throws ExpressionException when a string is not well-formed, such as an unclosed {@code ${}
     */
    public static List<Reference> references(Object value) {
        List<Reference> references = new ArrayList<>();
        collect(value, references);
        return references;
    }

    /** Whether the value is a string made of exactly one reference, so that it keeps the referenced JSON type. */
    public static boolean isSingleReference(Object value) {
        if (!(value instanceof String text)) {
            return false;
        }
        List<Part> parts = parse(text);
        return parts.size() == 1 && parts.get(0).reference() != null;
    }

    /**
     * The JSON value of an input value in a job's scope: literals as they are, maps and lists element by element,
     * strings with their references replaced.
     *
     * @throws ExpressionException naming the expression when it is malformed or refers to something not there
     */
    public static JsonNode evaluate(Object value, ExpressionScope scope) {
        if (value == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = JsonNodeFactory.instance.objectNode();
            map.forEach((key, item) -> object.set(String.valueOf(key), evaluate(item, scope)));
            return object;
        }
        if (value instanceof List<?> list) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            list.forEach(item -> array.add(evaluate(item, scope)));
            return array;
        }
        if (value instanceof String text) {
            return evaluateString(text, scope);
        }
        if (value instanceof JsonNode node) {
            return node;
        }
        return JSON.valueToTree(value);
    }

    private static JsonNode evaluateString(String text, ExpressionScope scope) {
        List<Part> parts = parse(text);
        if (parts.size() == 1 && parts.get(0).reference() != null) {
            return resolve(parts.get(0).reference(), scope).deepCopy();
        }
        StringBuilder result = new StringBuilder();
        for (Part part : parts) {
            if (part.literal() != null) {
                result.append(part.literal());
            } else {
                JsonNode node = resolve(part.reference(), scope);
                // Text is inserted as text, not as a JSON string literal; lists and objects as compact JSON.
                result.append(node.isNull() ? "" : node.isValueNode() ? node.asText() : node.toString());
            }
        }
        return TextNode.valueOf(result.toString());
    }

    private static JsonNode resolve(Reference reference, ExpressionScope scope) {
        List<String> path = reference.path();
        String root = reference.root();
        switch (root) {
            case PARAMS -> {
                requireLength(reference, 2, "${params.<name>}");
                JsonNode value = scope.params().get(path.get(1));
                if (value == null) {
                    throw new ExpressionException(reference.text() + ": no run parameter '" + path.get(1) + "'");
                }
                return value;
            }
            case JOB -> {
                requireLength(reference, 2, "${job.id} or ${job.pipeline}");
                return switch (path.get(1)) {
                    case "id" -> TextNode.valueOf(scope.jobId());
                    case "pipeline" -> TextNode.valueOf(scope.pipeline());
                    default -> throw new ExpressionException(reference.text() + ": a job has only id and pipeline");
                };
            }
            case STAGES -> {
                if (path.size() < 3) {
                    throw new ExpressionException(reference.text() + ": expected ${stages.<id>.output} or"
                            + " ${stages.<id>.outputs}");
                }
                String stage = path.get(1);
                JsonNode start = switch (path.get(2)) {
                    case "output" -> scope.outputs().get(stage);
                    case "outputs" -> {
                        List<JsonNode> outputs = scope.elementOutputs().get(stage);
                        yield outputs == null ? null : JsonNodeFactory.instance.arrayNode().addAll(outputs);
                    }
                    default -> throw new ExpressionException(reference.text() + ": expected output or outputs after"
                            + " the stage id, not '" + path.get(2) + "'");
                };
                if (start == null) {
                    throw new ExpressionException(reference.text() + ": stage " + stage + " has no "
                            + path.get(2) + " in this job (yet)");
                }
                return navigate(reference, start, 3);
            }
            default -> {
                if (!root.equals(scope.elementName()) || scope.element() == null) {
                    throw new ExpressionException(reference.text() + ": '" + root + "' is not known here; expected"
                            + " params, stages, job" + (scope.elementName() == null ? "" : " or " + scope.elementName()));
                }
                return navigate(reference, scope.element(), 1);
            }
        }
    }

    private static void requireLength(Reference reference, int length, String expected) {
        if (reference.path().size() != length) {
            throw new ExpressionException(reference.text() + ": expected " + expected);
        }
    }

    private static JsonNode navigate(Reference reference, JsonNode start, int from) {
        JsonNode node = start;
        List<String> path = reference.path();
        for (int i = from; i < path.size(); i++) {
            String segment = path.get(i);
            JsonNode next = node.isArray() && segment.chars().allMatch(Character::isDigit)
                    ? node.get(Integer.parseInt(segment)) : node.isObject() ? node.get(segment) : null;
            if (next == null) {
                throw new ExpressionException(reference.text() + ": there is no '" + segment + "' in "
                        + String.join(".", path.subList(0, i)) + " (" + describe(node) + ")");
            }
            node = next;
        }
        return node;
    }

    private static String describe(JsonNode node) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            return "fields: " + (names.isEmpty() ? "none" : String.join(", ", names));
        }
        return node.isArray() ? "a list of " + node.size() : "a " + node.getNodeType().name().toLowerCase() + " value";
    }

    private static void collect(Object value, List<Reference> into) {
        if (value instanceof Map<?, ?> map) {
            map.values().forEach(item -> collect(item, into));
        } else if (value instanceof List<?> list) {
            list.forEach(item -> collect(item, into));
        } else if (value instanceof String text) {
            parse(text).stream().map(Part::reference).filter(java.util.Objects::nonNull).forEach(into::add);
        }
    }

    private static List<Part> parse(String text) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                literal.append("${");
                i += 3;
            } else if (text.startsWith("${", i)) {
                int end = text.indexOf('}', i + 2);
                if (end < 0) {
                    throw new ExpressionException("'" + text + "': ${ is not closed by }");
                }
                if (!literal.isEmpty()) {
                    parts.add(new Part(literal.toString(), null));
                    literal.setLength(0);
                }
                parts.add(new Part(null, reference(text.substring(i, end + 1))));
                i = end + 1;
            } else {
                literal.append(text.charAt(i));
                i++;
            }
        }
        if (!literal.isEmpty() || parts.isEmpty()) {
            parts.add(new Part(literal.toString(), null));
        }
        return parts;
    }

    private static Reference reference(String text) {
        String inner = text.substring(2, text.length() - 1).trim();
        List<String> path = Arrays.asList(inner.split("\\.", -1));
        if (inner.isEmpty() || !path.stream().allMatch(segment -> SEGMENT.matcher(segment).matches())) {
            throw new ExpressionException(text + ": expected names separated by dots, such as ${params.chart}");
        }
        return new Reference(text, path);
    }
}
