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
 * and cleanup policies, it runs and builds every service on its port, every worker has its own static member id and
 * creates its task topics, the artifact store and the places warehouse are volumes, the command worker is opt-in,
 * and the compose Prometheus scrapes every service. (Syntax and schema are checked by `docker-compose config -q`.)
 */
class ComposeFileTest {

    // The services that share the artifact store (tally.artifacts.dir).
    private static final List<String> ARTIFACT_SERVICES = List.of("job-tracker", "jobs-api", "transcribe-workers");
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
        assertThat(workers).contains("chart-scraper", "track-search", "playlist-service", "celebrity-workers", "transcribe-workers",
                "places-workers", "media-workers", "command-worker");
        assertThat(instanceIds).allSatisfy((worker, id) -> assertThat(id).as(worker).isEqualTo(worker + "-0"));
        // and each creates its own task topics, which topic-init cannot know (retry topics carry the worker's back-off)
        for (String worker : workers) {
            Map<String, Object> environment = (Map<String, Object>) ((Map<String, Object>) services.get(worker)).get("environment");
            assertThat(environment.get("TALLY_WORKER_CREATETOPICS")).as(worker).isEqualTo("true");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void buildsEveryServiceImageWithItsNameAndPort() throws IOException {
        // Given
        Map<String, Object> services = (Map<String, Object>) compose().get("services");

        // Then each service's image is built from the one Dockerfile with its folder and the port it listens on
        for (String module : serviceModules()) {
            Map<String, Object> service = (Map<String, Object>) services.get(module);
            Map<String, Object> build = (Map<String, Object>) service.get("build");
            assertThat(build.get("dockerfile")).as(module).isEqualTo("deploy/docker/Dockerfile");
            Map<String, Object> args = (Map<String, Object>) build.get("args");
            String port = (String) ((Map<String, Object>) service.get("environment")).get("SERVER_PORT");
            assertThat(args).as(module).isEqualTo(Map.of("SERVICE", module, "SERVICE_PORT", port));
            assertThat(service.get("ports")).as(module).isEqualTo(List.of(port + ":" + port));
            assertThat(service.get("image")).as(module).isEqualTo("tally/" + module + ":dev");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void sharesTheArtifactsVolumeAtOnePathInTheTrackerTheApiAndTheTranscribeWorkers() throws IOException {
        // Given
        Map<String, Object> compose = compose();
        Map<String, Object> services = (Map<String, Object>) compose.get("services");

        // When the services mounting the named volume artifacts are collected with the path and the directory they use
        Map<String, String> mountedAt = new java.util.LinkedHashMap<>();
        services.forEach((name, service) -> volumes(service).stream().filter(volume -> volume.startsWith("artifacts:"))
                .forEach(volume -> mountedAt.put(name, volume.substring("artifacts:".length()))));

        // Then exactly the three share it, at one path, which is their tally.artifacts.dir
        assertThat(((Map<String, Object>) compose.get("volumes"))).containsKey("artifacts");
        assertThat(mountedAt.keySet()).containsExactlyInAnyOrderElementsOf(ARTIFACT_SERVICES);
        assertThat(mountedAt.values()).containsOnly("/var/lib/tally/artifacts");
        for (String name : ARTIFACT_SERVICES) {
            Map<String, Object> environment = (Map<String, Object>) ((Map<String, Object>) services.get(name)).get("environment");
            assertThat(environment.get("TALLY_ARTIFACTS_DIR")).as(name).isEqualTo(mountedAt.get(name));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void keepsThePlacesWarehouseOnItsOwnVolume() throws IOException {
        // Given
        Map<String, Object> compose = compose();
        Map<String, Object> places = (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get("places-workers");

        // When
        String warehouse = (String) ((Map<String, Object>) places.get("environment")).get("TALLY_PLACES_WAREHOUSE");
        String mount = volumes(places).stream().filter(volume -> volume.startsWith("places-warehouse:")).findFirst()
                .orElseThrow().substring("places-warehouse:".length());

        // Then the DuckDB file lives in the volume's directory, which outlives the container
        assertThat(((Map<String, Object>) compose.get("volumes"))).containsKey("places-warehouse");
        assertThat(warehouse).startsWith(mount + "/").endsWith(".duckdb");
        assertThat(places).doesNotContainKey("deploy");
    }

    @Test
    @SuppressWarnings("unchecked")
    void runsTheCommandWorkerOnlyInItsProfileWithTheTaskFileItReads() throws IOException {
        // Given
        Map<String, Object> worker = (Map<String, Object>) ((Map<String, Object>) compose().get("services")).get("command-worker");
        Map<String, Object> environment = (Map<String, Object>) worker.get("environment");

        // When
        String mount = volumes(worker).stream().filter(volume -> volume.contains("command-worker.yml")).findFirst().orElseThrow();
        // (the source holds a ":-" default, so the short syntax is split from its end: source:target:mode)
        Matcher parts = Pattern.compile("^(.+):(/[^:]+):(ro|rw)$").matcher(mount);
        assertThat(parts.matches()).as(mount).isTrue();
        Map<String, Object> tasks = new Yaml().load(Files.readString(RenderedChart.REPO_ROOT.resolve("deploy/docker/command-worker.yml")));

        // Then it starts only with --profile command, reads the mounted file, and that file declares no task type yet
        assertThat(worker.get("profiles")).isEqualTo(List.of("command"));
        assertThat(parts.group(1)).isEqualTo("${TALLY_COMMAND_CONFIG:-./deploy/docker/command-worker.yml}");
        assertThat(parts.group(3)).isEqualTo("ro");
        assertThat(environment.get("SPRING_CONFIG_ADDITIONAL_LOCATION")).isEqualTo("file:" + parts.group(2));
        assertThat(tasks).isEqualTo(Map.of("tally", Map.of("command", Map.of("tasks", Map.of()))));
    }

    @Test
    @SuppressWarnings("unchecked")
    void letsTheComposePrometheusScrapeEveryServiceOnItsPort() throws IOException {
        // Given
        Map<String, Object> services = (Map<String, Object>) compose().get("services");
        Map<String, Object> prometheus = new Yaml().load(Files.readString(RenderedChart.REPO_ROOT.resolve("deploy/prometheus/prometheus.yml")));
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) prometheus.get("scrape_configs");
        Map<String, Object> tally = jobs.stream().filter(job -> "tally".equals(job.get("job_name"))).findFirst().orElseThrow();
        List<String> targets = (List<String>) ((List<Map<String, Object>>) tally.get("static_configs")).get(0).get("targets");

        // Then
        List<String> expected = serviceModules().stream().map(module -> module + ":"
                + ((Map<String, Object>) ((Map<String, Object>) services.get(module)).get("environment")).get("SERVER_PORT")).toList();
        assertThat(targets).containsExactlyInAnyOrderElementsOf(expected);
    }

    @SuppressWarnings("unchecked")
    private static List<String> volumes(Object service) {
        Object volumes = ((Map<String, Object>) service).get("volumes");
        return volumes == null ? List.of() : (List<String>) volumes;
    }

    private static List<String> serviceModules() throws IOException {
        try (Stream<Path> dirs = Files.list(RenderedChart.REPO_ROOT.resolve("services"))) {
            return dirs.filter(dir -> Files.isRegularFile(dir.resolve("pom.xml"))).map(dir -> dir.getFileName().toString())
                    .sorted().toList();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
