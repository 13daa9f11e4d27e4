package io.tally.localruntime;

import io.tally.common.config.ServiceLauncher;
import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.topics.Topics;


import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A whole Tally installation on this machine: a KRaft broker and the Apicurio registry as child processes, and the
 * chosen services as Spring applications in this JVM. Used by {@code tally demo}, {@code tally dev} and the
 * end-to-end test, so all three run the same code; {@code tally bench} (tools/tally-bench) uses it too. Known gap: one broker, so replication factor 1 everywhere.
 */
public final class LocalStack implements AutoCloseable {

    /**
     * A service to start: its name (also its configuration file, {@code <name>.yml}), its application class, its HTTP
     * port (0 = any free port) and its own arguments.
     */
    public record Service(String name, Class<?> application, int port, List<String> arguments) {
    }

    /** Where the stack runs and how it reports progress. */
    public record Settings(Path dataDir, int brokerPort, int controllerPort, int registryPort, Duration startupTimeout,
                    Consumer<String> progress) {
    }

    private final Settings settings;
    private final long startNanos = System.nanoTime();
    private KafkaBrokerProcess broker;
    private SchemaRegistryProcess registry;
    private final Map<String, ConfigurableApplicationContext> services = new LinkedHashMap<>();

    private LocalStack(Settings settings) {
        this.settings = settings;
    }

