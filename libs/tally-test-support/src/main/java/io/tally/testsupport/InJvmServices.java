package io.tally.testsupport;

import io.tally.common.config.ServiceLauncher;
import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Tally services started in the test's JVM on one broker and registry, the way an end-to-end test of a declared
 * pipeline runs the engine beside its workers: each with its own state directory and any free HTTP port, closed in
 * reverse order. The JVM keeps one logging set-up (the test's logback-test.xml), since two Spring applications would
 * each reconfigure the shared logback context. Known gap: the services share the JVM, unlike a deployment (the fault
 * suite runs them as processes).
 */
public final class InJvmServices implements AutoCloseable {

    private final String bootstrapServers;
    private final String registryUrl;
    private final Path stateDir;
    private final List<ConfigurableApplicationContext> started = new ArrayList<>();

    /**
     * @param registryUrl the registry's v2 API ({@code SchemaRegistryProcess.registryV2Url()})
     * @param stateDir    where each service keeps its Kafka Streams state, one folder per service
     */
    public InJvmServices(String bootstrapServers, String registryUrl, Path stateDir) {
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.stateDir = stateDir;
        System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
    }

    /** Creates the catalogue's topics, one replica each, as a deployment's topic set-up does before services start. */
    public static void createCatalogueTopics(String bootstrapServers)
            throws InterruptedException, ExecutionException, TimeoutException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(Topics.newTopics(Topics.JOB_PARTITIONS, (short) 1)).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** Starts a service with its config file {@code configName} and these arguments over the stack's. */
    public ConfigurableApplicationContext start(Class<?> application, String configName, String... arguments) {
        return start(application, new Class<?>[0], configName, arguments);
    }

    /** {@link #start(Class, String, String...)} with more configuration classes, such as a test's scripted adapter. */
    public ConfigurableApplicationContext start(Class<?> application, Class<?>[] extraSources, String configName,
                                                String... arguments) {
        List<String> all = new ArrayList<>(List.of(
                "--spring.kafka.bootstrap-servers=" + bootstrapServers,
                "--tally.kafka.registry-url=" + registryUrl,
                "--spring.kafka.streams.state-dir=" + stateDir.resolve(configName),
                "--server.port=0",
                "--spring.main.banner-mode=off"));
        all.addAll(List.of(arguments));
        ConfigurableApplicationContext context = ServiceLauncher.builder(application, configName)
                .sources(extraSources).registerShutdownHook(false).run(all.toArray(String[]::new));
        started.add(context);
        return context;
    }

    /** Waits until the service's Kafka Streams client is RUNNING (the engine's, before a test triggers a run). */
    public static void awaitStreamsRunning(ConfigurableApplicationContext service, Duration timeout) {
        KafkaTestClient.awaitRunning(service.getBean(KafkaStreamsHealth.class), timeout);
    }

    /** Closes the services, the last started first. */
    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        started.clear();
        System.clearProperty(LoggingSystem.SYSTEM_PROPERTY);
    }
}
