package io.tally.localruntime;

import io.tally.common.config.ServiceLauncher;
import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.tasks.ChartTasks;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * A whole Tally installation on this machine: a KRaft broker and the Apicurio registry as child processes, and the
 * chosen services as Spring applications in this JVM. Used by {@code tally demo}, {@code tally dev} and the
 * end-to-end test, so all three run the same code; {@code tally bench} (tools/tally-bench) uses it too. Known gap: one broker, so replication factor 1 everywhere.
 */
public final class LocalStack implements AutoCloseable {

    /**
     * A service to start: its name (also its configuration file, {@code <name>.yml}), its application class, its HTTP
     * port (0 = any free port), its own arguments, and settings that sit below the environment variables but above
     * the service's own {@code <name>.yml} (the stack's defaults and a {@code tally dev --config} file), so a user's
     * environment can still change them and the jar's defaults cannot.
     */
    public record Service(String name, Class<?> application, int port, List<String> arguments,
                          Map<String, Object> settings) {

        /** A service without settings of its own. */
        public Service(String name, Class<?> application, int port, List<String> arguments) {
            this(name, application, port, arguments, Map.of());
        }
    }

    /**
     * Where the stack runs, where the broker and registry logs go ({@code broker.log}, {@code schema-registry.log}
     * in {@code logDir}) and how it reports progress.
     */
    public record Settings(Path dataDir, int brokerPort, int controllerPort, int registryPort, Duration startupTimeout,
                    Consumer<String> progress, Path logDir, boolean lasting) {

        /**
         * A throwaway stack: the registry keeps its schemas in memory. (With {@code lasting}, the registry keeps them
         * in an H2 file database under {@code dataDir/registry}, so a stack restarted on the same data dir reads what
         * it wrote before; ADR 0014.)
         */
        public Settings(Path dataDir, int brokerPort, int controllerPort, int registryPort, Duration startupTimeout,
                        Consumer<String> progress, Path logDir) {
            this(dataDir, brokerPort, controllerPort, registryPort, startupTimeout, progress, logDir, false);
        }

        /** Logs in the data dir. */
        public Settings(Path dataDir, int brokerPort, int controllerPort, int registryPort, Duration startupTimeout,
                        Consumer<String> progress) {
            this(dataDir, brokerPort, controllerPort, registryPort, startupTimeout, progress, dataDir);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    /** How long the children's own exit hooks wait for {@link #close()} to stop the services first. */
    private static final Duration CHILD_EXIT_GRACE = Duration.ofSeconds(30);

    private final Settings settings;
    private final long startNanos = System.nanoTime();
    private KafkaBrokerProcess broker;
    private SchemaRegistryProcess registry;
    private final Map<String, ConfigurableApplicationContext> services = new LinkedHashMap<>();
    private final Map<String, Duration> startupTimes = new LinkedHashMap<>();
    private final Thread stopHook = new Thread(this::close, "tally-local-stack-stop");
    private boolean closed;

    private LocalStack(Settings settings) {
        this.settings = settings;
        // Ctrl-C or SIGTERM: services first, while the broker can still take their last commits, then the children.
        Runtime.getRuntime().addShutdownHook(stopHook);
    }

    /**
     * Starts broker and registry in parallel, registers the catalogue's contracts as soon as the registry is up (so no
     * two services race to register the same schema on first use), then creates the catalogue topics.
     */
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

    /** How long each step of the start took, in order: broker, registry, topics, contracts, each service. */
    public synchronized Map<String, Duration> startupTimes() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(startupTimes));
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
                starts.put(service.name(), CompletableFuture.supplyAsync(() -> timed("service " + service.name(),
                        () -> startService(service)), starters));
            }
            List<String> failures = new ArrayList<>();
            starts.forEach((name, start) -> {
                try {
                    services.put(name, start.join());
                } catch (RuntimeException e) {
                    failures.add(name + ": " + rootMessage(e));
                    LOG.error("{} did not start", name, e);
                }
            });
            if (!failures.isEmpty()) {
                throw new StackFailure("services did not start: " + String.join("; ", failures));
            }
        } finally {
            starters.shutdownNow();
        }
        long deadline = startNanos + settings.startupTimeout().toNanos();
        timed("Kafka Streams RUNNING", () -> {
            services.forEach((name, context) -> context.getBeansOfType(KafkaStreamsHealth.class).values()
                    .forEach(health -> awaitRunning(name, health, deadline)));
            return null;
        });
        LOG.info("Start-up steps (parallel steps overlap): {}", startupTimes());
        progress("%d services running: %s", services.size(), String.join(", ", services.keySet()));
    }

    private ConfigurableApplicationContext startService(Service service) {
        List<String> arguments = new ArrayList<>(List.of(
                "--spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                "--tally.kafka.registry-url=" + registry.registryV2Url(),
                "--server.port=" + service.port(),
                "--spring.kafka.streams.state-dir=" + settings.dataDir().resolve("streams").resolve(service.name()),
                "--spring.main.banner-mode=off",
                // createTopics() did it once for all; eight services repeating it only slowed their start. A worker's
                // retry topics are named after its own back-off, so only the worker can create them.
                "--tally.kafka.create-topics=false", "--tally.worker.create-topics=true"));
        arguments.addAll(service.arguments());
        // Command-line arguments, because they override the application.yml inside each service's jar.
        // No shutdown hook of Spring's own: close() stops the services, and only then the broker they write to.
        // Config data (the jar's <name>.yml) is added after the sources an environment already has, so these settings
        // rank below the command line and the environment variables and above the service's own defaults.
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addLast(new MapPropertySource("tallyStackSettings", service.settings()));
        return ServiceLauncher.builder(service.application(), service.name()).registerShutdownHook(false)
                .environment(environment)
                .run(arguments.toArray(String[]::new));
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
                KafkaBrokerProcess started = timed("broker", () -> KafkaBrokerProcess.builder()
                        .dataDir(settings.dataDir().resolve("kafka"))
                        .logFile(settings.logDir().resolve("broker.log"))
                        .brokerPort(settings.brokerPort())
                        .controllerPort(settings.controllerPort())
                        .maxHeap("512m")
                        .startupTimeout(settings.startupTimeout())
                        .start());
                started.exitGrace(CHILD_EXIT_GRACE);
                progress("Kafka broker ready on %s", started.bootstrapServers());
                return started;
            }, starters);
            CompletableFuture<SchemaRegistryProcess> registryStart = CompletableFuture.supplyAsync(() -> {
                SchemaRegistryProcess.Builder builder = SchemaRegistryProcess.builder();
                if (settings.lasting()) {
                    builder.storageDir(settings.dataDir().resolve("registry"));
                }
                SchemaRegistryProcess started = timed("registry", () -> builder
                        .port(settings.registryPort())
                        .logFile(settings.logDir().resolve("schema-registry.log"))
                        .startupTimeout(settings.startupTimeout())
                        .start());
                started.exitGrace(CHILD_EXIT_GRACE);
                progress("Schema registry ready on %s", started.registryV2Url());
                return started;
            }, starters);
            // While the broker is still starting: the registry is usually ready first.
            CompletableFuture<Void> contracts = registryStart.thenAcceptAsync(this::registerContracts, starters);
            broker = joinOrNull(brokerStart);
            registry = joinOrNull(registryStart);
            if (broker == null) {
                throw new StackFailure("the Kafka broker did not start: " + failureOf(brokerStart));
            }
            if (registry == null) {
                throw new StackFailure("the schema registry did not start: " + failureOf(registryStart));
            }
            if (joinOrNull(contracts.thenApply(done -> Boolean.TRUE)) == null) {
                throw new StackFailure("could not register the contracts: " + failureOf(contracts));
            }
        } finally {
            starters.shutdownNow();
        }
    }

    /** Up front with single-broker settings, so no service races another to create a topic. */
    private void createTopics() {
        timed("topics", () -> {
            createCatalogueTopics();
            return null;
        });
    }

    /**
     * Every contract once, before any producer: Apicurio 2.4 fails all but one of several simultaneous first
     * registrations of a schema, which the services would otherwise attempt (several search workers at once), and
     * simultaneous first registrations of different schemas collide in its H2 storage (each collision counts against
     * its liveness). The catalogue's and the chart pipeline's task contracts, so the workers find theirs.
     */
    private void registerContracts(SchemaRegistryProcess started) {
        List<String> artifacts = timed("contracts", () -> {
            AvroSerdes serdes = AvroSerdes.forRegistry(started.registryV2Url(), true);
            List<String> registered = new ArrayList<>(serdes.registerContracts(Topics.ALL));
            ChartTasks.ALL.forEach(task -> registered.addAll(serdes.registerTaskContract(task.type(), task.input(),
                    task.output())));
            return registered;
        });
        LOG.info("Registered {} contracts: {}", artifacts.size(), artifacts);
    }

    private void createCatalogueTopics() {
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

    /**
     * Stops the services (in parallel: each waits for its Kafka clients to close), then the registry and the broker,
     * so no producer is left retrying against a broker that is gone. Idempotent; also runs at JVM exit.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long start = System.nanoTime();
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        services.forEach((name, context) -> stops.add(CompletableFuture.runAsync(() -> closeQuietly(name, context),
                runnable -> new Thread(runnable, "tally-stop-" + name).start())));
        stops.forEach(CompletableFuture::join);
        services.clear();
        LOG.info("Services stopped in {} ms", (System.nanoTime() - start) / 1_000_000);
        closeQuietly("schema registry", registry);
        closeQuietly("Kafka broker", broker);
        LOG.info("Stack stopped in {} ms", (System.nanoTime() - start) / 1_000_000);
        try {
            Runtime.getRuntime().removeShutdownHook(stopHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // this is the hook, or it runs next and finds the stack closed
        }
    }

    private <T> T timed(String step, java.util.function.Supplier<T> action) {
        long start = System.nanoTime();
        try {
            return action.get();
        } finally {
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            synchronized (this) {
                startupTimes.put(step, took);
            }
            LOG.info("Start-up step {} took {} ms", step, took.toMillis());
        }
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
            LOG.warn("Could not stop the {} cleanly", what, e);
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
