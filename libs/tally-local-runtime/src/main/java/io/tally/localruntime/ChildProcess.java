package io.tally.localruntime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * What the broker, the registry and the service child processes share: launching a JVM with its output in a log file
 * and in its own session, waiting for readiness, SIGTERM/SIGKILL, the log tail and the failure message.
 * Children run in their own session ({@code setsid}, where present), so a Ctrl-C that signals the terminal's
 * process group reaches only the JVM that started them, which stops them in order (services before the broker).
 * A shutdown hook still stops a child whose {@code close()} was forgotten, after {@link #exitGrace(Duration)}.
 * Known gap: a SIGKILLed parent leaves its children running; without {@code setsid} they share its process group.
 */
public abstract class ChildProcess implements AutoCloseable {

    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final Duration HOOK_STOP = Duration.ofSeconds(5);

    private final Path logFile;
    private final Thread exitHook;
    private volatile Process process;
    private volatile Duration exitGrace = Duration.ZERO;

    ChildProcess(Path logFile) {
        this.logFile = Objects.requireNonNull(logFile);
        this.exitHook = new Thread(this::stopAtExit, "tally-child-stop-" + logFile.getFileName());
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    /** What the child is, for messages: e.g. {@code Kafka broker on 127.0.0.1:9092}. */
    abstract String describe();

    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        Process current = process;
        return current != null && current.isAlive();
    }

    public long pid() {
        Process current = process;
        if (current == null) {
            throw new IllegalStateException(describe() + " was never started");
        }
        return current.pid();
    }

    /**
     * How long the shutdown hook waits at JVM exit for an owner that stops this child in order (a {@link LocalStack}
     * stops the services first) before it stops the child itself; default zero.
     */
    public void exitGrace(Duration grace) {
        this.exitGrace = Objects.requireNonNull(grace);
    }

    /** The last {@code lines} lines of the child's log, for failure messages; never throws. */
    public String tail(int lines) {
        return ProcessSupport.tail(logFile, lines);
    }

    /** Starts {@code command} with stdout and stderr appended to the log file. */
    final void launch(List<String> command, Map<String, String> environment) {
        List<String> full = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            full.add(SETSID.toString());
        }
        full.addAll(command);
        try {
            if (logFile.toAbsolutePath().getParent() != null) {
                Files.createDirectories(logFile.toAbsolutePath().getParent());
            }
            ProcessBuilder builder = new ProcessBuilder(full)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not launch " + describe() + ": " + String.join(" ", full), e);
        }
    }

    /** Answers null when the child is ready, else what is still missing (shown if the wait times out). */
    @FunctionalInterface
    interface Readiness {
        String problem() throws IOException, InterruptedException;
    }

    /**
     * Polls {@code readiness} until it answers null; stops the child and fails with its log tail if it exits or time
     * runs out.
     */
    final void awaitReady(Duration timeout, Duration poll, Readiness readiness) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String problem = "no answer yet";
        while (true) {
            Process current = process;
            if (!current.isAlive()) {
                throw failure("exited with code " + current.exitValue() + " before it was ready");
            }
            if (System.nanoTime() > deadline) {
                stop(Duration.ofSeconds(5));
                throw failure("was not ready within " + timeout.toSeconds() + " s (" + problem + ")");
            }
            try {
                problem = readiness.problem();
                if (problem == null) {
                    return;
                }
            } catch (IOException e) {
                problem = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(Duration.ofSeconds(5));
                throw new IllegalStateException("Interrupted while waiting for " + describe(), e);
            }
            ProcessSupport.sleep(poll.toMillis());
        }
    }

    /**
     * SIGTERM, then SIGKILL if the child has not exited within {@code grace}; returns how long it took to exit, or
     * null if it had to be killed.
     */
    final Duration stop(Duration grace) {
        Process current = process;
        if (current == null || !current.isAlive()) {
            return Duration.ZERO;
        }
        long start = System.nanoTime();
        current.destroy();
        if (awaitExit(current, grace)) {
            return Duration.ofNanos(System.nanoTime() - start);
        }
        current.destroyForcibly();
        awaitExit(current, Duration.ofSeconds(10));
        return null;
    }

    /** SIGKILL, as in a crash: no shutdown hook, no flush beyond what the OS already has. */
    public void kill() {
        Process current = process;
        if (current != null && current.isAlive()) {
            current.destroyForcibly();
            awaitExit(current, Duration.ofSeconds(30));
        }
    }

    /** The exit code of the last run, or -1 while it runs or was never started. */
    public int exitCode() {
        Process current = process;
        return current == null || current.isAlive() ? -1 : current.exitValue();
    }

    /** Drops the exit hook once the owner has stopped the child for good. */
    final void forgetExitHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway and finds the child stopped
        }
    }

    /** An exception naming the child, its log file and the log's last lines. */
    final IllegalStateException failure(String what) {
        return new IllegalStateException(describe() + " " + what + ". Log " + logFile + ":" + System.lineSeparator()
                + tail(40));
    }

    private void stopAtExit() {
        Process current = process;
        if (current == null || !current.isAlive()) {
            return;
        }
        if (!awaitExit(current, exitGrace)) {
            stop(HOOK_STOP);
        }
    }

    private static boolean awaitExit(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
