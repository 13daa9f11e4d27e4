package io.tally.charttests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** values.yaml stays camelCase and documented: a "# --" comment on every key, and every key in the chart README. */
class ValuesDocumentationTest {

    private static final Pattern KEY_LINE = Pattern.compile("^( *)([A-Za-z0-9_]+):(.*)$");

    /** A key of values.yaml with its dotted path and whether a doc comment precedes it. */
    record ValueKey(String path, boolean documented, boolean leaf) {
    }

    static List<ValueKey> keys() throws IOException {
        List<String> lines = Files.readAllLines(RenderedChart.CHART_DIR.resolve("values.yaml"));
        List<ValueKey> keys = new ArrayList<>();
        List<String> stack = new ArrayList<>();
        List<Integer> indents = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher matcher = KEY_LINE.matcher(lines.get(i));
            if (!matcher.matches()) {
                continue;
            }
            int indent = matcher.group(1).length();
            while (!indents.isEmpty() && indents.get(indents.size() - 1) >= indent) {
                indents.remove(indents.size() - 1);
                stack.remove(stack.size() - 1);
            }
            stack.add(matcher.group(2));
            indents.add(indent);
            boolean leaf = !matcher.group(3).isBlank();
            // Groups of keys (no value on the line) need no comment of their own: their keys have them.
            boolean documented = !leaf || (i > 0 && lines.get(i - 1).trim().startsWith("# -- "));
            keys.add(new ValueKey(String.join(".", stack), documented, leaf));
        }
        return keys;
    }

    @Test
    void documentsEveryValueWithADocComment() throws IOException {
        // When
        List<ValueKey> keys = keys();

        // Then
        assertThat(keys).hasSizeGreaterThan(50);
        assertThat(keys).filteredOn(key -> !key.documented()).extracting(ValueKey::path).isEmpty();
    }

    @Test
    void usesCamelCaseKeys() throws IOException {
        assertThat(keys()).extracting(ValueKey::path)
                .allMatch(path -> path.matches("[a-z][A-Za-z0-9]*(\\.[a-z][A-Za-z0-9]*)*"), "camelCase");
    }

    @Test
    void listsEveryValueInTheChartReadme() throws IOException {
        // Given
        String readme = Files.readString(RenderedChart.CHART_DIR.resolve("README.md"));

        // When / Then
        assertThat(keys()).filteredOn(ValueKey::leaf).extracting(ValueKey::path)
                .filteredOn(path -> !readme.contains("`" + path + "`")).isEmpty();
    }
}
