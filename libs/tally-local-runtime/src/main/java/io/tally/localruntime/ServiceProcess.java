package io.tally.localruntime;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One Tally service (a Spring Boot main class) in its own JVM, started from this JVM's classpath, so a fault test or
 * the benchmark can kill it with SIGKILL ({@link #kill()}), stop it with SIGTERM ({@link #terminate(Duration)}) and start it again with
 * the same arguments, state dir and instance id ({@link #start()}).
 * Known gaps: readiness is the service's {@code /actuator/health/readiness}, which for a Spring Kafka listener does not
 * wait for its partition assignment; the HTTP port is picked free here and could in theory be taken before the child
 * binds it.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Duration READINESS_POLL = Duration.ofMillis(500);

    private final String name;
    private final String mainClass;
    private final List<String> arguments;
    private final Map<String, String> environment;
    private final Path workDir;
    private final Path logFile;
    private final String maxHeap;
    private final boolean quickStart;
    private final int port;
    private final Thread shutdownHook;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    private ServiceProcess(Builder builder) {
        this.name = builder.name;
        this.mainClass = builder.mainClass;
        this.workDir = builder.workDir;
        this.logFile = workDir.resolve(name + ".log");
        this.maxHeap = builder.maxHeap;
        this.quickStart = builder.quickStart;
        this.port = freePort();
        this.environment = new LinkedHashMap<>(builder.environment);
        this.arguments = new ArrayList<>(builder.arguments);
        this.arguments.add("--server.port=" + port);
        // A forgotten close() must not leave a service running after the JVM that started it.
        this.shutdownHook = new Thread(() -> {
            Process current = process;
            if (current != null) {
                current.destroyForcibly();
            }
        }, "tally-service-kill-" + name);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
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

    public Path logFile() {
        return logFile;
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        return Objects.requireNonNull(process, "never started").pid();
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
            Files.writeString(argFile, "-cp " + quote(System.getProperty("java.class.path")) + "\n",
                    StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx" + maxHeap));
            if (quickStart) {
                // Two shared cores: the C1-only JIT and the serial collector start a service in about half the time.
                command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
            }
            command.addAll(List.of("-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.tally.events", "@" + argFile, mainClass));
            command.addAll(arguments);
            Files.writeString(logFile, "=== start " + java.time.Instant.now() + " " + String.join(" ", arguments) + "\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("could not launch " + name, e);
        }
    }

    /** Waits until the readiness probe answers 200; fails with the log tail if the process dies or time runs out. */
    public ServiceProcess awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!isAlive()) {
                throw new IllegalStateException(name + " exited before it was ready. Log " + logFile + ":\n" + tail(60));
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                        .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return this;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            sleep(READINESS_POLL);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout + " (" + last + "). Log " + logFile
                + ":\n" + tail(60));
    }

    /** SIGKILL, as in a crash: no shutdown hook, no commit, no leave-group. */
    public synchronized void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(30));
        }
    }

    /**
     * SIGTERM, as Kubernetes sends it; returns how long the process took to exit, or {@code null} if it was still
     * running after {@code grace} (it is then killed, so the test can go on).
     */
    public synchronized Duration terminate(Duration grace) {
        if (process == null || !process.isAlive()) {
            return Duration.ZERO;
        }
        long start = System.nanoTime();
        process.destroy();
        if (awaitExit(grace)) {
            return Duration.ofNanos(System.nanoTime() - start);
        }
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
        return null;
    }

    /** The exit code of the last run, or -1 while it runs or was never started. */
    public synchronized int exitCode() {
        return process == null || process.isAlive() ? -1 : process.exitValue();
    }

    /** The last {@code lines} lines of the service's log, for failure messages. */
    public String tail(int lines) {
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long start = Math.max(0, file.length() - 24 * 1024);
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            String[] all = new String(bytes, StandardCharsets.UTF_8).split("\\R");
            return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public synchronized void close() {
        terminate(Duration.ofSeconds(30));
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway
        }
    }

    private boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .filter(command -> Files.isExecutable(Paths.get(command)))
                .orElseGet(() -> Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
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
