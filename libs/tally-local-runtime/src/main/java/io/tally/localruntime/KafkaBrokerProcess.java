package io.tally.localruntime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node KRaft Kafka broker (combined broker + controller) in its own OS process, for tests that need
 * a broker that can be killed and restarted, and for local runs ({@code ./tally demo}).
 * It launches {@code kafka.Kafka} from this JVM's classpath (or {@link Builder#classpath(String)}), which therefore
 * must contain {@code kafka_2.13} and {@code kafka-tools}.
 * Known gaps: a Spring Boot fat jar's {@code java.class.path} is just the fat jar, so pass the classpath explicitly
 * there; without an SLF4J binding on that classpath the broker log is nearly empty.
 */
public final class KafkaBrokerProcess extends ChildProcess {

    static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(30);

    private final Path dataDir;
    private final boolean ownsDataDir;
    private final int brokerPort;
    private final int controllerPort;
    private final String classpath;
    private final String maxHeap;
    private final Duration startupTimeout;
    private final Map<String, String> extraProperties;
    private boolean closed;

    private KafkaBrokerProcess(Builder builder, Path dataDir, boolean ownsDataDir, int[] ports, Path logFile) {
        super(logFile);
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.brokerPort = ports[0];
        this.controllerPort = ports[1];
        this.classpath = builder.classpath != null ? builder.classpath : System.getProperty("java.class.path");
        this.maxHeap = builder.maxHeap;
        this.startupTimeout = builder.startupTimeout;
        this.extraProperties = new LinkedHashMap<>(builder.extraProperties);
    }

