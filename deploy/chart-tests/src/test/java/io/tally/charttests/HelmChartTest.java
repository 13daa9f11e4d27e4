package io.tally.charttests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart, checked offline: lint, render with the defaults and every ci/*.yaml, read every document strictly
 * into the Kubernetes model, then assert what matters for running Tally (probes, job-tracker state, secrets, labels).
 */
class HelmChartTest {

    private static final List<String> RECOMMENDED_LABELS = List.of("app.kubernetes.io/name", "app.kubernetes.io/instance",
            "app.kubernetes.io/version", "app.kubernetes.io/component", "app.kubernetes.io/part-of",
            "app.kubernetes.io/managed-by", "helm.sh/chart");
    // A variable naming a secret's file (…_FILE) holds a path, not the secret.
    private static final Pattern SECRET_ENV =
            Pattern.compile("(?!.*_FILE$).*(API_KEY|APIKEYS_\\d+_KEY|TOKEN|PASSWORD|SECRET|WEBHOOK_URL).*");
    // The defaults: every service but the command worker, which has no task types until given some.
    private static final List<String> SERVICES = List.of("job-tracker", "scheduler", "chart-scraper", "chart-processor",
            "track-search", "playlist-service", "notification-service", "jobs-api", "celebrity-workers", "transcribe-workers",
            "places-workers", "media-workers");
    private static final List<String> WORKERS = List.of("chart-scraper", "chart-processor", "track-search",
            "playlist-service", "notification-service", "celebrity-workers", "transcribe-workers", "places-workers",
            "media-workers");
    // The services that share the artifact store (tally.artifacts.dir).
    private static final List<String> ARTIFACT_SERVICES = List.of("job-tracker", "jobs-api", "transcribe-workers");

    /** Pure defaults, then each CI values file. */
    static Stream<ValuesCase> valueSets() {
        List<ValuesCase> cases = new ArrayList<>();
        cases.add(new ValuesCase("defaults", Optional.empty()));
        RenderedChart.ciValuesFiles().forEach(file -> cases.add(new ValuesCase(file.getFileName().toString(), Optional.of(file))));
        return cases.stream();
    }

    @Test
    void passesHelmLintStrict() {
        // When
        LintResult result = new Helm(RenderedChart.CHART_DIR).lint().strict().call();

        // Then
        assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
    }

