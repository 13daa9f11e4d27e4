package io.tally.localruntime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A real Apicurio Registry 2.4.2 (module {@code tools/apicurio-registry}) running as a child process, for tests and
 * local runs: Apicurio's v2 API and the Confluent-compatible ccompat v7 API on a loopback port; storage in memory, or
 * in an H2 file with {@link Builder#storageDir(Path)}. Known gap: the jar must have been built beforehand.
 */
public final class SchemaRegistryProcess extends ChildProcess {

    /** System property naming the registry's {@code quarkus-run.jar}; the parent pom's surefire config sets it. */
    public static final String JAR_PROPERTY = "tally.registry.app";
    /** Environment variable naming the registry's {@code quarkus-run.jar}, for runs outside Maven. */
    public static final String JAR_ENV = "TALLY_REGISTRY_APP";
    static final String JAR_RELATIVE_PATH = "tools/apicurio-registry/target/quarkus-app/quarkus-run.jar";
    static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private static final Object SHARED_LOCK = new Object();
    private static SchemaRegistryProcess shared;
    private static RuntimeException sharedFailure;

    private final int port;
    private final boolean isShared;

    private SchemaRegistryProcess(int port, Path logFile, boolean isShared) {
        super(logFile);
        this.port = port;
        this.isShared = isShared;
    }

    /** Starts a registry on a free loopback port with the default settings. */
    public static SchemaRegistryProcess start() {
        return builder().start();
    }

    /**
     * The one registry of this JVM, started on first use and stopped by its shutdown hook.
     * The shutdown hook (not a test callback) stops it because Spring's test context cache closes cached contexts
     * only at JVM exit; a registry stopped earlier breaks the context shutdown (serde clients still talk to it).
     * {@link #close()} on the shared instance does nothing. A failed start is remembered so that later tests fail
     * at once instead of each waiting for the timeout.
     */
    public static SchemaRegistryProcess shared() {
        synchronized (SHARED_LOCK) {
            if (sharedFailure != null) {
                throw new IllegalStateException("The shared schema registry failed to start earlier", sharedFailure);
            }
            if (shared == null) {
                try {
                    shared = builder().startShared();
                } catch (RuntimeException e) {
                    sharedFailure = e;
                    throw e;
                }
            }
            return shared;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Apicurio's native API, what the Apicurio serde's {@code apicurio.registry.url} takes. */
    public String registryV2Url() {
        return baseUrl() + "/apis/registry/v2";
    }

    /** The Confluent-compatible API, for Confluent clients and tools. */
    public String ccompatUrl() {
        return baseUrl() + "/apis/ccompat/v7";
    }

    public int port() {
        return port;
    }

    @Override
    String describe() {
        return "Schema registry on port " + port;
    }

    /** Stops the registry (SIGTERM, then SIGKILL after a few seconds); a no-op for {@link #shared()}. */
    @Override
    public void close() {
        if (!isShared) {
            stop(Duration.ofSeconds(5));
            forgetExitHook();
        }
    }

    /**
     * Finds the packaged registry: system property {@value #JAR_PROPERTY}, environment variable {@value #JAR_ENV},
     * then {@value #JAR_RELATIVE_PATH} in the working directory or any of its parents.
     */
    public static Path locateJar() {
        List<String> tried = new ArrayList<>();
        for (String configured : new String[] {System.getProperty(JAR_PROPERTY), System.getenv(JAR_ENV)}) {
            if (configured != null && !configured.isBlank()) {
                Path jar = Paths.get(configured).toAbsolutePath().normalize();
                if (Files.isRegularFile(jar)) {
                    return jar;
                }
                tried.add(jar.toString());
            }
        }
        Optional<Path> found = walkUpFor(Paths.get("").toAbsolutePath(), tried);
        return found.orElseThrow(() -> new IllegalStateException(missingJarMessage(tried)));
    }

    private static Optional<Path> walkUpFor(Path start, List<String> tried) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(JAR_RELATIVE_PATH);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        tried.add(JAR_RELATIVE_PATH + " in " + start + " and its parents");
        return Optional.empty();
    }

    static String missingJarMessage(List<String> tried) {
        return "The Apicurio Registry jar was not found (looked at: " + String.join(", ", tried) + "). "
                + "Build it with ./mvnw -pl tools/apicurio-registry package, or point -D" + JAR_PROPERTY
                + " / $" + JAR_ENV + " at quarkus-run.jar.";
    }

    /** Options for a registry process; every option has a default. */
    public static final class Builder {
        private Path jar;
        private int port;
        private Path logFile;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private final List<String> jvmArgs = new ArrayList<>();
        private Path storageDir;

        private Builder() {
        }

        /** The {@code quarkus-run.jar}; default {@link #locateJar()}. */
        public Builder jar(Path jar) {
            this.jar = jar;
            return this;
        }

        /** The HTTP port on 127.0.0.1; 0 (default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Where the child's stdout and stderr go; default a temp file. */
        public Builder logFile(Path logFile) {
            this.logFile = logFile;
            return this;
        }

        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = Objects.requireNonNull(startupTimeout);
            return this;
        }

        /** Extra JVM options, e.g. {@code -Dregistry.ccompat.legacy-id-mode.enabled=true}. */
        public Builder jvmArg(String arg) {
            jvmArgs.add(arg);
            return this;
        }

        /**
         * Keeps the schemas in an H2 file database in this folder ({@code registry_db.mv.db}) instead of in memory, so
         * a registry started again on the same folder still resolves the ids it gave out. Default: in memory.
         */
        public Builder storageDir(Path storageDir) {
            this.storageDir = storageDir;
            return this;
        }

        public SchemaRegistryProcess start() {
            return start(false);
        }

        private SchemaRegistryProcess startShared() {
            return start(true);
        }

        private SchemaRegistryProcess start(boolean isShared) {
            Path jarToRun = jar != null ? jar : locateJar();
            if (!Files.isRegularFile(jarToRun)) {
                throw new IllegalStateException(missingJarMessage(List.of(jarToRun.toString())));
            }
            int portToUse = port > 0 ? port : ProcessSupport.freePorts(1)[0];
            Path log = logFile;
            try {
                if (log == null) {
                    log = Files.createTempFile("tally-schema-registry-", ".log");
                } else if (log.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(log.toAbsolutePath().getParent());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Could not create the registry log file", e);
            }
            List<String> command = new ArrayList<>();
            command.add(ProcessSupport.javaExecutable());
            // Small heap and serial GC: the registry is idle most of the time and CI machines have 2 cores.
            command.add("-Xmx256m");
            command.add("-XX:+UseSerialGC");
            command.add("-Dquarkus.http.port=" + portToUse);
            command.add("-Dquarkus.http.host=127.0.0.1");
            // As every Tally registry must be set up (docs/schema-evolution.md): a new version of a contract must read
            // the data of the previous one, so consumers can upgrade after producers.
            command.add("-Dregistry.rules.global.compatibility=BACKWARD");
            command.addAll(jvmArgs);
            command.add("-jar");
            command.add(jarToRun.toString());
            SchemaRegistryProcess registry = new SchemaRegistryProcess(portToUse, log, isShared);
            Map<String, String> environment = Map.of();
            if (storageDir != null) {
                try {
                    Files.createDirectories(storageDir);
                } catch (IOException e) {
                    throw new UncheckedIOException("Could not create the registry storage dir " + storageDir, e);
                }
                // Apicurio 2.4's default datasource is H2 in memory (jdbc:h2:mem:registry_db); this variable is the
                // documented switch to any JDBC URL, here an H2 file.
                environment = Map.of("REGISTRY_DATASOURCE_URL",
                        "jdbc:h2:file:" + storageDir.toAbsolutePath().resolve("registry_db"));
            }
            registry.launch(command, environment);
            registry.awaitReady(startupTimeout);
            return registry;
        }
    }

    private void awaitReady(Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(baseUrl() + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        awaitReady(timeout, Duration.ofMillis(200), () -> {
            int status = client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status == 200 ? null : "/health/ready answered " + status;
        });
    }
}
