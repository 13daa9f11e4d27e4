package io.tally.examples.nodeworker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The example's {@code node worker.js} as a child process of the test JVM: checks that {@code node} and {@code npm}
 * are there (skipped with a warning when not, unless {@code -Dtally.node-tests=required}), installs the committed
 * lock file with {@code npm ci} once, starts the worker with its settings in the environment, waits for lines of its
 * output (such as {@code ready:}), and kills it on {@link #close} and on JVM exit. Its output goes to
 * {@code target/node-worker.log}, which the tests read. Known gap: {@code npm ci} needs the npm registry or a warm
 * npm cache ({@code ~/.npm}); it does not work fully offline on a fresh machine.
 */
final class NodeWorkerProcess implements AutoCloseable {

    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path LOG = MODULE.resolve("target").resolve("node-worker.log");
    private static final Path NPM_LOG = MODULE.resolve("target").resolve("npm-ci.log");
    /** Written when the Node tests are skipped, removed when they run; like jobs-api's browser-tests marker. */
    static final Path SKIPPED_MARKER = MODULE.resolve("target").resolve("node-tests-skipped.txt");
    private static final String REQUIRED = "required";
    private static final Duration INSTALL = Duration.ofMinutes(5);

    private final Process process;
    private final Thread killer;

    private NodeWorkerProcess(Process process) {
        this.process = process;
        // A JVM that ends without @AfterAll (Ctrl-C, a crashed fork) must not leave a worker consuming behind it.
        this.killer = new Thread(process::destroyForcibly, "node-worker-killer");
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /**
     * Skips the calling test class (one warning line on stderr) when {@code node} or {@code npm} cannot be run, or
     * fails it with {@code -Dtally.node-tests=required}.
     */
    static void assumeNodeAndNpm() {
        assumeTools(List.of("node", "npm"));
    }

    /** {@link #assumeNodeAndNpm} for any commands, each run with {@code --version}. */
    static void assumeTools(List<String> tools) {
        for (String tool : tools) {
            if (!runs(tool, "--version")) {
                String message = "Node tests need " + tool + " on the PATH (apt-get install nodejs npm)";
                if (REQUIRED.equals(System.getProperty("tally.node-tests"))) {
                    throw new IllegalStateException(message + "; -Dtally.node-tests=required does not let them skip");
                }
                String warning = "NODE TESTS SKIPPED: " + message + " (-Dtally.node-tests=required makes this a failure)";
                System.err.println(warning);
                marker(warning + "\n");
                Assumptions.abort(message);
            }
        }
        marker(null);
    }

    /** Leaves (or, with null, removes) {@link #SKIPPED_MARKER}, for a build step that repeats the warning at the end. */
    private static void marker(String reason) {
        try {
            if (reason == null) {
                Files.deleteIfExists(SKIPPED_MARKER);
            } else {
                Files.createDirectories(SKIPPED_MARKER.getParent());
                Files.writeString(SKIPPED_MARKER, reason, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + SKIPPED_MARKER, e);
        }
    }

    /** {@code npm ci} from the committed package-lock.json, preferring the local npm cache; fails on any error. */
    static void installDependencies() throws IOException, InterruptedException {
        Files.createDirectories(NPM_LOG.getParent());
        // --ignore-scripts: no dependency needs an install script, and none should run on a build machine.
        Process npm = new ProcessBuilder("npm", "ci", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund")
                .directory(MODULE.toFile()).redirectErrorStream(true).redirectOutput(NPM_LOG.toFile()).start();
        if (!npm.waitFor(INSTALL.toSeconds(), TimeUnit.SECONDS)) {
            npm.destroyForcibly();
            throw new IllegalStateException("npm ci took longer than " + INSTALL + "; see " + NPM_LOG);
        }
        if (npm.exitValue() != 0) {
            throw new IllegalStateException("npm ci failed with exit code " + npm.exitValue() + ":\n"
                    + Files.readString(NPM_LOG, StandardCharsets.UTF_8));
        }
    }

    /** Starts {@code node worker.js} with {@code environment}; {@link #awaitLog} tells when it got somewhere. */
    static NodeWorkerProcess start(Map<String, String> environment) throws IOException {
        Files.deleteIfExists(LOG);
        ProcessBuilder builder = new ProcessBuilder("node", "worker.js").directory(MODULE.toFile())
                .redirectErrorStream(true).redirectOutput(LOG.toFile());
        builder.environment().putAll(environment);
        return new NodeWorkerProcess(builder.start());
    }

    /** Waits until the worker has printed {@code text}; fails with its output if it exits or takes too long. */
    void awaitLog(String text, Duration timeout) throws InterruptedException {
        Instant until = Instant.now().plus(timeout);
        while (!log().contains(text)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("node worker.js exited with " + process.exitValue() + " before printing '"
                        + text + "':\n" + log());
            }
            if (Instant.now().isAfter(until)) {
                throw new IllegalStateException("node worker.js did not print '" + text + "' within " + timeout + ":\n"
                        + log());
            }
            Thread.sleep(100);
        }
    }

    /** Everything the worker printed so far. */
    String log() {
        try {
            return Files.exists(LOG) ? Files.readString(LOG, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + LOG, e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM (the worker leaves its group), then SIGKILL if it has not ended within 10 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook kills an already ended process, which is harmless.
        }
    }

    private static boolean runs(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
