package io.tally.pipeline;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * SnakeYAML's node API with what the loader needs around it: line numbers, problems collected per file, keys checked
 * against the known ones, and literal values read the JSON way ({@code yes}, {@code on} and unquoted dates stay
 * strings; only {@code true}/{@code false} are booleans).
 */
final class YamlNodes {

    private final String file;
    private final List<DefinitionProblem> problems = new ArrayList<>();
    private final Values values = new Values();

    YamlNodes(String file) {
        this.file = file;
    }

    /** A Yaml whose implicit types are JSON's: no YAML 1.1 booleans ({@code yes}, {@code on}) and no timestamps. */
    static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(new Values(), new Representer(new DumperOptions()), new DumperOptions(), options,
                new JsonLikeResolver());
    }

    void problem(Node at, String message) {
        problem(line(at), message);
    }

    void problem(int line, String message) {
        problems.add(new DefinitionProblem(file, line, message));
    }

    List<DefinitionProblem> problems() {
        return problems;
    }

    String file() {
        return file;
    }

    /** The node's 1-based line, or 0 when it has none. */
    static int line(Node node) {
        return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    /** The node as a mapping, or empty after recording that it is not one. */
    Optional<Mapping> mapping(Node node, String what) {
        if (node instanceof MappingNode mappingNode) {
            return Optional.of(new Mapping(mappingNode));
        }
        problem(node, what + " must be a mapping (key: value lines)");
        return Optional.empty();
    }

    /** The node's items, or empty after recording that it is not a list. */
    List<Node> sequence(Node node, String what) {
        if (node instanceof SequenceNode sequence) {
            return sequence.getValue();
        }
        problem(node, what + " must be a list");
        return List.of();
    }

    /** The scalar's text, or null after recording that the node is not a single value (a null scalar is null). */
    String text(Node node, String what) {
        if (node instanceof ScalarNode scalar) {
            return scalar.getTag().equals(Tag.NULL) ? null : scalar.getValue();
        }
        problem(node, what + " must be a single value, not a " + (node instanceof MappingNode ? "mapping" : "list"));
        return null;
    }

    /** A list of single values; one value alone counts as a list of one. */
    List<String> texts(Node node, String what) {
        if (node instanceof ScalarNode) {
            String value = text(node, what);
            return value == null ? List.of() : List.of(value);
        }
        List<String> texts = new ArrayList<>();
        for (Node item : sequence(node, what)) {
            String value = text(item, what + " item");
            if (value != null) {
                texts.add(value);
            }
        }
        return texts;
    }

    /** The node as plain Java values (maps, lists, strings, numbers, booleans, null), as JSON would read it. */
    Object value(Node node) {
        return values.of(node);
    }

    /** The keys of one YAML mapping, in order, each key checked once. */
    final class Mapping {

        private final MappingNode node;
        private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

        Mapping(MappingNode node) {
            this.node = node;
            for (NodeTuple tuple : node.getValue()) {
                String key = text(tuple.getKeyNode(), "a key");
                if (key == null) {
                    continue;
                }
                NodeTuple earlier = entries.putIfAbsent(key, tuple);
                if (earlier != null) {
                    problem(tuple.getKeyNode(), "duplicate key '" + key + "' (first at line "
                            + YamlNodes.line(earlier.getKeyNode()) + ")");
                }
            }
        }

        int line() {
            return YamlNodes.line(node);
        }

        /** The value of a key, if present. */
        Optional<Node> get(String key) {
            return Optional.ofNullable(entries.get(key)).map(NodeTuple::getValueNode);
        }

        /** The value of a key that must be there; when it is not, the problem names the mapping's line. */
        Optional<Node> require(String key, String what) {
            Optional<Node> value = get(key);
            if (value.isEmpty()) {
                problem(node, what + " has no " + key);
            }
            return value;
        }

        /** The line of a key, for problems with its value as a whole. */
        int keyLine(String key) {
            NodeTuple tuple = entries.get(key);
            return tuple == null ? line() : YamlNodes.line(tuple.getKeyNode());
        }

        Map<String, Node> entries() {
            Map<String, Node> result = new LinkedHashMap<>();
            entries.forEach((key, tuple) -> result.put(key, tuple.getValueNode()));
            return result;
        }

        /** Records every key that is not one of {@code known}, with the nearest known key when it looks like a typo. */
        void allowOnly(String what, Collection<String> known) {
            entries.forEach((key, tuple) -> {
                if (!known.contains(key)) {
                    String nearest = nearest(key, known);
                    problem(tuple.getKeyNode(), "unknown key '" + key + "' in " + what
                            + (nearest != null ? " (did you mean '" + nearest + "'?)" : "; known: " + String.join(", ", known)));
                }
            });
        }
    }

    private static String nearest(String key, Collection<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : known) {
            int distance = distance(key.toLowerCase(), candidate.toLowerCase());
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** Builds plain values from nodes; {@code constructObject} is protected, hence the subclass. */
    private static final class Values extends SafeConstructor {

        Values() {
            super(new LoaderOptions());
        }

        Object of(Node node) {
            return constructObject(node);
        }
    }

    private static final class JsonLikeResolver extends Resolver {

        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, java.util.regex.Pattern.compile("^(?:true|false)$"), "tf");
            addImplicitResolver(Tag.INT, INT, "-+0123456789");
            addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
            addImplicitResolver(Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
        }
    }
}
