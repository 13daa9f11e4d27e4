package io.tally.charttests;

import com.marcnuri.helm.Helm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders the Tally chart with helm-java (Helm's own template engine, no cluster) and splits the output into documents.
 * Known gap: like {@code helm template}, rendering knows nothing of the API server; {@link StrictKubernetesModel}
 * supplies the schema check.
 */
final class RenderedChart {

    static final Path REPO_ROOT = findRepoRoot();
    static final Path CHART_DIR = REPO_ROOT.resolve("deploy/helm/tally");
    static final String RELEASE = "tally";
    static final String NAMESPACE = "tally-ci";
    // The oldest Kubernetes the chart supports (policy/v1, autoscaling/v2); Helm would otherwise assume v1.20.
    static final String KUBE_VERSION = "v1.25.0";

    private RenderedChart() {
    }

    /** Renders the chart with its defaults plus the given values files (none: pure defaults). */
    static List<Map<String, Object>> render(Path... valuesFiles) {
        return split(renderText(valuesFiles));
    }

    static String renderText(Path... valuesFiles) {
        var command = new Helm(CHART_DIR).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
        for (Path file : valuesFiles) {
            command = command.withValuesFile(file);
        }
        return command.call();
    }

    /** Renders with single --set overrides on top of the defaults. */
    static List<Map<String, Object>> renderWith(Map<String, Object> sets) {
        var command = new Helm(CHART_DIR).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
        for (var entry : sets.entrySet()) {
            command = command.set(entry.getKey(), entry.getValue());
        }
        return split(command.call());
    }

    /** Every file of deploy/helm/tally/ci, the chart-testing convention for extra value sets. */
    static List<Path> ciValuesFiles() {
        try (Stream<Path> files = Files.list(CHART_DIR.resolve("ci"))) {
            return files.filter(file -> file.toString().endsWith(".yaml")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot list " + CHART_DIR.resolve("ci"), e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> split(String manifests) {
        LoaderOptions options = new LoaderOptions();
        // Duplicate keys in a rendered manifest are a template bug that the API server would also reject.
        options.setAllowDuplicateKeys(false);
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml(options).loadAll(manifests)) {
            if (document != null) {
                documents.add((Map<String, Object>) document);
            }
        }
        return documents;
    }

    private static Path findRepoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("deploy/helm/tally/Chart.yaml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("deploy/helm/tally/Chart.yaml not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
