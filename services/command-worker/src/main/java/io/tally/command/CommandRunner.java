package io.tally.command;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs one process: its standard output and error read on threads of their own into bounded {@link OutputTail}s
 * (so a chatty process never blocks on a full pipe), waited for up to a timeout, checked every
 * {@link #POLL} for cancellation. On timeout or cancellation the process and its descendants are killed
 * ({@code SIGKILL}), so an {@code sh -c} wrapper does not leave its child running.
 */
final class CommandRunner {

    /** How often a running process is checked for cancellation. */
    static final Duration POLL = Duration.ofMillis(200);

    /** How a process ended. {@code exitCode} is -1 when it was killed. */
    record Result(List<String> command, int exitCode, boolean timedOut, boolean cancelled, String stdout,
                  boolean stdoutTruncated, String stderr, boolean stderrTruncated, long elapsedMs) {
    }

    private CommandRunner() {
    }

    /**
     * Runs {@code command} in {@code workingDir} (null: this process's) with {@code environment} set over this
     * process's own (or alone when {@code inherit} is false).
     *
     * @throws IOException when the executable cannot be started
     */
    static Result run(List<String> command, Path workingDir, Map<String, String> environment, boolean inherit,
                      Duration timeout, int maxOutput, BooleanSupplier cancelled) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (workingDir != null) {
            builder.directory(workingDir.toFile());
        }
        if (!inherit) {
            builder.environment().clear();
        }
        builder.environment().putAll(environment);
        long start = System.nanoTime();
        Process process = builder.start();
        process.getOutputStream().close();
        OutputTail stdout = new OutputTail(maxOutput);
        OutputTail stderr = new OutputTail(maxOutput);
        Thread out = drain(process.getInputStream(), stdout, "command-stdout-" + process.pid());
        Thread err = drain(process.getErrorStream(), stderr, "command-stderr-" + process.pid());
        long deadline = start + timeout.toNanos();
        boolean timedOut = false;
        boolean stopped = false;
        try {
            while (!process.waitFor(Math.min(POLL.toNanos(), Math.max(1, deadline - System.nanoTime())), TimeUnit.NANOSECONDS)) {
                if (System.nanoTime() >= deadline) {
                    timedOut = true;
                    break;
                }
                if (cancelled.getAsBoolean()) {
                    stopped = true;
                    break;
                }
            }
        } finally {
            if (process.isAlive()) {
                kill(process);
            }
        }
        // The readers end when the pipes close; a grandchild that escaped the kill could hold them open.
        out.join(2_000);
        err.join(2_000);
        int exit = timedOut || stopped ? -1 : process.exitValue();
        return new Result(command, exit, timedOut, stopped, stdout.text(), stdout.truncated(), stderr.text(),
                stderr.truncated(), (System.nanoTime() - start) / 1_000_000);
    }

    private static void kill(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    private static Thread drain(InputStream stream, OutputTail tail, String name) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (stream) {
                for (int read; (read = stream.read(buffer)) >= 0; ) {
                    tail.append(buffer, read);
                }
            } catch (IOException e) {
                // The pipe closed under the reader (the process was killed): what was read is kept.
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