    /** Starts a broker on free loopback ports with a fresh temp data dir that {@link #close()} deletes. */
    public static KafkaBrokerProcess start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code 127.0.0.1:PORT}; unchanged across {@link #restart()}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    String describe() {
        return "Kafka broker on " + bootstrapServers();
    }

    /** Graceful stop (SIGTERM, up to 30 s, then SIGKILL); data is kept and {@link #restart()} brings it back. */
    public synchronized void stop() {
        stop(GRACEFUL_STOP);
    }

    /**
     * SIGKILL, as in a crash: no controlled shutdown, no flush beyond what the OS already has.
     * The following {@link #restart()} takes about {@code broker.session.timeout.ms} (default 9 s) longer than a
     * normal start, because the controller waits for the dead incarnation's session to expire.
     */
    @Override
    public synchronized void kill() {
        super.kill();
    }

    /** Starts the broker again on the same ports and data dir, without reformatting; stops it first if running. */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("This broker was closed; build a new one");
        }
        stop();
        launch();
        awaitReady();
    }

    /** Graceful stop, then deletes the data dir if this object created it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        forgetExitHook();
        if (ownsDataDir) {
            deleteRecursively(dataDir);
        }
    }

    private synchronized void abandon() {
        closed = true;
        stop(Duration.ofSeconds(5));
        forgetExitHook();
    }

    private Path serverProperties() {
        return dataDir.resolve("server.properties");
    }

    private Path logDir() {
        return dataDir.resolve("kafka-logs");
    }

    private void writeConfiguration() throws IOException {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        props.put("log.dirs", logDir().toString());
        props.put("num.partitions", "6");
        // Topics are created explicitly, as in production; a typo must not silently create a topic.
        props.put("auto.create.topics.enable", "false");
        // One node: every replicated internal topic must accept a single replica.
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        // Share groups (KIP-932) need nothing else on a 4.2 broker formatted by 4.2's StorageTool: share.version=1 is
        // the latest production level and on by default. Only the floor of the share session timeout is lowered, from
        // 45 s to the 6 s that classic groups allow (group.min.session.timeout.ms), so that a share group can be
        // configured to notice a dead worker as soon as a consumer group does (group config share.session.timeout.ms).
        props.put("group.share.min.session.timeout.ms", "6000");
        // The default 3 s delay only helps clusters where many members join at once; tests want the first poll.
        props.put("group.initial.rebalance.delay.ms", "0");
        // A killed EOS instance leaves its transaction open, and read_committed readers wait until the coordinator
        // aborts it: after transaction.timeout.ms, checked every this-many ms (10 s by default). docs/benchmarks.md
        // shows what that adds to a failover.
        props.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        props.putAll(extraProperties);
        StringBuilder text = new StringBuilder("# written by io.tally.localruntime.KafkaBrokerProcess\n");
        props.forEach((key, value) -> text.append(key).append('=').append(escape(value)).append('\n'));
        Files.writeString(serverProperties(), text.toString(), StandardCharsets.UTF_8);

        // Both backends get an INFO config: logback's default is DEBUG to the console, far too much for a broker.
        Files.writeString(dataDir.resolve("log4j2.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.stdout.ref = STDOUT",
                "appender.stdout.type = Console",
                "appender.stdout.name = STDOUT",
                "appender.stdout.layout.type = PatternLayout",
                "appender.stdout.layout.pattern = [%d] %p %m (%c)%n",
                "logger.kafka.name = kafka",
                "logger.kafka.level = INFO",
                "logger.state.name = state.change.logger",
                "logger.state.level = WARN",
                ""), StandardCharsets.UTF_8);
        Files.writeString(dataDir.resolve("logback.xml"), String.join("\n",
                "<configuration>",
                "  <appender name=\"STDOUT\" class=\"ch.qos.logback.core.ConsoleAppender\">",
                "    <encoder><pattern>[%d] %level %msg \\(%logger\\)%n</pattern></encoder>",
                "  </appender>",
                "  <logger name=\"state.change.logger\" level=\"WARN\"/>",
                "  <root level=\"INFO\"><appender-ref ref=\"STDOUT\"/></root>",
                "</configuration>",
                ""), StandardCharsets.UTF_8);

        // An @argfile, because a real application classpath can exceed Linux's 128 KiB limit for one argument.
        Files.writeString(dataDir.resolve("classpath.args"),
                "-cp " + ProcessSupport.argFileQuote(classpath) + "\n", StandardCharsets.UTF_8);
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\");
    }

    private List<String> javaCommand(String heap, String mainClass) {
        List<String> command = new ArrayList<>();
        command.add(ProcessSupport.javaExecutable());
        command.add("-Xmx" + heap);
        command.add("-Dlog4j2.configurationFile=" + dataDir.resolve("log4j2.properties"));
        command.add("-Dlogback.configurationFile=" + dataDir.resolve("logback.xml"));
        command.add("@" + dataDir.resolve("classpath.args"));
        command.add(mainClass);
        return command;
    }

    private void formatIfNeeded() {
        if (Files.exists(logDir().resolve("meta.properties"))) {
            return;
        }
        // Same as `kafka-storage.sh random-uuid`, without paying for a JVM start.
        String clusterId = Uuid.randomUuid().toString();
        List<String> command = javaCommand("256m", "kafka.tools.StorageTool");
        command.addAll(List.of("format", "-t", clusterId, "-c", serverProperties().toString(), "--standalone"));
        try {
            Process format = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                    .start();
            if (!format.waitFor(startupTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                format.destroyForcibly();
                throw failure("storage format did not finish within " + startupTimeout.toSeconds() + " s");
            }
            if (format.exitValue() != 0) {
                throw failure("storage format exited with code " + format.exitValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while formatting Kafka storage", e);
        }
    }

    private void launch() {
        try {
            writeConfiguration();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the Kafka broker configuration", e);
        }
        formatIfNeeded();
        List<String> command = javaCommand(maxHeap, "kafka.Kafka");
        command.add(serverProperties().toString());
        launch(command, Map.of());
    }

    private void awaitReady() {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.CLIENT_ID_CONFIG, "tally-broker-readiness");
        Admin[] admin = new Admin[1];
        try {
            awaitReady(startupTimeout, Duration.ofMillis(100), () -> {
                // Wait for the listener before creating a client: an Admin polling a closed port logs a warning per
                // retry.
                if (admin[0] == null) {
                    if (!portOpen()) {
                        return "broker port not open yet";
                    }
                    admin[0] = Admin.create(config);
                }
                try {
                    Collection<Node> nodes = admin[0].describeCluster().nodes().get(3, TimeUnit.SECONDS);
                    return nodes.isEmpty() ? "describeCluster returned no nodes" : null;
                } catch (ExecutionException | TimeoutException e) {
                    return e.toString();
                }
            });
        } finally {
            if (admin[0] != null) {
                admin[0].close();
            }
        }
    }

    private boolean portOpen() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", brokerPort), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // best effort: a leftover temp dir is not worth failing a test for
                }
            });
        } catch (IOException ignored) {
            // same
        }
    }

    /**
     * The broker and controller ports a formatted data dir was last started with (from its server.properties), or null
     * when the dir holds no formatted log.
     */
    static int[] formattedPorts(Path dataDir) {
        Path properties = dataDir.resolve("server.properties");
        if (!Files.exists(dataDir.resolve("kafka-logs").resolve("meta.properties")) || !Files.exists(properties)) {
            return null;
        }
        java.util.Properties server = new java.util.Properties();
        try (var reader = Files.newBufferedReader(properties, StandardCharsets.UTF_8)) {
            server.load(reader);
        } catch (IOException e) {
            return null;
        }
        java.util.regex.Matcher listeners = java.util.regex.Pattern
                .compile("PLAINTEXT://[^:]+:(\\d+),CONTROLLER://[^:]+:(\\d+)")
                .matcher(server.getProperty("listeners", ""));
        return listeners.find()
                ? new int[] {Integer.parseInt(listeners.group(1)), Integer.parseInt(listeners.group(2))}
                : null;
    }

    /** Options for a broker process; every option has a default. */
    public static final class Builder {
        private Path dataDir;
        private int brokerPort;
        private int controllerPort;
        private Path logFile;
        private String classpath;
        private String maxHeap = "1g";
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private final Map<String, String> extraProperties = new LinkedHashMap<>();

        private Builder() {
        }

        /** Where server.properties and the Kafka logs live; kept by {@link #close()}. Default: a temp dir, deleted. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Client listener port on 127.0.0.1; 0 (default) picks a free one. */
        public Builder brokerPort(int brokerPort) {
            this.brokerPort = brokerPort;
            return this;
        }

        /** KRaft controller port on 127.0.0.1; 0 (default) picks a free one. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = controllerPort;
            return this;
        }

        /** Where the broker's stdout and stderr go (appended); default {@code broker.log} in the data dir. */
        public Builder logFile(Path logFile) {
            this.logFile = logFile;
            return this;
        }

        /** Classpath holding kafka_2.13 and kafka-tools; default this JVM's {@code java.class.path}. */
        public Builder classpath(String classpath) {
            this.classpath = classpath;
            return this;
        }

        /** The broker's {@code -Xmx}; default {@code 1g}. */
        public Builder maxHeap(String maxHeap) {
            this.maxHeap = Objects.requireNonNull(maxHeap);
            return this;
        }

        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = Objects.requireNonNull(startupTimeout);
            return this;
        }

        /** Adds or overrides one server.properties entry. */
        public Builder brokerProperty(String key, String value) {
            extraProperties.put(key, value);
            return this;
        }

        public Builder brokerProperties(Map<String, String> properties) {
            extraProperties.putAll(properties);
            return this;
        }

        public KafkaBrokerProcess start() {
            boolean owns = dataDir == null;
            Path dir;
            Path log;
            try {
                dir = owns ? Files.createTempDirectory("tally-kafka-") : Files.createDirectories(dataDir);
                log = logFile != null ? logFile : dir.resolve("broker.log");
                if (log.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(log.toAbsolutePath().getParent());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Could not prepare the Kafka data dir", e);
            }
            int[] ports = ProcessSupport.freePorts(2);
            int[] previous = formattedPorts(dir);
            // A formatted KRaft log remembers its controller's endpoint, so a kept data dir keeps its ports: "any port"
            // means the previous ones, and another controller port would leave the broker waiting for a quorum.
            if (previous != null && controllerPort > 0 && controllerPort != previous[1]) {
                throw new IllegalStateException("the Kafka data in " + dir + " was created with controller port "
                        + previous[1] + ", not " + controllerPort + "; start with the same ports, or start fresh");
            }
            int[] chosen = {
                brokerPort > 0 ? brokerPort : previous != null ? previous[0] : ports[0],
                controllerPort > 0 ? controllerPort : previous != null ? previous[1] : ports[1]
            };
            KafkaBrokerProcess broker = new KafkaBrokerProcess(this, dir.toAbsolutePath(), owns, chosen,
                    log.toAbsolutePath());
            try {
                synchronized (broker) {
                    broker.launch();
                    broker.awaitReady();
                }
            } catch (RuntimeException e) {
                // Keep the data dir and log: the exception names the log file.
                broker.abandon();
                throw e;
            }
            return broker;
        }
    }
}
