package io.tally.cli;

import io.tally.celebrity.CelebrityProperties;
import io.tally.media.MediaProperties;
import io.tally.places.PlacesProperties;
import io.tally.transcribe.TranscribeProperties;
import io.tally.chartprocessor.ProcessorProperties;
import io.tally.chartscraper.ScraperProperties;
import io.tally.jobsapi.ApiProperties;
import io.tally.jobtracker.TrackerProperties;
import io.tally.jobtracker.pipelines.PipelinesProperties;
import io.tally.notification.NotificationProperties;
import io.tally.playlist.PlaylistProperties;
import io.tally.scheduler.SchedulerProperties;
import io.tally.tracksearch.SearchProperties;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.convert.ApplicationConversionService;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The {@code ./tally dev --config tally.yml} file, read and checked before anything starts: the data dir, the fixed
 * ports and each service's own Spring properties, with secrets only as {@code ${env:NAME}} or {@code ${file:/path}}.
 * The format is documented in docs/configuration.md and tally.example.yml.
 *
 * @param dataDir   the data dir the file names, or null to use the command's default
 * @param ports     port overrides by name ({@code kafka}, {@code kafka-controller}, {@code registry} or a service name)
 * @param services  per service name, its settings as flat Spring property names, secrets already resolved
 * @param secretKeys per service name, the keys whose values are secrets (never printed)
 */