    /** Starts broker and registry in parallel, then creates the catalogue topics. */
    public static LocalStack startInfrastructure(Settings settings) {
        LocalStack stack = new LocalStack(settings);
        try {
            stack.startBrokerAndRegistry();
            stack.createTopics();
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String registryUrl() {
        return registry.registryV2Url();
    }

    public SchemaRegistryProcess registry() {
        return registry;
    }

    /** The running context of a service started by {@link #startServices}. */
    public ConfigurableApplicationContext service(String name) {
        ConfigurableApplicationContext context = services.get(name);
        if (context == null) {
            throw new IllegalArgumentException("no service '" + name + "' is running; running: " + services.keySet());
        }
        return context;
    }

    /** The HTTP port a running service listens on. */
    public int port(String name) {
        return Integer.parseInt(service(name).getEnvironment().getProperty("local.server.port", "-1"));
    }

    /**
     * Starts the services in parallel (each Spring start is mostly waiting on Kafka) and waits until every Kafka
     * Streams service is RUNNING.
     */
    public void startServices(List<Service> toStart) {
        // One logging set-up for the whole JVM (the CLI's logback.xml): Boot's logging system would reconfigure the
        // shared logback context from every starting service at once, which is not thread-safe.
        System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
        ExecutorService starters = Executors.newFixedThreadPool(toStart.size(), daemonThreads("tally-service-start"));
        try {
            Map<String, CompletableFuture<ConfigurableApplicationContext>> starts = new LinkedHashMap<>();
            for (Service service : toStart) {
                starts.put(service.name(), CompletableFuture.supplyAsync(() -> startService(service), starters));
            }
            List<String> failures = new ArrayList<>();
            starts.forEach((name, start) -> {
                try {
                    services.put(name, start.join());
                } catch (RuntimeException e) {
                    failures.add(name + ": " + rootMessage(e));
                    e.printStackTrace();
                }
            });
            if (!failures.isEmpty()) {
                throw new StackFailure("services did not start: " + String.join("; ", failures));
            }
        } finally {
            starters.shutdownNow();
        }
        long deadline = startNanos + settings.startupTimeout().toNanos();
        services.forEach((name, context) -> context.getBeansOfType(KafkaStreamsHealth.class).values()
                .forEach(health -> awaitRunning(name, health, deadline)));
        progress("%d services running: %s", services.size(), String.join(", ", services.keySet()));
    }

    private ConfigurableApplicationContext startService(Service service) {
        List<String> arguments = new ArrayList<>(List.of(
                "--spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                "--tally.kafka.registry-url=" + registry.registryV2Url(),
                "--server.port=" + service.port(),
                "--spring.kafka.streams.state-dir=" + settings.dataDir().resolve("streams").resolve(service.name()),
                "--spring.main.banner-mode=off"));
        arguments.addAll(service.arguments());
        // Command-line arguments, because they override the application.yml inside each service's jar.
        return ServiceLauncher.builder(service.application(), service.name()).run(arguments.toArray(String[]::new));
    }

    private void awaitRunning(String name, KafkaStreamsHealth health, long deadlineNanos) {
        while (health.state() != KafkaStreams.State.RUNNING) {
            KafkaStreams.State state = health.state();
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR) {
                throw new StackFailure(name + "'s Kafka Streams client went to " + state + " while starting");
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new StackFailure("timed out after " + settings.startupTimeout().toSeconds() + " s waiting for "
                        + name + " to reach RUNNING (it is " + state + ")");
            }
            sleep(100);
        }
    }

    private void startBrokerAndRegistry() {
        ExecutorService starters = Executors.newFixedThreadPool(2, daemonThreads("tally-infra-start"));
        try {
            CompletableFuture<KafkaBrokerProcess> brokerStart = CompletableFuture.supplyAsync(() -> {
                KafkaBrokerProcess started = KafkaBrokerProcess.builder()
                        .dataDir(settings.dataDir().resolve("kafka"))
                        .brokerPort(settings.brokerPort())
                        .controllerPort(settings.controllerPort())
                        .maxHeap("512m")
                        .startupTimeout(settings.startupTimeout())
                        .start();
                progress("Kafka broker ready on %s", started.bootstrapServers());
                return started;
            }, starters);
            CompletableFuture<SchemaRegistryProcess> registryStart = CompletableFuture.supplyAsync(() -> {
                SchemaRegistryProcess started = SchemaRegistryProcess.builder()
                        .port(settings.registryPort())
                        .logFile(settings.dataDir().resolve("schema-registry.log"))
                        .startupTimeout(settings.startupTimeout())
                        .start();
                progress("Schema registry ready on %s", started.registryV2Url());
                return started;
            }, starters);
            broker = joinOrNull(brokerStart);
            registry = joinOrNull(registryStart);
            if (broker == null) {
                throw new StackFailure("the Kafka broker did not start: " + failureOf(brokerStart));
            }
            if (registry == null) {
                throw new StackFailure("the schema registry did not start: " + failureOf(registryStart));
            }
        } finally {
            starters.shutdownNow();
        }
    }

    /** Up front with single-broker settings, so no service races another to create a topic. */
    private void createTopics() {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "tally-local-admin"))) {
            admin.createTopics(Topics.newTopics(Topics.JOB_PARTITIONS, (short) 1)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new StackFailure("could not create the catalogue topics: " + e.getCause());
            }
        } catch (TimeoutException e) {
            throw new StackFailure("could not create the catalogue topics within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackFailure("interrupted while creating the catalogue topics");
        }
    }

    /** Stops the services in reverse order of start, then the broker and the registry. */
    @Override
    public void close() {
        List<String> names = new ArrayList<>(services.keySet());
        for (int i = names.size() - 1; i >= 0; i--) {
            closeQuietly(names.get(i), services.get(names.get(i)));
        }
        services.clear();
        closeQuietly("Kafka broker", broker);
        closeQuietly("schema registry", registry);
    }

    private void progress(String format, Object... args) {
        settings.progress().accept(String.format(java.util.Locale.ROOT, "  %-72s %5.1f s", String.format(format, args),
                (System.nanoTime() - startNanos) / 1e9));
    }

    private static void closeQuietly(String what, AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            System.err.println("WARNING: could not stop the " + what + " cleanly: " + e);
        }
    }

    private static <T> T joinOrNull(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String failureOf(CompletableFuture<?> future) {
        try {
            future.join();
            return "unknown reason";
        } catch (RuntimeException e) {
            return rootMessage(e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    /** Best effort: a leftover temp file must not turn a good run into a failure. */
    public static void deleteRecursively(Path dir) {
        if (dir == null || !java.nio.file.Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = java.nio.file.Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (java.io.IOException | java.io.UncheckedIOException ignored) {
            // same
        }
    }

    public static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            // A hung start must not keep the JVM alive after the command returned.
            thread.setDaemon(true);
            return thread;
        };
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackFailure("interrupted");
        }
    }

    /** A failure with a message meant for the user; no stack trace needed. */
    public static final class StackFailure extends RuntimeException {
        public StackFailure(String message) {
            super(message);
        }
    }
}
