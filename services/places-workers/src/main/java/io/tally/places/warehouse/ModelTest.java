package io.tally.places.warehouse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One data test of {@code tests.yml}, as dbt's generic tests: {@code not_null} and {@code unique} on a column,
 * {@code accepted_values} (a column's non-null values among {@code values}), {@code row_count} (the table's rows
 * within {@code min} and {@code max}). Its name is dbt's: {@code <test>_<model>[_<column>]}.
 *
 * <pre>
 * tests:
 *   - {test: not_null, model: restaurants, column: name}
 *   - {test: accepted_values, model: restaurants, column: price_level, values: [PRICE_LEVEL_MODERATE]}
 *   - {test: row_count, model: restaurants, min: 1, max: 1000}
 * </pre>
 */
public record ModelTest(String kind, String model, String column, List<String> values, Long min, Long max) {

    /** The kinds there are. */
    public static final Set<String> KINDS = Set.of("not_null", "unique", "accepted_values", "row_count");

    public ModelTest {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("unknown test '" + kind + "' (known: " + KINDS + ")");
        }
        Warehouse.quote(model);
        if (!kind.equals("row_count")) {
            Warehouse.quote(column);
        }
        if (kind.equals("accepted_values") && (values == null || values.isEmpty())) {
            throw new IllegalArgumentException("accepted_values on " + model + "." + column + " needs values");
        }
        if (kind.equals("row_count") && min == null && max == null) {
            throw new IllegalArgumentException("row_count on " + model + " needs min, max or both");
        }
        values = values == null ? List.of() : List.copyOf(values);
    }

    /** dbt's name for the test. */
    public String name() {
        return kind + "_" + model + (column == null || kind.equals("row_count") ? "" : "_" + column);
    }

    /** Reads {@code tests.yml}; {@code where} names the file in errors. */
    static List<ModelTest> parse(String text, String where) {
        Object root = ModelProject.yaml(text);
        if (root == null) {
            return List.of();
        }
        Object list = ModelProject.map(root, where).get("tests");
        if (!(list instanceof List<?> entries)) {
            throw new IllegalStateException(where + ": expected 'tests:' with a list of tests");
        }
        List<ModelTest> tests = new ArrayList<>();
        for (Object entry : entries) {
            Map<String, Object> test = ModelProject.map(entry, where);
            try {
                Object values = test.get("values");
                tests.add(new ModelTest(string(test.get("test")), string(test.get("model")), string(test.get("column")),
                        values instanceof List<?> given ? given.stream().map(String::valueOf).toList() : null,
                        number(test.get("min")), number(test.get("max"))));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(where + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(tests);
    }

    private static String string(Object value) {
        return value == null ? null : value.toString();
    }

    private static Long number(Object value) {
        return value == null ? null : Long.valueOf(value.toString());
    }
}