record DevConfig(Path dataDir, Map<String, Integer> ports, Map<String, Map<String, String>> services,
                 Map<String, Set<String>> secretKeys) {

    static final String KAFKA_PORT = "kafka";
    static final String CONTROLLER_PORT = "kafka-controller";
    static final String REGISTRY_PORT = "registry";

    /** Top-level keys of the file. */
    static final Set<String> TOP_LEVEL = Set.of("dataDir", "ports", "services");

    /**
     * The service names and the {@code @ConfigurationProperties} classes each binds, so a value is checked by the
     * class the service itself binds it to (an unknown adapter fails as the service would fail at start).
     */
    static final Map<String, Map<String, Class<?>>> SERVICE_PROPERTIES = orderedServices();

    /** The key that chooses each service's adapter, by service name. */
    private static final Map<String, String> SWITCHES = new java.util.TreeMap<>(Map.of(
            PipelineServices.SCRAPER, "tally.scraper.source",
            PipelineServices.SEARCH, "tally.search.adapter",
            PipelineServices.PLAYLIST, "tally.playlist.adapter",
            PipelineServices.PLACES, "tally.places.source"));

    /**
     * A key whose last segment ends like this holds a secret and must be a reference, never a literal (so do webhook
     * URLs, see {@link #isSecretKey}).
     */
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(key|secret|token|password)$");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]*)}");

    /** The empty configuration: every default. */
    static DevConfig defaults() {
        return new DevConfig(null, Map.of(), Map.of(), Map.of());
    }

    /** The settings of one service (empty when the file names none). */
    Map<String, String> settings(String service) {
        return services.getOrDefault(service, Map.of());
    }

    /** The adapter switches the file sets, for the start-up line ({@code chart-scraper: beatport, ...}); no secrets. */
    String summary() {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, String> switchKey : SWITCHES.entrySet()) {
            String value = settings(switchKey.getKey()).get(switchKey.getValue());
            if (value != null) {
                parts.add(switchKey.getKey() + ": " + value);
            }
        }
        return parts.isEmpty() ? "offline adapters" : String.join(", ", parts);
    }

    /** The port for a name, or the fallback when the file does not set it. */
    int port(String name, int fallback) {
        return ports.getOrDefault(name, fallback);
    }

    /** Reads and checks a file; every problem is one line of the {@link Invalid} thrown. */
    static DevConfig load(Path file, UnaryOperator<String> environment) {
        if (!Files.isRegularFile(file)) {
            throw new Invalid(List.of("no such file"));
        }
        Object root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (IOException | RuntimeException e) {
            // SnakeYAML's message names the line and column; only its first line, no stack trace.
            throw new Invalid(List.of("not valid YAML: " + firstLine(e.getMessage())));
        }
        return parse(root, file.toAbsolutePath().getParent(), environment);
    }

    static DevConfig parse(Object root, Path baseDir, UnaryOperator<String> environment) {
        List<String> problems = new ArrayList<>();
        if (root == null) {
            return defaults();
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new Invalid(List.of("the file must be a map with the keys " + sorted(TOP_LEVEL)));
        }
        Path dataDir = null;
        Map<String, Integer> ports = new LinkedHashMap<>();
        Map<String, Map<String, String>> services = new LinkedHashMap<>();
        Map<String, Set<String>> secrets = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : top.entrySet()) {
            String key = String.valueOf(entry.getKey());
            Object value = entry.getValue();
            switch (key) {
                case "dataDir" -> {
                    if (value instanceof String text && !text.isBlank()) {
                        Path path = Path.of(text.replaceFirst("^~(?=/|$)", System.getProperty("user.home")));
                        dataDir = baseDir != null ? baseDir.resolve(path) : path;
                    } else {
                        problems.add("dataDir: must be a path");
                    }
                }
                case "ports" -> readPorts(value, ports, problems);
                case "services" -> readServices(value, services, secrets, environment, problems);
                default -> problems.add(key + ": unknown top-level key (known: " + sorted(TOP_LEVEL) + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new Invalid(problems);
        }
        return new DevConfig(dataDir, ports, services, secrets);
    }

    private static void readPorts(Object value, Map<String, Integer> ports, List<String> problems) {
        if (!(value instanceof Map<?, ?> map)) {
            problems.add("ports: must be a map of name to port");
            return;
        }
        Set<String> known = new java.util.TreeSet<>(SERVICE_PROPERTIES.keySet());
        known.addAll(List.of(KAFKA_PORT, CONTROLLER_PORT, REGISTRY_PORT));
        map.forEach((name, port) -> {
            String key = "ports." + name;
            if (!known.contains(String.valueOf(name))) {
                problems.add(key + ": unknown port name (known: " + String.join(", ", known) + ")");
            } else if (!(port instanceof Integer number) || number < 1 || number > 65535) {
                problems.add(key + ": must be a port number from 1 to 65535");
            } else {
                ports.put(String.valueOf(name), number);
            }
        });
    }

    private static void readServices(Object value, Map<String, Map<String, String>> services,
                                     Map<String, Set<String>> secrets, UnaryOperator<String> environment,
                                     List<String> problems) {
        if (!(value instanceof Map<?, ?> map)) {
            problems.add("services: must be a map of service name to its settings");
            return;
        }
        map.forEach((name, settings) -> {
            String service = String.valueOf(name);
            String prefix = "services." + service;
            if (!SERVICE_PROPERTIES.containsKey(service)) {
                problems.add(prefix + ": unknown service (known: " + String.join(", ", SERVICE_PROPERTIES.keySet()) + ")");
                return;
            }
            if (settings == null) {
                return;
            }
            if (!(settings instanceof Map<?, ?> nested)) {
                problems.add(prefix + ": must be a map of Spring property names to values");
                return;
            }
            Map<String, String> flat = new TreeMap<>();
            flatten("", nested, flat);
            Map<String, String> resolved = new TreeMap<>();
            Set<String> secretKeys = new java.util.TreeSet<>();
            flat.forEach((key, raw) -> {
                String where = prefix + "." + key;
                boolean secret = isSecretKey(key);
                if (secret) {
                    secretKeys.add(key);
                }
                if (secret && !REFERENCE.matcher(raw).matches()) {
                    problems.add(where + ": a secret must not be written in the file; use ${env:NAME} or ${file:/path}");
                    return;
                }
                String value1 = resolve(where, raw, environment, problems);
                if (value1 != null) {
                    resolved.put(key, value1);
                }
            });
            bindWithTheServicesOwnClasses(prefix, SERVICE_PROPERTIES.get(service), resolved, secretKeys, problems);
            services.put(service, resolved);
            secrets.put(service, secretKeys);
        });
    }

    /** True for a key whose last segment names a secret, e.g. {@code tally.search.youtube.api-key}. */
    static boolean isSecretKey(String key) {
        String last = key.substring(key.lastIndexOf('.') + 1).replaceAll("\\[\\d+]$", "");
        // A webhook URL usually embeds its token (Slack, Teams), so it is treated as one.
        return SECRET_KEY.matcher(last).matches() || key.toLowerCase(Locale.ROOT).endsWith("webhook.url");
    }

    /** Replaces every {@code ${env:NAME}} and {@code ${file:/path}}; null (and a problem) when one cannot be read. */
    private static String resolve(String where, String raw, UnaryOperator<String> environment, List<String> problems) {
        Matcher matcher = REFERENCE.matcher(raw);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String kind = matcher.group(1);
            String target = matcher.group(2).trim();
            String value;
            if (kind.equals("env")) {
                value = environment.apply(target);
                if (value == null || value.isEmpty()) {
                    problems.add(where + ": environment variable " + target + " is not set");
                    return null;
                }
            } else {
                Path path = Path.of(target.replaceFirst("^~(?=/|$)", System.getProperty("user.home")));
                try {
                    // A trailing newline is how editors save files; it is never part of a key.
                    value = Files.readString(path, StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    problems.add(where + ": cannot read the file " + path + " (" + e.getClass().getSimpleName() + ")");
                    return null;
                }
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /**
     * Binds the settings to each class the service binds, as the service would at start: a value that cannot be
     * converted (an unknown adapter, a malformed duration) is a problem naming the key. Secret values are not shown.
     */
    private static void bindWithTheServicesOwnClasses(String prefix, Map<String, Class<?>> classes,
                                                      Map<String, String> settings, Set<String> secretKeys,
                                                      List<String> problems) {
        Binder binder = new Binder(List.of(new MapConfigurationPropertySource(settings)), null,
                ApplicationConversionService.getSharedInstance());
        classes.forEach((propertyPrefix, type) -> {
            try {
                binder.bind(propertyPrefix, Bindable.of(type));
            } catch (BindException e) {
                problems.add(bindProblem(prefix, e, secretKeys));
            }
        });
    }

    private static String bindProblem(String prefix, BindException e, Set<String> secretKeys) {
        // The deepest BindException names the property whose value failed.
        BindException deepest = e;
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof BindException nested) {
                deepest = nested;
            }
        }
        String key = deepest.getProperty() != null ? deepest.getProperty().getName().toString()
                : deepest.getName().toString();
        Object origin = deepest.getProperty() != null ? deepest.getProperty().getValue() : null;
        Class<?> type = deepest.getTarget().getType().resolve();
        String where = prefix + "." + key;
        boolean secret = secretKeys.stream().anyMatch(s -> s.equalsIgnoreCase(key)) || isSecretKey(key);
        String shown = secret || origin == null ? "the value" : "'" + origin + "'";
        if (type != null && type.isEnum()) {
            String allowed = Arrays.stream(type.getEnumConstants())
                    .map(constant -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .collect(Collectors.joining(", "));
            return where + ": " + shown + " is not one of " + allowed;
        }
        return where + ": " + shown + " cannot be read as " + (type != null ? type.getSimpleName() : "its type");
    }

    /** {@code a: {b: 1}} and {@code a.b: 1} alike become {@code a.b=1}; lists become {@code a[0]}. */
    private static void flatten(String prefix, Object value, Map<String, String> into) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, nested) -> flatten(prefix.isEmpty() ? String.valueOf(key) : prefix + "." + key, nested, into));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "[" + i + "]", list.get(i), into);
            }
        } else {
            into.put(prefix, value == null ? "" : String.valueOf(value));
        }
    }

    private static Map<String, Map<String, Class<?>>> orderedServices() {
        Map<String, Map<String, Class<?>>> services = new LinkedHashMap<>();
        services.put(PipelineServices.SCRAPER, Map.of("tally.scraper", ScraperProperties.class));
        services.put(PipelineServices.SEARCH, Map.of("tally.search", SearchProperties.class));
        services.put(PipelineServices.PLAYLIST, Map.of("tally.playlist", PlaylistProperties.class));
        services.put(PipelineServices.NOTIFY, Map.of("tally.notify", NotificationProperties.class));
        services.put(PipelineServices.SCHEDULER, Map.of("tally.scheduler", SchedulerProperties.class));
        services.put(PipelineServices.API, Map.of("tally.api", ApiProperties.class));
        services.put(PipelineServices.TRACKER, Map.of("tally.tracker", TrackerProperties.class,
                "tally.pipelines", PipelinesProperties.class));
        services.put(PipelineServices.PROCESSOR, Map.of("tally.processor", ProcessorProperties.class));
        services.put(PipelineServices.TRANSCRIBE, Map.of("tally.transcribe", TranscribeProperties.class));
        services.put(PipelineServices.PLACES, Map.of("tally.places", PlacesProperties.class));
        services.put(PipelineServices.CELEBRITY, Map.of("tally.celebrities", CelebrityProperties.class));
        services.put(PipelineServices.MEDIA, Map.of("tally.media", MediaProperties.class));
        return java.util.Collections.unmodifiableMap(services);
    }

    private static String sorted(Set<String> keys) {
        return keys.stream().sorted().collect(Collectors.joining(", "));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** The file is not usable; each element of {@link #problems()} is one line for the user. */
    static final class Invalid extends RuntimeException {
        private final List<String> problems;

        Invalid(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        List<String> problems() {
            return problems;
        }
    }
}
