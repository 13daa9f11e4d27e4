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
 * and cleanup policies, it runs every service, and every worker has its own static member id. (Syntax and schema are
 * checked by `docker-compose config -q`.)
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

    @Test
    @SuppressWarnings("unchecked")
    void givesEveryWorkerServiceItsOwnWorkerInstanceId() throws IOException {
        // Given the services built on the worker SDK (their pom depends on tally-worker)
        Map<String, Object> services = (Map<String, Object>) compose().get("services");
        List<String> workers;
        try (Stream<Path> dirs = Files.list(RenderedChart.REPO_ROOT.resolve("services"))) {
            workers = dirs.filter(dir -> Files.isRegularFile(dir.resolve("pom.xml")))
                    .filter(dir -> read(dir.resolve("pom.xml")).contains("<artifactId>tally-worker</artifactId>"))
                    .map(dir -> dir.getFileName().toString()).toList();
        }

        // When their tally.worker.instance-id is read from the environment compose gives them
        Map<String, Object> instanceIds = new java.util.LinkedHashMap<>();
        for (String worker : workers) {
            Map<String, Object> environment = (Map<String, Object>) ((Map<String, Object>) services.get(worker)).get("environment");
            instanceIds.put(worker, environment.get("TALLY_WORKER_INSTANCE_ID"));
        }

        // Then each has one, and no two share it (static membership would fence one with the other)
        assertThat(workers).contains("chart-scraper", "track-search", "playlist-service");
        assertThat(instanceIds).allSatisfy((worker, id) -> assertThat(id).as(worker).isEqualTo(worker + "-0"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
