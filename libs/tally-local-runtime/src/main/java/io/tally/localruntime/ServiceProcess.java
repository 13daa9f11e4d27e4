package io.tally.localruntime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One Tally service (a Spring Boot main class) in its own JVM, started from this JVM's classpath, so a fault test or
 * the benchmark can kill it with SIGKILL ({@link #kill()}), stop it with SIGTERM ({@link #terminate(Duration)}) and start it again with
 * the same arguments, state dir and instance id ({@link #start()}).
 * Known gaps: readiness is the service's {@code /actuator/health/readiness}, which for a Spring Kafka listener does not
 * wait for its partition assignment; the HTTP port is picked free here and could in theory be taken before the child
 * binds it.
 */
public final class ServiceProcess extends ChildProcess {

    private static final Duration READINESS_POLL = Duration.ofMillis(500);

    private final String name;
    private final String mainClass;
    private final List<String> arguments;
    private final Map<String, String> environment;
    private final Path workDir;
    private final String maxHeap;
    private final boolean quickStart;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ServiceProcess(Builder builder) {
        super(builder.workDir.resolve(builder.name + ".log"));
        this.name = builder.name;
        this.mainClass = builder.mainClass;
        this.workDir = builder.workDir;
        this.maxHeap = builder.maxHeap;
        this.quickStart = builder.quickStart;
        this.port = ProcessSupport.freePorts(1)[0];
        this.environment = new LinkedHashMap<>(builder.environment);
        this.arguments = new ArrayList<>(builder.arguments);
        this.arguments.add("--server.port=" + port);
    }

    /** A service named {@code name} (also its log file name) whose main class is {@code mainClass}. */
    public static Builder builder(String name, String mainClass) {
        return new Builder(name, mainClass);
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    @Override
    String describe() {
        return "Service " + name + " on port " + port;
    }

    /** Launches the JVM (again, after a kill or a stop) with the same arguments; does not wait for readiness. */
    public synchronized ServiceProcess start() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        try {
            Files.createDirectories(workDir);
            Path argFile = workDir.resolve(name + ".classpath.args");
            // An @argfile: the test classpath of every service is longer than Linux allows for one argument.
            Files.writeString(argFile, "-cp " + ProcessSupport.argFileQuote(System.getProperty("java.class.path"))
                    + "\n", StandardCharsets.UTF_8);
            Files.writeString(logFile(), "=== start " + Instant.now() + " " + String.join(" ", arguments) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare " + name, e);
        }
        List<String> command = new ArrayList<>(List.of(ProcessSupport.javaExecutable(), "-Xmx" + maxHeap));
        if (quickStart) {
            // Two shared cores: the C1-only JIT and the serial collector start a service in about half the time.
            command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        }
        // The child trusts the generated classes this JVM trusts (a test's own task schemas too).
        command.addAll(List.of("-Dorg.apache.avro.SERIALIZABLE_PACKAGES="
                        + System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "io.tally"),
                "@" + workDir.resolve(name + ".classpath.args"), mainClass));
        command.addAll(arguments);
        launch(command, environment);
        return this;
    }

    /** Waits until the readiness probe answers 200; fails with the log tail if the process dies or time runs out. */
    public ServiceProcess awaitReady(Duration timeout) {
        HttpRequest readiness = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/actuator/health/readiness")).timeout(Duration.ofSeconds(3)).GET().build();
        awaitReady(timeout, READINESS_POLL, () -> {
            HttpResponse<String> response = http.send(readiness, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? null : response.statusCode() + " " + response.body();
        });
        return this;
    }

    /**
     * SIGTERM, as Kubernetes sends it; returns how long the process took to exit, or {@code null} if it was still
     * running after {@code grace} (it is then killed, so the test can go on).
     */
    public synchronized Duration terminate(Duration grace) {
        return stop(grace);
    }

    @Override
    public synchronized void close() {
        terminate(Duration.ofSeconds(30));
        forgetExitHook();
    }

    /** Options of a service process. */
    public static final class Builder {
        private final String name;
        private final String mainClass;
        private final List<String> arguments = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workDir = Path.of(System.getProperty("java.io.tmpdir"), "tally-faults");
        private String maxHeap = "384m";
        private boolean quickStart = true;

        private Builder(String name, String mainClass) {
            this.name = Objects.requireNonNull(name);
            this.mainClass = Objects.requireNonNull(mainClass);
        }

        /** Command-line arguments ({@code --key=value}); they override the service's own yml. */
        public Builder args(String... args) {
            arguments.addAll(List.of(args));
            return this;
        }

        public Builder args(List<String> args) {
            arguments.addAll(args);
            return this;
        }

        /** An environment variable of the child, e.g. {@code TALLY_INSTANCE_ID}. */
        public Builder env(String key, String value) {
            environment.put(key, value);
            return this;
        }

        /** Where the log and the classpath file go; default {@code ${java.io.tmpdir}/tally-faults}. */
        public Builder workDir(Path workDir) {
            this.workDir = Objects.requireNonNull(workDir);
            return this;
        }

        /**
         * Whether the JVM trades peak speed for start-up time (C1 only, serial GC); default true, for tests. A
         * benchmark turns it off to measure the service as deployed.
         */
        public Builder quickStart(boolean quickStart) {
            this.quickStart = quickStart;
            return this;
        }

        public Builder maxHeap(String maxHeap) {
            this.maxHeap = Objects.requireNonNull(maxHeap);
            return this;
        }

        /** Builds the handle without starting the process. */
        public ServiceProcess build() {
            return new ServiceProcess(this);
        }
    }
}
