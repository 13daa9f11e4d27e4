package io.tally.bench;

import io.tally.tracker.JobTrackerApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One job-tracker instance as its own JVM, started from this JVM's classpath exactly as it is deployed (Spring
 * Boot, its job-tracker.yml, actuator): so it can be killed with SIGKILL, and its memory is its own to measure.
 */
final class TrackerProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Process process;
    private final int port;
    private final Path stateDir;
    private final long startedAt = System.nanoTime();

    private TrackerProcess(String name, Process process, int port, Path stateDir) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.stateDir = stateDir;
    }

    /**
     * @param applicationId  the Kafka Streams application id (instances with the same id share the work)
     * @param standbyReplicas {@code num.standby.replicas}
     * @param sessionTimeout how soon the group notices a dead instance; the failover time depends on it
     */
    static TrackerProcess start(BenchEnvironment env, String name, String applicationId, Path stateDir,
                                int standbyReplicas, Duration sessionTimeout, String maxHeap) {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap,
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.tally.events",
                "-cp", System.getProperty("java.class.path"),
                JobTrackerApplication.class.getName(),
                "--spring.kafka.bootstrap-servers=" + env.bootstrap(),
                "--tally.kafka.registry-url=" + env.registryUrl(),
                "--server.port=" + port,
                "--spring.kafka.streams.application-id=" + applicationId,
                "--spring.kafka.streams.state-dir=" + stateDir,
                "--spring.kafka.streams.properties.num.standby.replicas=" + standbyReplicas,
                // Several instances on one host: each needs its own static member id.
                "--spring.kafka.streams.properties.group.instance.id=" + applicationId + "-" + name,
                "--spring.kafka.streams.properties.session.timeout.ms=" + sessionTimeout.toMillis(),
                "--spring.kafka.streams.properties.replication.factor=1",
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN"));
        try {
            Files.createDirectories(stateDir);
            Path log = stateDir.resolveSibling(name + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            return new TrackerProcess(name, process, port, stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start tracker process " + name, e);
        }
    }

    /** Seconds from start until readiness is UP (Kafka Streams RUNNING), or fails after {@code timeout}. */
    double awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new BenchEnvironment.BenchFailure(name + " exited with " + process.exitValue() + "; see its log");
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return (System.nanoTime() - startedAt) / 1e9;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BenchEnvironment.BenchFailure("interrupted");
            }
            BenchEnvironment.sleep(100);
        }
        throw new BenchEnvironment.BenchFailure(name + " was not ready within " + timeout);
    }

    /** Resident set size from /proc (Linux), in bytes: heap, metaspace, threads and RocksDB's native memory. */
    long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    long stateBytes() {
        try (Stream<Path> files = Files.walk(stateDir)) {
            return files.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    /** SIGKILL: no shutdown hook, no commit, no leave-group. */
    void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** SIGTERM: Spring's graceful shutdown closes Kafka Streams. */
    void stop() {
        process.destroy();
        waitFor();
    }

    private void waitFor() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