    @Test
    void hasAtLeastTwoCiValueSets() {
        assertThat(RenderedChart.ciValuesFiles()).hasSizeGreaterThanOrEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void rendersOnlyDocumentsThatFitTheKubernetesModelStrictly(ValuesCase values) {
        // When
        List<Map<String, Object>> documents = values.render();

        // Then every document is a known kind whose fields and types the model accepts
        assertThat(documents).isNotEmpty();
        for (Map<String, Object> document : documents) {
            String type = StrictKubernetesModel.typeOf(document);
            if (StrictKubernetesModel.CUSTOM_KINDS.contains(type)) {
                continue;
            }
            assertThat(StrictKubernetesModel.read(document).getMetadata().getName()).isNotBlank();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void givesEveryServiceContainerStartupLivenessAndReadinessProbesOnTheActuator(ValuesCase values) {
        // When
        List<Container> containers = workloadContainers(values.render());

        // Then
        assertThat(containers).isNotEmpty();
        for (Container container : containers) {
            assertProbe(container.getName(), "startup", container.getStartupProbe(), "/actuator/health/liveness");
            assertProbe(container.getName(), "liveness", container.getLivenessProbe(), "/actuator/health/liveness");
            assertProbe(container.getName(), "readiness", container.getReadinessProbe(), "/actuator/health/readiness");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void keepsEveryRootFilesystemReadOnlyWithAWritableTmpVolume(ValuesCase values) {
        // When
        List<Map<String, Object>> documents = values.render();

        // Then the JVM, RocksDB and DuckDB extract their native libraries into an emptyDir, not the image
        for (HasMetadata workload : workloads(documents)) {
            Container container = template(workload).getSpec().getContainers().get(0);
            assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).as(container.getName()).isTrue();
            assertThat(container.getVolumeMounts()).as(container.getName())
                    .anyMatch(mount -> mount.getName().equals("tmp") && mount.getMountPath().equals("/tmp"));
            assertThat(template(workload).getSpec().getVolumes()).as(container.getName())
                    .anyMatch(volume -> volume.getName().equals("tmp") && volume.getEmptyDir() != null);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void keepsAvroTrustingTheTallyPackagesWhereverJavaToolOptionsIsSet(ValuesCase values) throws IOException {
        // Given the image's own options, which a JAVA_TOOL_OPTIONS in the values replaces
        String trust = "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.tally";
        assertThat(Files.readString(RenderedChart.REPO_ROOT.resolve("deploy/docker/Dockerfile")))
                .containsPattern("JAVA_TOOL_OPTIONS=\"[^\"]*" + Pattern.quote(trust) + "[\" ]");

        // When / Then every container given its own options still trusts the io.tally prefix
        for (Container container : workloadContainers(values.render())) {
            container.getEnv().stream().filter(variable -> variable.getName().equals("JAVA_TOOL_OPTIONS"))
                    .forEach(variable -> assertThat(variable.getValue() + " ").as(container.getName()).contains(trust + " "));
        }
    }

    @Test
    void deploysEveryServiceWithTheDefaults() {
        // When
        List<HasMetadata> workloads = workloads(RenderedChart.render());

        // Then
        assertThat(workloads).extracting(w -> w.getMetadata().getLabels().get("app.kubernetes.io/component"))
                .containsExactlyInAnyOrderElementsOf(SERVICES);
        assertThat(workloads).filteredOn(w -> w instanceof StatefulSet)
                .extracting(w -> w.getMetadata().getLabels().get("app.kubernetes.io/component"))
                .containsExactlyInAnyOrder("job-tracker", "chart-processor", "playlist-service", "notification-service",
                        "places-workers");
    }

    @Test
    void givesTheWorkerSdkOfEachWorkerServiceThePodNameAsItsInstanceId() {
        // When
        List<Map<String, Object>> documents = RenderedChart.render();
        List<Container> containers = workloadContainers(documents);

        // Then the task workers take their static member id base from the pod name, the others have none
        assertThat(containers).filteredOn(c -> c.getEnv().stream().anyMatch(e -> e.getName().equals("TALLY_WORKER_INSTANCE_ID")))
                .extracting(Container::getName).containsExactlyInAnyOrderElementsOf(WORKERS);
        for (String worker : WORKERS) {
            assertThat(env(container(documents, worker), "TALLY_WORKER_INSTANCE_ID").getValueFrom().getFieldRef()
                    .getFieldPath()).as(worker).isEqualTo("metadata.name");
        }
    }

    @Test
    void runsTheJobTrackerAsAStatefulSetWithItsStateOnAVolumeClaimStandbysAndADisruptionBudget() {
        // Given
        List<Map<String, Object>> documents = RenderedChart.render();

        // When
        StatefulSet tracker = typed(documents, StatefulSet.class).stream()
                .filter(set -> set.getMetadata().getName().equals("tally-job-tracker")).findFirst().orElseThrow();
        Container container = tracker.getSpec().getTemplate().getSpec().getContainers().get(0);

        // Then the state directory is a per-pod claim
        assertThat(tracker.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim -> {
            assertThat(claim.getMetadata().getName()).isEqualTo("state");
            assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("10Gi");
        });
        assertThat(tracker.getSpec().getTemplate().getSpec().getVolumes()).noneMatch(volume -> volume.getName().equals("state"));
        assertThat(container.getVolumeMounts()).anyMatch(mount -> mount.getName().equals("state")
                && mount.getMountPath().equals(env(container, "TALLY_STATE_DIR").getValue()));
        assertThat(tracker.getSpec().getServiceName()).isEqualTo("tally-job-tracker-headless");
        // and standbys, static membership from the stable pod name, and a disruption budget selecting its pods
        assertThat(env(container, "SPRING_KAFKA_STREAMS_PROPERTIES_NUM_STANDBY_REPLICAS").getValue()).isEqualTo("1");
        assertThat(env(container, "TALLY_INSTANCE_ID").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        PodDisruptionBudget budget = typed(documents, PodDisruptionBudget.class).stream().findFirst().orElseThrow();
        assertThat(budget.getSpec().getSelector().getMatchLabels()).isEqualTo(tracker.getSpec().getSelector().getMatchLabels());
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    }

    @Test
    void shipsTheRepositorysPipelineDefinitionsToTheJobTrackerAndRollsItWhenOneChanges() throws IOException {
        // Given the repository's pipelines folder and one definition of the user's own
        String own = "name: fan-join\nversion: 1\nstages:\n  - {id: list, task: list-items}\n";

        // When the chart is rendered with the defaults, and with the user's definition added
        List<Map<String, Object>> defaults = RenderedChart.render();
        List<Map<String, Object>> withOwn = RenderedChart.renderWith(Map.of("pipelines.definitions.fan-join\\.yml", own));

        // Then the ConfigMap holds every file of pipelines/, byte for byte, and the user's file beside them
        Map<String, String> shipped = pipelinesData(defaults);
        try (Stream<Path> files = Files.list(RenderedChart.REPO_ROOT.resolve("pipelines"))) {
            List<Path> definitions = files.filter(file -> file.toString().endsWith(".yml")).toList();
            assertThat(definitions).isNotEmpty();
            assertThat(shipped).hasSize(definitions.size());
            for (Path file : definitions) {
                assertThat(shipped.get(file.getFileName().toString()) + "\n").isEqualTo(Files.readString(file));
            }
        }
        assertThat(pipelinesData(withOwn)).containsKeys("beatport-chart.yml").containsEntry("fan-join.yml", own.strip());
        // And the tracker reads them from the mounted ConfigMap
        StatefulSet tracker = typed(defaults, StatefulSet.class).stream()
                .filter(set -> set.getMetadata().getName().equals("tally-job-tracker")).findFirst().orElseThrow();
        Container container = tracker.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getVolumeMounts()).anyMatch(mount -> mount.getName().equals("pipelines")
                && mount.getMountPath().equals(env(container, "TALLY_PIPELINES_DIR").getValue()) && mount.getReadOnly());
        assertThat(tracker.getSpec().getTemplate().getSpec().getVolumes()).anyMatch(volume ->
                volume.getName().equals("pipelines") && volume.getConfigMap().getName().equals("tally-pipelines"));
        // And a changed definition changes the tracker's pod template, so it restarts and publishes it
        assertThat(trackerChecksum(withOwn)).isNotBlank().isNotEqualTo(trackerChecksum(defaults));
    }

    @Test
    void refusesAPipelineDefinitionWhoseNameIsNotAFileName() {
        assertThatThrownBy(() -> RenderedChart.renderWith(Map.of("pipelines.definitions.Fan_Join", "name: x")))
                .hasMessageContaining("is not a file name like my-pipeline.yml");
    }

    @Test
    void givesEachPodItsOwnArtifactDirectoryWithoutPersistence() {
        // When the chart is rendered with its defaults (artifacts.persistence off)
        List<Map<String, Object>> documents = RenderedChart.render();

        // Then no claim is made, and the three services each mount an emptyDir where TALLY_ARTIFACTS_DIR points
        assertThat(typed(documents, PersistentVolumeClaim.class)).isEmpty();
        for (String service : ARTIFACT_SERVICES) {
            Container container = container(documents, service);
            assertThat(env(container, "TALLY_ARTIFACTS_DIR").getValue()).as(service).isEqualTo("/var/lib/tally/artifacts");
            assertThat(volume(documents, service, "artifacts").getEmptyDir()).as(service).isNotNull();
        }
    }

    @Test
    void sharesOneArtifactClaimAtTheSamePathInTheTrackerTheApiAndTheTranscribeWorkers() {
        // Given the artifact store on a shared volume
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("artifacts.persistence.enabled", true);
        sets.put("artifacts.persistence.storageClass", "nfs");

        // When the chart is rendered
        List<Map<String, Object>> documents = RenderedChart.renderWith(sets);

        // Then there is one ReadWriteMany claim
        PersistentVolumeClaim claim = typed(documents, PersistentVolumeClaim.class).stream().collect(onlyOne());
        assertThat(claim.getMetadata().getName()).isEqualTo("tally-artifacts");
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("nfs");
        assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("20Gi");
        assertThat(claim.getMetadata().getLabels()).containsKeys(RECOMMENDED_LABELS.toArray(String[]::new));
        // and exactly the three services mount it, at one path, which is the directory they are told to use
        List<String> mounting = workloads(documents).stream()
                .filter(workload -> template(workload).getSpec().getVolumes().stream().anyMatch(volume ->
                        volume.getPersistentVolumeClaim() != null
                                && volume.getPersistentVolumeClaim().getClaimName().equals("tally-artifacts")))
                .map(workload -> workload.getMetadata().getLabels().get("app.kubernetes.io/component")).toList();
        assertThat(mounting).containsExactlyInAnyOrderElementsOf(ARTIFACT_SERVICES);
        List<String> paths = new ArrayList<>();
        for (String service : ARTIFACT_SERVICES) {
            Container container = container(documents, service);
            VolumeMount mount = container.getVolumeMounts().stream().filter(m -> m.getName().equals("artifacts")).collect(onlyOne());
            assertThat(mount.getReadOnly()).as(service).isNotEqualTo(Boolean.TRUE);
            assertThat(env(container, "TALLY_ARTIFACTS_DIR").getValue()).as(service).isEqualTo(mount.getMountPath());
            paths.add(mount.getMountPath());
        }
        assertThat(paths).containsOnly("/var/lib/tally/artifacts");
        // and no other service sees the store
        assertThat(workloadContainers(documents)).filteredOn(c -> !ARTIFACT_SERVICES.contains(c.getName()))
                .allSatisfy(c -> assertThat(c.getEnv()).noneMatch(e -> e.getName().equals("TALLY_ARTIFACTS_DIR")));
    }

    @Test
    void mountsAnExistingArtifactClaimWithoutCreatingOne() {
        // Given
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("artifacts.persistence.enabled", true);
        sets.put("artifacts.persistence.existingClaim", "team-artifacts");

        // When
        List<Map<String, Object>> documents = RenderedChart.renderWith(sets);

        // Then
        assertThat(typed(documents, PersistentVolumeClaim.class)).isEmpty();
        for (String service : ARTIFACT_SERVICES) {
            assertThat(volume(documents, service, "artifacts").getPersistentVolumeClaim().getClaimName()).as(service)
                    .isEqualTo("team-artifacts");
        }
    }

    @Test
    void saysInTheNotesWhetherArtifactsAreSharedOrOnlyWorkWithinOnePod() {
        // When the release notes are rendered (a client-side dry run: no cluster) without and with the shared claim
        String perPod = notes(Map.of());
        String shared = notes(Map.of("artifacts.persistence.enabled", true));

        // Then without it the operator reads plainly that references and links only work within one pod
        assertThat(perPod).contains("artifacts.persistence.enabled is false")
                .contains("only work within the one pod that wrote them").doesNotContain("share the claim");
        assertThat(shared).contains("share the claim \"tally-artifacts\" at /var/lib/tally/artifacts")
                .doesNotContain("only work within the one pod");
    }

    /**
     * NOTES.txt as rendered for a release: helm-java's template leaves it out and its dry-run install wants a cluster,
     * so a copy of the chart turns the notes into a ConfigMap's text, rendered by the same engine with the same values.
     */
    @SuppressWarnings("unchecked")
    private static String notes(Map<String, Object> sets) {
        try {
            Path copy = copyOfChart();
            Path notes = copy.resolve("templates/NOTES.txt");
            Files.writeString(copy.resolve("templates/zz-notes.yaml"), "{{- define \"tally.test.notes\" -}}\n"
                    + Files.readString(notes) + "\n{{- end }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n"
                    + "data:\n  notes: |-\n    {{- include \"tally.test.notes\" . | nindent 4 }}\n");
            Files.delete(notes);
            var command = new Helm(copy).template().withName(RenderedChart.RELEASE).withNamespace(RenderedChart.NAMESPACE)
                    .withKubeVersion(RenderedChart.KUBE_VERSION);
            for (var entry : sets.entrySet()) {
                command = command.set(entry.getKey(), entry.getValue());
            }
            return RenderedChart.split(command.call()).stream()
                    .filter(document -> "notes".equals(((Map<String, Object>) document.get("metadata")).get("name")))
                    .map(document -> ((Map<String, String>) document.get("data")).get("notes")).collect(onlyOne());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void runsThePlacesWorkersAsOneStatefulPodWithItsWarehouseOnAVolumeClaim() {
        // When
        List<Map<String, Object>> documents = RenderedChart.render();
        StatefulSet places = typed(documents, StatefulSet.class).stream()
                .filter(set -> set.getMetadata().getName().equals("tally-places-workers")).collect(onlyOne());
        Container container = places.getSpec().getTemplate().getSpec().getContainers().get(0);

        // Then one replica keeps the DuckDB file on its own claim, in the directory the state volume is mounted at
        assertThat(places.getSpec().getReplicas()).isEqualTo(1);
        assertThat(places.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim -> {
            assertThat(claim.getMetadata().getName()).isEqualTo("state");
            assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("5Gi");
        });
        VolumeMount state = container.getVolumeMounts().stream().filter(m -> m.getName().equals("state")).collect(onlyOne());
        assertThat(env(container, "TALLY_PLACES_WAREHOUSE").getValue()).startsWith(state.getMountPath() + "/").endsWith(".duckdb");
        assertThat(env(container, "TALLY_PLACES_SOURCE").getValue()).isEqualTo("fixture");
        // and DuckDB and the JVM have a writable /tmp although the root filesystem is read-only
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getVolumeMounts()).anyMatch(mount -> mount.getMountPath().equals("/tmp"));
    }

    @Test
    void refusesASecondPlacesWorkerBecauseTheWarehouseHasOneWriter() {
        assertThatThrownBy(() -> RenderedChart.renderWith(Map.of("placesWorkers.replicaCount", 2)))
                .hasMessageContaining("placesWorkers.replicaCount must be 1");
    }

    @Test
    void leavesTheCommandWorkerOutByDefault() {
        // When
        List<Map<String, Object>> documents = RenderedChart.render();

        // Then
        assertThat(workloadContainers(documents)).noneMatch(c -> c.getName().equals("command-worker"));
        assertThat(configMapNames(documents)).doesNotContain("tally-command-worker");
        assertThat(ofKind(documents, "Service")).noneMatch(service -> service.get("metadata").toString().contains("command-worker"));
    }

    @Test
    void rendersTheCommandWorkersTaskTypesIntoTheConfigItReadsAndRollsItWhenThatChanges() throws IOException {
        // Given the command worker with a dbt task type whose arguments hold the worker's own placeholders
        Path values = Files.createTempFile("command-worker", ".yaml");
        Files.writeString(values, """
                commandWorker:
                  enabled: true
                  image: registry.example/dbt-worker:1.8
                  tasks:
                    dbt-run:
                      executable: dbt
                      args: [run, --vars, "{city: '${input.params.city}'}"]
                      working-dir: /srv/dbt
                      timeout: 300s
                """);
        Path changed = Files.createTempFile("command-worker", ".yaml");
        Files.writeString(changed, Files.readString(values).replace("300s", "600s"));

        // When the chart is rendered
        List<Map<String, Object>> documents = RenderedChart.render(values);
        Container worker = container(documents, "command-worker");

        // Then the ConfigMap is a Spring config file with the task type under tally.command.tasks, placeholders intact
        @SuppressWarnings("unchecked")
        Map<String, Object> config = new org.yaml.snakeyaml.Yaml().load(commandTasks(documents).get("command-tasks.yml"));
        assertThat(config).extractingByKey("tally").extracting("command").extracting("tasks").extracting("dbt-run")
                .isEqualTo(Map.of("executable", "dbt", "args", List.of("run", "--vars", "{city: '${input.params.city}'}"),
                        "working-dir", "/srv/dbt", "timeout", "300s"));
        // and the worker reads that file: mounted read-only where SPRING_CONFIG_ADDITIONAL_LOCATION points
        VolumeMount mount = worker.getVolumeMounts().stream().filter(m -> m.getName().equals("command-tasks")).collect(onlyOne());
        assertThat(mount.getReadOnly()).isTrue();
        assertThat(env(worker, "SPRING_CONFIG_ADDITIONAL_LOCATION").getValue()).isEqualTo("file:" + mount.getMountPath() + "/command-tasks.yml");
        assertThat(volume(documents, "command-worker", "command-tasks").getConfigMap().getName()).isEqualTo("tally-command-worker");
        assertThat(env(worker, "TALLY_WORKER_INSTANCE_ID").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        assertThat(worker.getImage()).isEqualTo("registry.example/dbt-worker:1.8");
        // and a changed task type changes the pod template, so the worker restarts with it
        assertThat(commandChecksum(RenderedChart.render(changed))).isNotBlank().isNotEqualTo(commandChecksum(documents));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> commandTasks(List<Map<String, Object>> documents) {
        return ofKind(documents, "ConfigMap").stream()
                .filter(map -> "tally-command-worker".equals(((Map<String, Object>) map.get("metadata")).get("name")))
                .map(map -> (Map<String, String>) map.get("data")).collect(onlyOne());
    }

    private static String commandChecksum(List<Map<String, Object>> documents) {
        return typed(documents, Deployment.class).stream()
                .filter(deployment -> deployment.getMetadata().getName().equals("tally-command-worker")).collect(onlyOne())
                .getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/command-tasks");
    }

    private static Volume volume(List<Map<String, Object>> documents, String component, String name) {
        HasMetadata workload = workloads(documents).stream()
                .filter(w -> component.equals(w.getMetadata().getLabels().get("app.kubernetes.io/component"))).collect(onlyOne());
        return template(workload).getSpec().getVolumes().stream().filter(v -> v.getName().equals(name)).collect(onlyOne());
    }

    private static <T> java.util.stream.Collector<T, ?, T> onlyOne() {
        return java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(), list -> {
            assertThat(list).hasSize(1);
            return list.get(0);
        });
    }

    @SuppressWarnings("unchecked")
    private static List<Object> configMapNames(List<Map<String, Object>> documents) {
        return ofKind(documents, "ConfigMap").stream().map(map -> ((Map<String, Object>) map.get("metadata")).get("name")).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> pipelinesData(List<Map<String, Object>> documents) {
        return ofKind(documents, "ConfigMap").stream()
                .filter(map -> "tally-pipelines".equals(((Map<String, Object>) map.get("metadata")).get("name")))
                .map(map -> (Map<String, String>) map.get("data")).findFirst().orElseThrow();
    }

    private static String trackerChecksum(List<Map<String, Object>> documents) {
        return typed(documents, StatefulSet.class).stream()
                .filter(set -> set.getMetadata().getName().equals("tally-job-tracker")).findFirst().orElseThrow()
                .getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/pipelines");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void takesCredentialsFromSecretsAndNeverInlinesThem(ValuesCase values) {
        // Given
        List<Map<String, Object>> documents = values.render();
        String secretName = "tally-credentials";

        // Then the chart creates no Secret: credentials live only in Secrets the operator made
        assertThat(documents).noneMatch(document -> "Secret".equals(document.get("kind")));
        int secretVariables = 0;
        for (Container container : workloadContainers(documents)) {
            for (EnvVar variable : container.getEnv()) {
                if (SECRET_ENV.matcher(variable.getName()).matches()) {
                    secretVariables++;
                    assertThat(variable.getValue()).as("%s of %s must not be a literal", variable.getName(), container.getName()).isNull();
                    assertThat(variable.getValueFrom()).as("%s of %s", variable.getName(), container.getName()).isNotNull();
                    assertThat(variable.getValueFrom().getSecretKeyRef()).as("%s of %s", variable.getName(), container.getName()).isNotNull();
                }
                if (variable.getName().equals("SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG")) {
                    assertThat(variable.getValue()).contains("password=\"$(KAFKA_SASL_PASSWORD)\"");
                }
            }
        }
        // (a renamed variable or container must not turn the checks above into a loop over nothing)
        assertThat(secretVariables).as("credential variables checked").isPositive();
        // and the jobs API keys come from the credentials Secret (no development key left)
        assertThat(workloadContainers(documents)).filteredOn(container -> container.getName().equals("jobs-api"))
                .singleElement().satisfies(api -> {
                    EnvVar key = env(api, "TALLY_API_SECURITY_APIKEYS_0_KEY");
                    assertThat(key.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secretName);
                    assertThat(key.getValueFrom().getSecretKeyRef().getOptional()).isFalse();
                    assertThat(api.getEnv()).noneMatch(variable -> variable.getName().equals("TALLY_API_DEV_KEY"));
                });
    }

    @Test
    void givesTheYouTubePlaylistAdapterItsOAuthClientAndRefreshTokenFromTheCredentialsSecret() {
        // Given the playlist service on the YouTube adapter
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("kafka.bootstrapServers", "kafka:9092");
        sets.put("playlistService.adapter", "youtube");

        // When the chart is rendered
        List<Map<String, Object>> documents = RenderedChart.renderWith(sets);
        Container playlist = container(documents, "playlist-service");
        HasMetadata workload = workloads(documents).stream()
                .filter(candidate -> template(candidate).getSpec().getContainers().contains(playlist)).findFirst().orElseThrow();

        // Then the OAuth client comes from the Secret, and the refresh token is a read-only file from the same Secret
        assertThat(env(playlist, "TALLY_YOUTUBE_CLIENT_ID").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("youtube-client-id");
        assertThat(env(playlist, "TALLY_YOUTUBE_CLIENT_SECRET").getValueFrom().getSecretKeyRef().getKey())
                .isEqualTo("youtube-client-secret");
        assertThat(env(playlist, "TALLY_YOUTUBE_REFRESH_TOKEN_FILE").getValue()).isEqualTo("/etc/tally/youtube/refresh-token");
        assertThat(playlist.getVolumeMounts()).filteredOn(mount -> mount.getMountPath().equals("/etc/tally/youtube"))
                .singleElement().satisfies(mount -> assertThat(mount.getReadOnly()).isTrue());
        assertThat(template(workload).getSpec().getVolumes()).filteredOn(volume -> volume.getName().equals("youtube-refresh-token"))
                .singleElement().satisfies(volume -> {
                    assertThat(volume.getSecret().getSecretName()).isEqualTo("tally-credentials");
                    // optional: the fixed-token fallback runs without a refresh token
                    assertThat(volume.getSecret().getOptional()).isTrue();
                    assertThat(volume.getSecret().getItems()).singleElement().satisfies(item -> {
                        assertThat(item.getKey()).isEqualTo("youtube-refresh-token");
                        assertThat(item.getPath()).isEqualTo("refresh-token");
                    });
                });
        // and with the file adapter nothing of it is mounted
        assertThat(container(RenderedChart.render(ci("offline-minimal-values.yaml")), "playlist-service").getVolumeMounts())
                .noneMatch(mount -> mount.getMountPath().equals("/etc/tally/youtube"));
    }

    @Test
    void wiresSaslAndTlsFromTheKafkaUserAndClusterCaSecrets() {
        // When
        List<Map<String, Object>> documents = RenderedChart.render(ci("strimzi-sasl-tls-values.yaml"));
        Container search = container(documents, "track-search");

        // Then
        assertThat(env(search, "SPRING_KAFKA_SECURITY_PROTOCOL").getValue()).isEqualTo("SASL_SSL");
        assertThat(env(search, "KAFKA_SASL_PASSWORD").getValueFrom().getSecretKeyRef().getName()).isEqualTo("tally-kafka-user");
        assertThat(env(search, "SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG").getValue()).startsWith("org.apache.kafka.common.security.scram.ScramLoginModule required");
        assertThat(env(search, "SPRING_KAFKA_SSL_TRUST_STORE_PASSWORD").getValueFrom().getSecretKeyRef().getName()).isEqualTo("prod-cluster-ca-cert");
        assertThat(env(search, "SPRING_KAFKA_SSL_TRUST_STORE_LOCATION").getValue()).isEqualTo("file:/etc/tally/kafka-truststore/ca.p12");
        assertThat(search.getVolumeMounts()).anyMatch(mount -> mount.getMountPath().equals("/etc/tally/kafka-truststore"));
        assertThat(env(search, "TALLY_KAFKA_CREATETOPICS").getValue()).isEqualTo("false");
        // while the worker still creates its own task topics: their retry topics are named after its back-off
        assertThat(env(search, "TALLY_WORKER_CREATETOPICS").getValue()).isEqualTo("true");
        assertThat(search.getImage()).isEqualTo("ghcr.io/example/tally/track-search:0.1.0");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void labelsEveryObjectAndPodWithTheKubernetesRecommendedLabels(ValuesCase values) {
        // When
        List<Map<String, Object>> documents = values.render();

        // Then
        assertThat(documents).isNotEmpty();
        assertThat(workloads(documents)).isNotEmpty();
        for (Map<String, Object> document : documents) {
            @SuppressWarnings("unchecked")
            Map<String, Object> labels = (Map<String, Object>) ((Map<String, Object>) document.get("metadata")).get("labels");
            assertThat(labels).as("labels of %s", StrictKubernetesModel.typeOf(document)).containsKeys(RECOMMENDED_LABELS.toArray(String[]::new));
            assertThat(labels).containsEntry("app.kubernetes.io/part-of", "tally").containsEntry("app.kubernetes.io/managed-by", "Helm");
        }
        for (HasMetadata workload : workloads(documents)) {
            PodTemplateSpec template = template(workload);
            assertThat(template.getMetadata().getLabels()).containsKeys(RECOMMENDED_LABELS.toArray(String[]::new));
            assertThat(template.getMetadata().getLabels()).containsAllEntriesOf(selector(workload));
        }
    }

    @Test
    void addsServiceMonitorPrometheusRuleDashboardAndAutoscalersOnlyWhenAsked() {
        // When
        List<Map<String, Object>> defaults = RenderedChart.render();
        List<Map<String, Object>> everything = RenderedChart.render(ci("strimzi-sasl-tls-values.yaml"));

        // Then
        assertThat(kinds(defaults)).doesNotContain("ServiceMonitor", "PrometheusRule", "HorizontalPodAutoscaler", "PersistentVolumeClaim");
        assertThat(configMapNames(defaults)).containsExactly("tally-pipelines");
        assertThat(kinds(everything)).contains("ServiceMonitor", "PrometheusRule", "NetworkPolicy", "HorizontalPodAutoscaler", "ConfigMap");
        Map<String, Object> monitor = ofKind(everything, "ServiceMonitor").get(0);
        assertThat(monitor).extractingByKey("spec").asString().contains("path=/actuator/prometheus", "port=http");
        Map<String, Object> rule = ofKind(everything, "PrometheusRule").get(0);
        assertThat(rule).extractingByKey("spec").asString().contains("TallyJobStalled", "TallyDeadLettersGrowing",
                "TallyConsumerLagHigh", "TallyStreamsNotRunning", "TallyWeeklyChartTriggerOverdue", "TallySchedulerLeaderLoopFailing");
        assertThat(configMapNames(everything)).containsExactlyInAnyOrder("tally-pipelines", "tally-dashboard", "tally-command-worker");
        assertThat(ofKind(everything, "ConfigMap")).filteredOn(map -> map.get("metadata").toString().contains("tally-dashboard"))
                .singleElement().extracting(map -> map.get("data")).asString().contains("tally_streams_running");
        assertThat(typed(everything, io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class))
                .extracting(hpa -> hpa.getSpec().getScaleTargetRef().getKind()).containsOnly("Deployment");
    }

    @Test
    void letsOnlyTheJobsApiIntoTheOtherServicesByDefault() {
        // When the chart is rendered with its defaults
        List<NetworkPolicy> policies = typed(RenderedChart.render(), NetworkPolicy.class);

        // Then every service has a policy; the jobs API is open, and every other service admits only the jobs API's pods
        assertThat(policies).hasSize(SERVICES.size());
        for (NetworkPolicy policy : policies) {
            Map<String, String> target = policy.getSpec().getPodSelector().getMatchLabels();
            List<NetworkPolicyIngressRule> ingress = policy.getSpec().getIngress();
            assertThat(ingress).as(policy.getMetadata().getName()).singleElement();
            if ("jobs-api".equals(target.get("app.kubernetes.io/component"))) {
                assertThat(ingress.get(0).getFrom()).as("the API is open when apiFrom is empty").isNullOrEmpty();
                continue;
            }
            assertThat(ingress.get(0).getFrom()).as(policy.getMetadata().getName()).singleElement().satisfies(peer -> {
                assertThat(peer.getNamespaceSelector()).isNull();
                assertThat(peer.getPodSelector().getMatchLabels())
                        .containsEntry("app.kubernetes.io/component", "jobs-api")
                        .containsEntry("app.kubernetes.io/instance", "tally");
            });
        }
    }

    @Test
    void admitsPrometheusOnlyWhenTheServiceMonitorScrapes() {
        // Given a monitoring namespace allowed to scrape
        Map<String, Object> withoutMonitor = new LinkedHashMap<>();
        withoutMonitor.put("networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.team", "monitoring");
        Map<String, Object> withMonitor = new LinkedHashMap<>(withoutMonitor);
        withMonitor.put("metrics.serviceMonitor.enabled", true);

        // When the chart is rendered without and with the ServiceMonitor
        NetworkPolicy scheduler = schedulerPolicy(RenderedChart.renderWith(withoutMonitor));
        NetworkPolicy scraped = schedulerPolicy(RenderedChart.renderWith(withMonitor));

        // Then the monitoring peer is admitted only when the ServiceMonitor scrapes
        assertThat(scheduler.getSpec().getIngress().get(0).getFrom()).hasSize(1);
        assertThat(scraped.getSpec().getIngress().get(0).getFrom()).hasSize(2)
                .filteredOn(peer -> peer.getNamespaceSelector() != null).singleElement()
                .satisfies(peer -> assertThat(peer.getNamespaceSelector().getMatchLabels())
                        .isEqualTo(Map.of("team", "monitoring")));
    }

    private static NetworkPolicy schedulerPolicy(List<Map<String, Object>> documents) {
        return typed(documents, NetworkPolicy.class).stream()
                .filter(policy -> "scheduler".equals(policy.getSpec().getPodSelector().getMatchLabels().get("app.kubernetes.io/component")))
                .findFirst().orElseThrow();
    }

    @Test
    void hasAHelmTestThatCallsTheJobsApi() throws IOException {
        // Given a copy of the chart whose test hook is an ordinary template: helm-java's template, like Helm's
        // release manifest, leaves hooks out, and the hook should still be checked like everything else
        Path copy = copyOfChart();
        Path hook = copy.resolve("templates/tests/test-connection.yaml");
        String hookTemplate = Files.readString(hook);
        assertThat(hookTemplate).contains("helm.sh/hook: test");
        Files.writeString(hook, hookTemplate.replace("helm.sh/hook: test", "tally.io/helm-hook: test"));

        // When
        List<Map<String, Object>> documents = RenderedChart.split(new Helm(copy).template().withName(RenderedChart.RELEASE)
                .withNamespace(RenderedChart.NAMESPACE).withKubeVersion(RenderedChart.KUBE_VERSION).call());

        // Then
        var tests = typed(documents, io.fabric8.kubernetes.api.model.Pod.class);
        assertThat(tests).singleElement().satisfies(pod -> {
            assertThat(pod.getMetadata().getAnnotations()).containsEntry("tally.io/helm-hook", "test");
            assertThat(String.join(" ", pod.getSpec().getContainers().get(0).getArgs())).contains("tally-jobs-api:8088/actuator/health/readiness");
        });
    }

    @Test
    void refusesToRenderWithoutAKafkaAddress() {
        // When / Then
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("kafka.bootstrapServers", "");
        assertThatThrownBy(() -> RenderedChart.renderWith(sets)).hasMessageContaining("kafka.bootstrapServers is required");
    }

    @Test
    void strictReadRejectsUnknownFieldsAndWrongTypes() {
        // Given manifests with the mistakes a template can make
        String unknownField = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec: {replica: 2, selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}}
                """;
        String numberAsEnvValue = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i, env: [{name: P, value: 8080}]}]}}}
                """;
        String stringAsReplicas = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec: {replicas: "2", selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}}
                """;

        // When / Then
        assertThatThrownBy(() -> StrictKubernetesModel.read(RenderedChart.split(unknownField).get(0))).hasMessageContaining("replica");
        assertThatThrownBy(() -> StrictKubernetesModel.read(RenderedChart.split(numberAsEnvValue).get(0))).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> StrictKubernetesModel.read(RenderedChart.split(stringAsReplicas).get(0))).hasMessageContaining("does not fit");
    }

    /** A copy of the chart in a temporary folder, for tests that turn a part Helm leaves out into a template. */
    private static Path copyOfChart() throws IOException {
        Path copy = Files.createTempDirectory("tally-chart");
        try (Stream<Path> files = Files.walk(RenderedChart.CHART_DIR)) {
            for (Path source : files.toList()) {
                Path target = copy.resolve(RenderedChart.CHART_DIR.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        return copy;
    }

    private static void assertProbe(String container, String kind, Probe probe, String path) {
        assertThat(probe).as("%s probe of %s", kind, container).isNotNull();
        assertThat(probe.getHttpGet().getPath()).as("%s probe of %s", kind, container).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    private static Path ci(String name) {
        return RenderedChart.CHART_DIR.resolve("ci").resolve(name);
    }

    private static List<String> kinds(List<Map<String, Object>> documents) {
        return documents.stream().map(document -> String.valueOf(document.get("kind"))).toList();
    }

    private static List<Map<String, Object>> ofKind(List<Map<String, Object>> documents, String kind) {
        return documents.stream().filter(document -> kind.equals(document.get("kind"))).toList();
    }

    private static <T extends HasMetadata> List<T> typed(List<Map<String, Object>> documents, Class<T> type) {
        return documents.stream()
                .filter(document -> !StrictKubernetesModel.CUSTOM_KINDS.contains(StrictKubernetesModel.typeOf(document)))
                .map(StrictKubernetesModel::read).filter(type::isInstance).map(type::cast).toList();
    }

    private static List<HasMetadata> workloads(List<Map<String, Object>> documents) {
        List<HasMetadata> workloads = new ArrayList<>();
        workloads.addAll(typed(documents, Deployment.class));
        workloads.addAll(typed(documents, StatefulSet.class));
        return workloads;
    }

    private static PodTemplateSpec template(HasMetadata workload) {
        return workload instanceof Deployment deployment ? deployment.getSpec().getTemplate()
                : ((StatefulSet) workload).getSpec().getTemplate();
    }

    private static Map<String, String> selector(HasMetadata workload) {
        return workload instanceof Deployment deployment ? deployment.getSpec().getSelector().getMatchLabels()
                : ((StatefulSet) workload).getSpec().getSelector().getMatchLabels();
    }

    private static List<Container> workloadContainers(List<Map<String, Object>> documents) {
        return workloads(documents).stream().flatMap(workload -> template(workload).getSpec().getContainers().stream()).toList();
    }

    private static Container container(List<Map<String, Object>> documents, String name) {
        return workloadContainers(documents).stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(variable -> variable.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " has no env " + name));
    }

    /** One set of values: the defaults or a CI values file on top of them. */
    record ValuesCase(String name, Optional<Path> file) {

        List<Map<String, Object>> render() {
            return file.map(RenderedChart::render).orElseGet(RenderedChart::render);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
