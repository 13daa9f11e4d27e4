package io.tally.charttests;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml against the code: its topic-init creates exactly the catalogue's topics with their partitions
 * and cleanup policies, and it runs every service. (Syntax and schema are checked by `docker-compose config -q`.)
 */
class ComposeFileTest {

    private static final Pattern CREATE = Pattern.compile("^\\s*create (\\S+) (\\d+) (\\S+)(?: (\\S+))?\\s*$", Pattern.MULTILINE);

    @SuppressWarnings("unchecked")
    private static Map<String, Object> compose() throws IOException {
        return new Yaml().load(Files.readString(RenderedChart.REPO_ROOT.resolve("docker-compose.yml")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void topicInitCreatesExactlyTheCatalogueTopicsWithTheirPartitionsAndCleanupPolicies() throws IOException {
        // Given
        Map<String, Object> services = (Map<String, Object>) compose().get("services");
        String script = String.join("\n", (List<String>) ((Map<String, Object>) services.get("topic-init")).get("command"));

        // When
        Matcher matcher = CREATE.matcher(script);
        Map<String, String> created = new java.util.LinkedHashMap<>();
        while (matcher.find()) {
            created.put(matcher.group(1), matcher.group(2) + " " + matcher.group(3) + (matcher.group(4) == null ? "" : " " + matcher.group(4)));
        }

        // Then
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        for (TopicSpec<?> topic : Topics.ALL) {
            expected.put(topic.name(), topic.partitions() + " " + topic.cleanupPolicy()
                    + (topic.retention() == null ? "" : " retention.ms=" + topic.retention().toMillis()));
        }
        assertThat(created).containsExactlyInAnyOrderEntriesOf(expected);
    }

    @Test
    @SuppressWarnings("unchecked")
    void runsEveryServiceAfterTopicInitAgainstTheApicurio3Api() throws IOException {
        // Given
        Map<String, Object> compose = compose();
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        List<String> modules;
        try (Stream<Path> dirs = Files.list(RenderedChart.REPO_ROOT.resolve("services"))) {
            modules = dirs.filter(dir -> Files.isRegularFile(dir.resolve("pom.xml"))).map(dir -> dir.getFileName().toString()).toList();
        }

        // Then
        assertThat(compose).doesNotContainKey("version");
        assertThat(modules).isNotEmpty();
        for (String module : modules) {
            Map<String, Object> service = (Map<String, Object>) services.get(module);
            assertThat(service).as("compose service %s", module).isNotNull();
            Map<String, Object> dependsOn = (Map<String, Object>) service.get("depends_on");
            assertThat(dependsOn.get("topic-init")).isEqualTo(Map.of("condition", "service_completed_successfully"));
            assertThat(dependsOn.get("schema-registry")).isEqualTo(Map.of("condition", "service_healthy"));
            Map<String, Object> environment = (Map<String, Object>) service.get("environment");
            assertThat(environment.get("TALLY_REGISTRY_URL")).isEqualTo("http://schema-registry:8080/apis/registry/v3");
            assertThat(service).containsKey("healthcheck");
        }
    }
}
