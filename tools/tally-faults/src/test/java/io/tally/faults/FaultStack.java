package io.tally.faults;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.localruntime.KafkaBrokerProcess;
import io.tally.localruntime.SchemaRegistryProcess;
import io.tally.localruntime.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The real infrastructure of a fault test: a KRaft broker in its own process (so it can be stopped and restarted),
 * the shared Apicurio registry process, the catalogue topics, and the services as child JVMs ({@link ServiceProcess}).
 * Known gap: one broker, replication factor 1, so a broker restart is an outage, not a fail-over.
 */
final class FaultStack implements AutoCloseable {

    static final Duration STARTUP = Duration.ofMinutes(4);

    final Path dir;
    final Path logs;
    final KafkaBrokerProcess broker;
    final SchemaRegistryProcess registry;
    final AvroSerdes serdes;
    private final List<ServiceProcess> services = new ArrayList<>();

    private FaultStack(Path dir) {
        this.dir = dir;
        // Logs outside the temp dir, so they survive the test for a post-mortem of a failed run.
        this.logs = Path.of("target", "fault-logs", dir.getFileName().toString()).toAbsolutePath();
        this.broker = KafkaBrokerProcess.builder().dataDir(dir.resolve("kafka")).logFile(logs.resolve("broker.log"))
                .maxHeap("512m").start();
        this.registry = SchemaRegistryProcess.shared();
        this.serdes = AvroSerdes.forRegistry(registry.registryV2Url(), true);
        try (Admin admin = admin()) {
            admin.createTopics(Topics.newTopics(Topics.JOB_PARTITIONS, (short) 1)).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            broker.close();
            throw new IllegalStateException("could not create the catalogue topics", e);
        }
    }

    static FaultStack start(Path dir) {
        return new FaultStack(dir);
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /**
     * A service child JVM with the stack's broker and registry, its own state dir and static-membership instance id
     * (both derived from {@code instance}, so a restart finds its state and takes its partitions back).
     */
    ServiceProcess service(String instance, Class<?> application, String configName, String... args) {
        List<String> all = new ArrayList<>(List.of(
                "--spring.config.name=" + configName,
                "--spring.kafka.bootstrap-servers=" + bootstrapServers(),
                "--tally.kafka.registry-url=" + registry.registryV2Url(),
                "--spring.kafka.streams.state-dir=" + dir.resolve("state").resolve(instance),
                "--spring.kafka.streams.properties.group.instance.id=" + instance,
                "--spring.main.banner-mode=off"));
        all.addAll(List.of(args));
        ServiceProcess service = ServiceProcess.builder(instance, application.getName())
                .workDir(logs)
                .env("TALLY_INSTANCE_ID", instance)
                .env("HOSTNAME", instance)
                .args(all)
                .build();
        services.add(service);
        return service;
    }

    /** Starts the services at once (their starts are mostly waiting) and waits until each is ready. */
    static void startAll(List<ServiceProcess> toStart) {
        toStart.forEach(ServiceProcess::start);
        List<CompletableFuture<ServiceProcess>> ready = toStart.stream()
                .map(service -> CompletableFuture.supplyAsync(() -> service.awaitReady(STARTUP))).toList();
        ready.forEach(CompletableFuture::join);
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "tally-faults-admin"));
    }

    /** An idempotent Avro producer that keeps retrying through a broker restart; the caller closes it. */
    KafkaProducer<String, SpecificRecord> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000, ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), serdes.serializer());
    }

    /** A producer of raw bytes, for poison records and for re-sending records as they were; the caller closes it. */
    KafkaProducer<String, byte[]> rawProducer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    ExactlyOnceChecker checker(Path playlistDir, Path outboxDir) {
        return new ExactlyOnceChecker(bootstrapServers(), serdes, playlistDir, outboxDir);
    }

    /** SIGTERMs the services (reverse start order), then stops the broker; the shared registry stays. */
    @Override
    public void close() {
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        broker.close();
    }
}
